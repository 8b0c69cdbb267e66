import { createServer, type Server } from 'node:http'
import {
  addVirtualAuthenticator,
  launchChromium,
  type PageProblems,
  watchProblems,
} from '@passkey-id/testing/chromium'
import { freePort } from '@passkey-id/testing/http'
import { startTestProvider, type TestProvider } from '@passkey-id/testing/provider'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// response_mode=form_post answers with a page whose inline script submits the tokens to the app.
// The provider's pages allow no inline script, so this checks in a real browser that the page's
// CSP names that script's hash and the form reaches the app.
describe('response_mode=form_post in Chromium', () => {
  let provider: TestProvider
  let browser: Browser
  let app: Server
  let appUrl: string
  /** The forms the app's redirect URI received. */
  const received: URLSearchParams[] = []

  beforeAll(async () => {
    provider = await startTestProvider()
    const port = await freePort()
    appUrl = `http://localhost:${port}`
    app = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk) => {
        body += chunk
      })
      request.on('end', () => {
        if (request.method === 'POST') received.push(new URLSearchParams(body))
        response.writeHead(200, { 'content-type': 'text/html' }).end('<p>Signed in</p>')
      })
    })
    await new Promise<void>((resolve) => app.listen(port, 'localhost', resolve))
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await new Promise((resolve) => app?.close(resolve))
    await provider?.close()
  })

  it('posts the tokens to the app after sign-up and consent, with no CSP violation', async () => {
    const context = await browser.newContext()
    context.setDefaultTimeout(15_000)
    const problems: PageProblems = await watchProblems(context)
    const page = await context.newPage()
    await addVirtualAuthenticator(page)
    const authorize = new URL(`${provider.url}/openid/authorize`)
    authorize.search = new URLSearchParams({
      response_type: 'id_token token',
      response_mode: 'form_post',
      client_id: appUrl,
      redirect_uri: `${appUrl}/cb`,
      scope: 'openid avatar',
      state: 'state-1',
      nonce: 'nonce-1',
    }).toString()
    await page.goto(String(authorize))
    await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor()
    await page.waitForLoadState('domcontentloaded')
    await page.getByLabel('Username').fill(`formpost${Date.now().toString(36)}`)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.getByText('Signed in').waitFor()

    expect(page.url()).toBe(`${appUrl}/cb`)
    expect(received).toHaveLength(1)
    const form = received[0] ?? new URLSearchParams()
    expect(form.get('state')).toBe('state-1')
    const userinfo = await fetch(`${provider.url}/openid/userinfo`, {
      headers: { authorization: `Bearer ${form.get('access_token')}` },
    })
    expect(userinfo.status).toBe(200)
    expect(problems.cspViolations).toEqual([])
    expect(problems.pageErrors).toEqual([])
    await context.close()
  }, 60_000)
})

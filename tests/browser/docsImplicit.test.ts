import {
  addVirtualAuthenticator,
  dialogFlow,
  executeOperation,
  launchChromium,
  openAuthorizeDialog,
  openDocs,
  type PageProblems,
  startSignIn,
  watchProblems,
} from '@passkey-id/testing/chromium'
import { startTestDemo, type TestDemo } from '@passkey-id/testing/demo'
import { startTestProvider, type TestProvider } from '@passkey-id/testing/provider'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// Swagger UI's implicit flow, as FastAPI's docs pages use it: `response_type=token` with no nonce.
// The provider serves it to loopback apps (LEGACY_FLOWS=loopback, the default) as `id_token token`,
// and the access token lands in the fragment of Swagger UI's redirect page.
describe('signing in from the demo docs with the implicit flow in Chromium', () => {
  let provider: TestProvider
  let demo: TestDemo
  let browser: Browser
  const problems: PageProblems = { cspViolations: [], pageErrors: [], consoleErrors: [] }

  beforeAll(async () => {
    provider = await startTestProvider()
    demo = await startTestDemo(provider)
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await demo?.close()
    await provider?.close()
  })

  it('signs up in the popup, consents, and Execute shows /userinfo', async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 800 } })
    context.setDefaultTimeout(15_000)
    await watchProblems(context, problems)
    const authorizations: URL[] = []
    context.on('request', (request) => {
      const url = new URL(request.url())
      if (url.origin === provider.url && url.pathname === '/openid/authorize')
        authorizations.push(url)
    })
    const docs = await openDocs(context, `${demo.url}/docs`)

    // Discovery lists the implicit grant, so Swagger UI offers that flow beside the code flow.
    const dialog = await openAuthorizeDialog(docs)
    const implicit = dialogFlow(dialog, 'implicit')
    expect(await implicit.getByLabel('client_id:').inputValue()).toBe(demo.url)
    const { popup, closed } = await startSignIn(docs, implicit)
    const visited: string[] = []
    popup.on('framenavigated', (frame) => {
      if (frame === popup.mainFrame()) visited.push(frame.url())
    })

    await addVirtualAuthenticator(popup)
    await popup.getByRole('button', { name: 'Sign in with a passkey' }).waitFor()
    await popup.waitForLoadState('domcontentloaded')
    await popup.getByLabel('Username').fill(`implicit${Date.now().toString(36)}`)
    await popup.getByRole('button', { name: 'Create account' }).click()
    await popup.getByRole('button', { name: 'Allow' }).click()
    await closed

    // What Swagger UI sent, and where the token came back: the fragment, never the query.
    const [request] = authorizations
    expect(request?.searchParams.get('response_type')).toBe('token')
    expect(request?.searchParams.has('nonce')).toBe(false)
    const landed = new URL(String(visited.find((url) => url.includes('oauth2-redirect.html'))))
    expect(landed.search).toBe('')
    expect(new URLSearchParams(landed.hash.slice(1)).get('access_token')).toEqual(
      expect.any(String),
    )

    // Far below the five-minute passkey timeout, with room for Chromium on a loaded CI machine.
    await implicit.getByRole('heading', { name: 'Authorized' }).waitFor({ timeout: 30_000 })
    await implicit.getByRole('button', { name: 'Close' }).click()
    const { status, body } = await executeOperation(docs, 'GET', '/userinfo')
    expect(status, body).toBe(200)
    expect(JSON.parse(body)).toMatchObject({
      sub: expect.any(String),
      preferred_username: expect.stringMatching(/^implicit/),
    })
    await context.close()
  }, 120_000)

  it('had no Content-Security-Policy violations or page errors on any page', () => {
    expect(problems.pageErrors).toEqual([])
    expect(problems.cspViolations).toEqual([])
  })
})

import { passkeyId } from '@passkey-id/fastify'
import {
  launchChromium,
  openAuthorizeDialog,
  openDocs,
  type PageProblems,
  watchProblems,
} from '@passkey-id/testing/chromium'
import { freePort } from '@passkey-id/testing/http'
import { startTestProvider, type TestProvider } from '@passkey-id/testing/provider'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The docs' sign-in dialog preselects the scopes the API's routes need, which are known only once
// every route is declared: Swagger UI reads them from the OpenAPI document when it has loaded.
describe('the docs preselect the scopes the routes need', () => {
  let provider: TestProvider
  let api: FastifyInstance
  let url: string
  let browser: Browser

  beforeAll(async () => {
    provider = await startTestProvider()
    const port = await freePort()
    url = `http://localhost:${port}`
    api = Fastify()
    await api.register(passkeyId, { issuer: provider.url, appUrl: url, scopes: ['openid'] })
    api.get('/mail', { onRequest: api.authenticate, config: { scopes: ['email'] } }, async () => ({
      ok: true,
    }))
    api.get('/me', { onRequest: api.authenticate }, async () => ({ ok: true }))
    await api.listen({ port, host: 'localhost' })
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await api?.close()
    await provider?.close()
  })

  it('checks openid (configured) and email (a route needs it), not avatar', async () => {
    const context = await browser.newContext()
    const problems: PageProblems = { cspViolations: [], pageErrors: [], consoleErrors: [] }
    await watchProblems(context, problems)
    const docs = await openDocs(context, `${url}/docs`)
    const dialog = await openAuthorizeDialog(docs)
    // Each flow (authorization_code, implicit) lists the scopes; the code flow's are checked here.
    const checked = (scope: string) =>
      dialog.locator(`#${scope}-authorization_code-checkbox-openIdConnect`).isChecked()
    expect(await checked('openid')).toBe(true)
    expect(await checked('email')).toBe(true)
    expect(await checked('avatar')).toBe(false)
    expect(problems.cspViolations).toEqual([])
    expect(problems.pageErrors).toEqual([])
    await context.close()
  }, 60_000)
})

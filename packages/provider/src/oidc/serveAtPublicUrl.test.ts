import { PAGE_ACCEPT, type RawAnswer, rawRequest } from '@passkey-id/testing/http'
import { startTestProvider, type TestProvider } from '@passkey-id/testing/provider'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const EVIL = 'evil.example.com'

/** A GET with its own `Host` header (fetch always sends the URL's), answered in full. */
function getWithHost(url: string, headers: Record<string, string>): Promise<RawAnswer> {
  const { origin, pathname, search } = new URL(url)
  return rawRequest(origin, pathname + search, { headers: { accept: PAGE_ACCEPT, ...headers } })
}

describe("the provider's URLs come from PUBLIC_URL whatever Host says", () => {
  let provider: TestProvider

  beforeAll(async () => {
    provider = await startTestProvider()
  })
  afterAll(() => provider.close())

  it('discovery lists every endpoint on the issuer, and is answered, not refused', async () => {
    const answer = await getWithHost(`${provider.url}/.well-known/openid-configuration`, {
      host: EVIL,
      'x-forwarded-host': EVIL,
      'x-forwarded-proto': 'https',
    })
    expect(answer.status).toBe(200)
    expect(answer.body).not.toContain(EVIL)
    const discovery = JSON.parse(answer.body) as Record<string, unknown>
    expect(discovery.issuer).toBe(provider.url)
    const endpoints = Object.entries(discovery).filter(([name]) => name.endsWith('_endpoint'))
    expect(endpoints.length).toBeGreaterThan(4)
    for (const [, url] of endpoints) expect(String(url)).toMatch(new RegExp(`^${provider.url}/`))
    expect(discovery.jwks_uri).toBe(`${provider.url}/openid/jwks`)
  })

  it('the sign-in page and the redirect to it never name the Host', async () => {
    const authorize = new URL(`${provider.url}/openid/authorize`)
    authorize.search = new URLSearchParams({
      client_id: 'http://localhost:8000',
      redirect_uri: 'http://localhost:8000/cb',
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString()
    const redirect = await getWithHost(authorize.href, { host: EVIL })
    expect(redirect.status).toBe(303)
    const location = new URL(String(redirect.headers.location), provider.url)
    expect(location.origin).toBe(provider.url)
    expect(location.pathname).toMatch(/^\/interaction\//)
    const cookie = ([] as string[])
      .concat(redirect.headers['set-cookie'] ?? [])
      .map((line) => line.split(';')[0])
      .join('; ')
    const page = await getWithHost(location.href, { host: EVIL, cookie })
    expect(page.status).toBe(200)
    expect(page.body).toContain('id="sign-up"')
    expect(page.body).not.toContain(EVIL)
  })

  it("the sign-out form's action is on the issuer", async () => {
    const answer = await getWithHost(`${provider.url}/openid/logout`, { host: EVIL })
    expect(answer.status).toBe(200)
    expect(answer.body).toContain(`action="${provider.url}/openid/logout/confirm"`)
    expect(answer.body).not.toContain(EVIL)
  })
})

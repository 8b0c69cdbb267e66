import { rawRequest } from '@passkey-id/testing/http'
import { startTestProvider, type TestProvider } from '@passkey-id/testing/provider'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/** Sends `target` as the request line's target (fetch would normalize it), and returns the status. */
async function get(provider: TestProvider, target: string): Promise<number> {
  return (await rawRequest(provider.url, target)).status
}

describe('checks in front of oidc-provider see every spelling of an endpoint', () => {
  let provider: TestProvider
  beforeAll(async () => {
    provider = await startTestProvider()
  })
  afterAll(() => provider.close())

  // Each is routed to the authorization endpoint by oidc-provider's router (case folded after
  // /openid/, where Fastify's route is case-sensitive; one trailing slash ignored).
  const spellings = [
    '/openid/authorize',
    '/openid/authorize/',
    '/openid/Authorize',
    '/openid/AUTHORIZE/',
  ]

  it.each(spellings)('%s refuses an oversized state', async (path) => {
    const query = new URLSearchParams({
      client_id: 'http://localhost:8000',
      redirect_uri: 'http://localhost:8000/cb',
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      state: 's'.repeat(5000),
    })
    expect(await get(provider, `${path}?${query}`)).toBe(400)
  })

  it.each(spellings)('%s refuses the account page client in a fragment', async (path) => {
    const query = new URLSearchParams({
      client_id: provider.url,
      redirect_uri: `${provider.url}/account/signed-in`,
      response_type: 'code',
      response_mode: 'fragment',
      scope: 'openid email',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    })
    expect(await get(provider, `${path}?${query}`)).toBe(400)
  })

  it('leaves a path that names no endpoint as it is', async () => {
    expect(await get(provider, '/openid/authorize//')).toBe(404)
  })
})

import Fastify, { type FastifyInstance } from 'fastify'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { passkeyId } from '../src/index.ts'
import { APP, type FakeIssuer, startFakeIssuer } from './support/startFakeIssuer.ts'

async function api(
  issuer: string,
  options: { revalidateAfterSeconds?: number; audience?: string } = {},
) {
  const app = Fastify()
  await app.register(passkeyId, { issuer, appUrl: APP, ...options })
  app.get('/me', { onRequest: app.authenticate }, async (request) => ({
    sub: request.user?.sub,
    scopes: request.user?.scopes,
  }))
  app.get('/mail', { onRequest: app.authenticate, config: { scopes: ['email'] } }, async () => ({
    ok: true,
  }))
  app.get('/profile', { onRequest: app.authenticate }, async (request) => request.user?.userinfo())
  await app.ready()
  return app
}

const call = (app: FastifyInstance, token: string, url = '/me') =>
  app.inject({ url, headers: { authorization: `Bearer ${token}` } })

describe('token verification against a standard provider with JWT access tokens', () => {
  let fake: FakeIssuer
  let app: FastifyInstance

  beforeAll(async () => {
    fake = await startFakeIssuer()
    app = await api(fake.issuer)
  })
  afterAll(async () => {
    await app.close()
    await fake.server.close()
  })

  it('accepts a JWT its keys verify without asking the provider', async () => {
    const before = fake.calls.introspection
    const response = await call(app, await fake.jwt())
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ sub: 'user-1', scopes: ['openid', 'email'] })
    expect(fake.calls.introspection).toBe(before)
  })

  it.each([
    ['expired', { claims: { exp: Math.floor(Date.now() / 1000) - 120 } }, /exp/],
    ['not yet valid', { claims: { nbf: Math.floor(Date.now() / 1000) + 600 } }, /nbf/],
    ['for another audience', { claims: { aud: 'https://other.example.com' } }, /aud/],
    ['from another issuer', { claims: { iss: 'https://evil.example.com' } }, /iss/],
    [
      'an ID token (nonce, no scope, typ JWT)',
      { header: { typ: 'JWT' }, claims: { nonce: 'n', scope: undefined } },
      /ID token/,
    ],
    ['that names no subject', { claims: { sub: undefined } }, /no subject/],
  ])('refuses a token %s with 401 invalid_token, locally', async (_case, changes, reason) => {
    const before = fake.calls.introspection
    const response = await call(app, await fake.jwt(changes))
    expect(response.statusCode).toBe(401)
    expect(response.headers['www-authenticate']).toMatch(/error="invalid_token"/)
    expect(response.json().message).toMatch(reason)
    expect(fake.calls.introspection).toBe(before)
  })

  it('refuses a token signed by another key, after the provider says it does not know it', async () => {
    const { privateKey: stranger } = await generateKeyPair('RS256')
    const before = fake.calls.introspection
    const response = await call(app, await fake.jwt({ key: stranger as CryptoKey }))
    expect(response.statusCode).toBe(401)
    expect(fake.calls.introspection).toBe(before + 1)
  })

  it('refuses alg "none" and HS256 signed with the public key', async () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const claims = {
      iss: fake.issuer,
      aud: APP,
      sub: 'user-1',
      scope: 'openid',
      exp: fake.now() + 300,
    }
    const none = `${encode({ alg: 'none', typ: 'at+jwt' })}.${encode(claims)}.`
    const hmacKey = new TextEncoder().encode(JSON.stringify(fake.publicJwk))
    const hs256 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: 'k1', typ: 'at+jwt' })
      .sign(hmacKey)
    for (const token of [none, hs256]) {
      const response = await call(app, token)
      expect(response.statusCode).toBe(401)
      expect(response.headers['www-authenticate']).toMatch(/error="invalid_token"/)
    }
  })

  it('answers 403 insufficient_scope, naming the scope, when the token lacks a route scope', async () => {
    const response = await call(app, await fake.jwt({ claims: { scope: 'openid' } }), '/mail')
    expect(response.statusCode).toBe(403)
    expect(response.headers['www-authenticate']).toMatch(/error="insufficient_scope"/)
    expect(response.headers['www-authenticate']).toMatch(/scope="email"/)
    expect((await call(app, await fake.jwt(), '/mail')).statusCode).toBe(200)
  })

  it('shows the route scopes in the OpenAPI security requirement', async () => {
    const spec = (await app.inject({ url: '/docs/json' })).json()
    expect(spec.paths['/mail'].get.security).toEqual([{ openIdConnect: ['email'] }])
    expect(spec.paths['/me'].get.security).toEqual([{ openIdConnect: [] }])
  })
})

describe('token verification through introspection, cached', () => {
  let fake: FakeIssuer

  beforeAll(async () => {
    fake = await startFakeIssuer()
  })
  afterAll(() => fake.server.close())

  it('asks the provider once for many requests with one token, even when they arrive together', async () => {
    const app = await api(fake.issuer)
    const token = fake.opaque('together')
    const before = fake.calls.introspection
    const responses = await Promise.all(Array.from({ length: 20 }, () => call(app, token)))
    expect(responses.map((response) => response.statusCode)).toEqual(Array(20).fill(200))
    for (let i = 0; i < 30; i += 1) expect((await call(app, token)).statusCode).toBe(200)
    expect(fake.calls.introspection).toBe(before + 1)
    await app.close()
  })

  it('fetches the profile once per token', async () => {
    const app = await api(fake.issuer)
    const token = fake.opaque('profile')
    const before = fake.calls.userinfo
    for (let i = 0; i < 5; i += 1)
      expect((await call(app, token, '/profile')).json()).toEqual({ sub: 'user-2', name: 'Jo' })
    expect(fake.calls.userinfo).toBe(before + 1)
    await app.close()
  })

  it('stops accepting a revoked token within revalidateAfterSeconds', async () => {
    const app = await api(fake.issuer, { revalidateAfterSeconds: 1 })
    const token = fake.opaque('revoked-soon')
    expect((await call(app, token)).statusCode).toBe(200)
    fake.active.delete(token)
    expect((await call(app, token)).statusCode).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    expect((await call(app, token)).statusCode).toBe(401)
    await app.close()
  })

  it('does not cache a refusal as an acceptance, nor forget a token the provider confirms later', async () => {
    const app = await api(fake.issuer)
    expect((await call(app, 'later')).statusCode).toBe(401)
    fake.opaque('later')
    expect((await call(app, 'later')).statusCode).toBe(200)
    await app.close()
  })
})

describe('token verification through userinfo, for a provider without introspection', () => {
  let fake: FakeIssuer
  let app: FastifyInstance

  beforeAll(async () => {
    fake = await startFakeIssuer({ introspection: false })
    app = await api(fake.issuer)
  })
  afterAll(async () => {
    await app.close()
    await fake.server.close()
  })

  it('accepts a token userinfo answers for, once, and refuses one it does not', async () => {
    const token = fake.opaque('userinfo-only')
    const before = fake.calls.userinfo
    for (let i = 0; i < 5; i += 1) {
      expect((await call(app, token)).json()).toEqual({ sub: 'user-2', scopes: [] })
    }
    expect(fake.calls.userinfo).toBe(before + 1)
    const refused = await call(app, 'unknown-to-userinfo')
    expect(refused.statusCode).toBe(401)
    expect(refused.headers['www-authenticate']).toMatch(/error="invalid_token"/)
    expect(fake.calls.introspection).toBe(0)
  })
})

describe('key rotation at the provider', () => {
  let fake: FakeIssuer
  let app: FastifyInstance

  beforeAll(async () => {
    fake = await startFakeIssuer()
    app = await api(fake.issuer)
  })
  afterAll(async () => {
    await app.close()
    await fake.server.close()
  })

  it('fetches the keys again for a token with an unknown kid (at most every 30 s, as jose does)', async () => {
    expect((await call(app, await fake.jwt())).statusCode).toBe(200)
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
    fake.published.push({ ...(await exportJWK(publicKey)), kid: 'k2', alg: 'RS256', use: 'sig' })
    const rotated = await fake.jwt({ header: { kid: 'k2' }, key: privateKey as CryptoKey })
    // jose refuses to refetch within 30 s of the last fetch (a flood of made-up kids cannot hammer
    // the provider); the token is then checked by the provider instead, which does not know it.
    expect((await call(app, rotated)).statusCode).toBe(401)
    // jose's clock is Date.now(): moved 30.5 s on rather than waited for (only Date is faked; the
    // sockets' timers run as usual).
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(Date.now() + 30_500)
      const again = await fake.jwt({ header: { kid: 'k2' }, key: privateKey as CryptoKey })
      expect((await call(app, again)).statusCode).toBe(200)
    } finally {
      vi.useRealTimers()
    }
  })
})

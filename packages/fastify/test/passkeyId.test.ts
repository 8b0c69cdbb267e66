import { createServer, type Server, type Socket } from 'node:net'
import { Writable } from 'node:stream'
import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { freePort, TestBrowser, tamperSignature } from '@passkey-id/testing/http'
import { startTestProvider, type TestProvider } from '@passkey-id/testing/provider'
import { discoverAsApp, signInWithCodeFlow } from '@passkey-id/testing/sign-in'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { passkeyId } from '../src/index.ts'

const APP = 'http://localhost:8000'

/** Log lines at warn level or above, to check that client mistakes are not logged as errors. */
function logSink() {
  const lines: Array<{ level: number; msg: string }> = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)))
      done()
    },
  })
  return { lines, logger: { level: 'info', stream } }
}

async function api(issuer: string, options: { timeoutSeconds?: number } = {}) {
  const sink = logSink()
  const app = Fastify({ logger: sink.logger })
  await app.register(passkeyId, { issuer, appUrl: APP, ...options })
  app.get('/me', { onRequest: app.authenticate }, async (request) => ({
    sub: request.user?.sub,
    scopes: request.user?.scopes,
  }))
  app.get('/profile', { onRequest: app.authenticate }, async (request) => request.user?.userinfo())
  app.get('/public', async () => ({ ok: true }))
  await app.ready()
  return { app, logs: sink.lines }
}

async function accessToken(provider: TestProvider): Promise<string> {
  const config = await discoverAsApp(provider.url, APP)
  const { tokens } = await signInWithCodeFlow(
    config,
    new TestBrowser(),
    createSoftwareAuthenticator(),
    {
      redirectUri: `${APP}/docs/static/oauth2-redirect.html`,
      scope: 'openid avatar',
      script: { signUp: { username: `user${Date.now()}` } },
    },
  )
  return tokens.access_token
}

describe('passkeyId plugin against a running provider', () => {
  let provider: TestProvider
  let app: FastifyInstance
  let logs: Array<{ level: number; msg: string }>
  let token: string

  beforeAll(async () => {
    provider = await startTestProvider()
    ;({ app, logs } = await api(provider.url))
    token = await accessToken(provider)
  })
  afterAll(async () => {
    await app.close()
    await provider.close()
  })

  it('lets a valid token through and sets request.user', async () => {
    const response = await app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ sub: expect.any(String), scopes: ['openid', 'avatar'] })
  })

  it('returns the profile from the provider through request.user.userinfo()', async () => {
    const me = (
      await app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } })
    ).json()
    const response = await app.inject({
      url: '/profile',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({
      sub: me.sub,
      preferred_username: expect.stringMatching(/^user/),
    })
  })

  it('answers a request without a token with 401 and a Bearer challenge (RFC 6750)', async () => {
    const response = await app.inject({ url: '/me' })
    expect(response.statusCode).toBe(401)
    expect(response.headers['www-authenticate']).toBe(`Bearer realm="${APP}"`)
    expect(response.json().message).toMatch(/Sign in first/)
  })

  it('answers a malformed Authorization header with 400 invalid_request', async () => {
    for (const authorization of [
      'Bearer',
      'Bearer ',
      'Basic dXNlcjpwdw==',
      'Bearer a b',
      `Bearer ${'a'.repeat(5000)}`,
    ]) {
      const response = await app.inject({ url: '/me', headers: { authorization } })
      expect(response.statusCode, authorization.slice(0, 20)).toBe(400)
      expect(response.headers['www-authenticate']).toMatch(
        /^Bearer realm="http:\/\/localhost:8000", error="invalid_request"/,
      )
    }
  })

  it('answers an unknown, forged or tampered token with 401 invalid_token', async () => {
    for (const bad of [
      'not-a-real-token',
      tamperSignature(token),
      'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
    ]) {
      const response = await app.inject({ url: '/me', headers: { authorization: `Bearer ${bad}` } })
      expect(response.statusCode).toBe(401)
      expect(response.headers['www-authenticate']).toMatch(/error="invalid_token"/)
    }
  })

  it('leaves routes without the hook alone', async () => {
    expect((await app.inject({ url: '/public' })).statusCode).toBe(200)
  })

  it('logs no client mistake at warn level or above, and never a token', async () => {
    expect(logs.filter((line) => line.level >= 40)).toEqual([])
    expect(JSON.stringify(logs)).not.toContain(token)
  })

  it('serves the docs with the openIdConnect scheme, route security and PKCE sign-in', async () => {
    const spec = (await app.inject({ url: '/docs/json' })).json()
    expect(spec.components.securitySchemes.openIdConnect).toEqual({
      type: 'openIdConnect',
      openIdConnectUrl: `${provider.url}/.well-known/openid-configuration`,
    })
    expect(spec.paths['/me'].get.security).toEqual([{ openIdConnect: [] }])
    expect(spec.paths['/public'].get.security).toBeUndefined()

    const initializer = (await app.inject({ url: '/docs/static/swagger-initializer.js' })).body
    expect(initializer).toContain(`"clientId":"${APP}"`)
    expect(initializer).toContain('"usePkceWithAuthorizationCodeGrant":true')

    const page = await app.inject({ url: '/docs/' })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-security-policy']).toContain(`connect-src 'self' ${provider.url}`)
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'")
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline')
    expect(page.headers['referrer-policy']).toBe('no-referrer')
    expect(page.headers['cross-origin-opener-policy']).toBeUndefined()
  })
})

describe('passkeyId plugin when the provider is unreachable', () => {
  let silent: Server
  let silentPort: number
  const sockets = new Set<Socket>()
  beforeAll(async () => {
    // Accepts connections and never answers: a provider that hangs.
    silent = createServer((socket) => sockets.add(socket))
    silentPort = await freePort()
    await new Promise<void>((resolve) => silent.listen(silentPort, 'localhost', resolve))
  })
  afterAll(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => silent.close(() => resolve()))
  })

  it('starts anyway and answers 503 with the reason when nothing listens', async () => {
    const { app, logs } = await api(`http://localhost:${await freePort()}`)
    const response = await app.inject({ url: '/me', headers: { authorization: 'Bearer abc' } })
    expect(response.statusCode).toBe(503)
    expect(response.json()).toMatchObject({
      error: 'temporarily_unavailable',
      message: expect.stringMatching(/cannot be reached/),
    })
    expect(response.headers['retry-after']).toBe('5')
    expect(logs.filter((line) => line.level >= 50)).toEqual([])
    await app.close()
  })

  it('gives up on a provider that hangs after the timeout', async () => {
    const { app } = await api(`http://localhost:${silentPort}`, { timeoutSeconds: 1 })
    const started = Date.now()
    const response = await app.inject({ url: '/me', headers: { authorization: 'Bearer abc' } })
    expect(response.statusCode).toBe(503)
    expect(Date.now() - started).toBeLessThan(5_000)
    await app.close()
  })
})

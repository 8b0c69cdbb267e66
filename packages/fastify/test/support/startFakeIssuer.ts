import { freePort } from '@passkey-id/testing/http'
import Fastify from 'fastify'
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'

/** The API's origin (and client_id) that the fake issuer's tokens are for. */
export const APP = 'http://localhost:8000'

/**
 * A standard OpenID provider of the kind the plugin must work with besides ours (Keycloak, say): JWT
 * access tokens signed RS256, discovery, JWKS, and introspection that counts how often it is asked.
 */
export async function startFakeIssuer({ introspection = true }: { introspection?: boolean } = {}) {
  const port = await freePort()
  const issuer = `http://localhost:${port}`
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }
  const active = new Map<string, { sub: string; scope: string; exp: number }>()
  const calls = { introspection: 0, userinfo: 0 }
  const server = Fastify()
  await server.register(import('@fastify/formbody'))
  server.get('/.well-known/openid-configuration', async () => ({
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    userinfo_endpoint: `${issuer}/userinfo`,
    ...(introspection ? { introspection_endpoint: `${issuer}/introspect` } : {}),
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
  }))
  const published: JWK[] = [publicJwk]
  server.get('/jwks', async () => ({ keys: published }))
  server.post<{ Body: { token: string } }>('/introspect', async (request) => {
    calls.introspection += 1
    const token = active.get(request.body.token)
    return token === undefined ? { active: false } : { active: true, client_id: APP, ...token }
  })
  server.get('/userinfo', async (request, reply) => {
    calls.userinfo += 1
    const token = active.get(String(request.headers.authorization).slice('Bearer '.length))
    if (token === undefined)
      return reply.code(401).header('www-authenticate', 'Bearer error="invalid_token"').send()
    return { sub: token.sub, name: 'Jo' }
  })
  await server.listen({ port, host: 'localhost' })

  const now = () => Math.floor(Date.now() / 1000)
  /** A JWT access token as such providers issue them; `changes` forge it. */
  const jwt = (
    changes: {
      claims?: Record<string, unknown>
      header?: Record<string, unknown>
      key?: CryptoKey
    } = {},
  ) =>
    new SignJWT({
      iss: issuer,
      aud: APP,
      sub: 'user-1',
      scope: 'openid email',
      iat: now(),
      exp: now() + 300,
      ...changes.claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'at+jwt', ...changes.header })
      .sign(changes.key ?? privateKey)
  /** An opaque token that introspection says is active. */
  const opaque = (name: string, scope = 'openid') => {
    active.set(name, { sub: 'user-2', scope, exp: now() + 300 })
    return name
  }
  return { issuer, server, calls, active, jwt, opaque, publicJwk, published, now }
}

/** A running fake issuer. */
export type FakeIssuer = Awaited<ReturnType<typeof startFakeIssuer>>

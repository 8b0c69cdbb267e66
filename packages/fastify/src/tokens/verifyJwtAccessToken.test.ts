import { freePort } from '@passkey-id/testing/http'
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  exportJWK,
  generateKeyPair,
  type JWTPayload,
  SignJWT,
} from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { IssuerUnavailableError } from './IssuerUnavailableError.ts'
import { type JwtRules, verifyJwtAccessToken } from './verifyJwtAccessToken.ts'

const RULES: JwtRules = {
  issuer: 'https://id.example.com',
  audience: 'https://api.example.com',
  clockToleranceSeconds: 30,
}

describe('verifyJwtAccessToken', () => {
  let privateKey: CryptoKey
  let keys: ReturnType<typeof createLocalJWKSet>
  const now = () => Math.floor(Date.now() / 1000)

  /** A JWT access token as a standard provider issues one; `claims` and `header` change it. */
  const jwt = (
    claims: JWTPayload = {},
    header: Record<string, unknown> = {},
    key: CryptoKey = privateKey,
  ) =>
    new SignJWT({
      iss: RULES.issuer,
      aud: RULES.audience,
      sub: 'user-1',
      scope: 'openid email',
      exp: now() + 300,
      ...claims,
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt', ...header })
      .sign(key)

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256')
    privateKey = pair.privateKey
    keys = createLocalJWKSet({
      keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }],
    })
  })

  it('accepts an access token and reads its subject, scopes and expiry', async () => {
    const exp = now() + 300
    expect(await verifyJwtAccessToken(await jwt({ exp }), keys, RULES)).toEqual({
      kind: 'valid',
      sub: 'user-1',
      scopes: ['openid', 'email'],
      expiresAt: new Date(exp * 1000),
    })
    const scp = await verifyJwtAccessToken(
      await jwt({ scope: undefined, scp: ['a', 'b'] }),
      keys,
      RULES,
    )
    expect(scp).toMatchObject({ kind: 'valid', scopes: ['a', 'b'] })
  })

  it('tolerates clock skew on exp and nbf', async () => {
    const token = await jwt({ exp: now() - 10, nbf: now() + 10 })
    expect((await verifyJwtAccessToken(token, keys, RULES)).kind).toBe('valid')
  })

  it.each([
    ['expired', { exp: now() - 120 }, {}],
    ['not_yet_valid', { nbf: now() + 600 }, {}],
    ['wrong_audience', { aud: 'https://other.example.com' }, {}],
    ['wrong_issuer', { iss: 'https://evil.example.com' }, {}],
    ['bad_claim', { iat: 'yesterday' }, {}],
    ['id_token', { nonce: 'n', scope: undefined }, { typ: 'JWT' }],
    ['no_subject', { sub: undefined }, {}],
  ])('refuses a token with the problem %s', async (problem, claims, header) => {
    const token = await jwt(claims as JWTPayload, header)
    expect(await verifyJwtAccessToken(token, keys, RULES)).toEqual({ kind: 'invalid', problem })
  })

  it('leaves to the issuer what its keys cannot verify: another key, none, HMAC', async () => {
    const stranger = (await generateKeyPair('ES256')).privateKey
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const claims = { iss: RULES.issuer, aud: RULES.audience, sub: 'x', exp: now() + 300 }
    const hs256 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .sign(new TextEncoder().encode('a shared secret that is long enough'))
    for (const token of [
      await jwt({}, {}, stranger),
      `${encode({ alg: 'none' })}.${encode(claims)}.`,
      hs256,
    ]) {
      expect(await verifyJwtAccessToken(token, keys, RULES)).toEqual({ kind: 'unverifiable' })
    }
  })

  it('throws IssuerUnavailableError when the keys cannot be fetched', async () => {
    const unreachable = createRemoteJWKSet(new URL(`http://localhost:${await freePort()}/jwks`))
    await expect(verifyJwtAccessToken(await jwt(), unreachable, RULES)).rejects.toBeInstanceOf(
      IssuerUnavailableError,
    )
  })
})

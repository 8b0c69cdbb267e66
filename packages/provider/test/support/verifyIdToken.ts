import { createHash } from 'node:crypto'
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose'
import { expect } from 'vitest'

/**
 * Verifies an ID token from an implicit response as a relying party must (OpenID Connect Core
 * 3.2.2.11): signature by a key from the issuer's JWKS (the header names its `kid`), `iss`, `aud`,
 * expiry, `nonce` when the app sent one, and `at_hash` when an access token came with it.
 */
export async function verifyIdToken(
  issuer: string,
  idToken: string,
  expected: { audience: string; nonce?: string; accessToken?: string },
): Promise<JWTPayload> {
  const jwks = createRemoteJWKSet(new URL(`${issuer}/openid/jwks`))
  const { payload, protectedHeader } = await jwtVerify(idToken, jwks, {
    issuer,
    audience: expected.audience,
    algorithms: ['RS256'],
  })
  expect(protectedHeader.kid).toEqual(expect.any(String))
  if (expected.nonce !== undefined) expect(payload.nonce).toBe(expected.nonce)
  if (expected.accessToken !== undefined) {
    // RS256 hashes with SHA-256: at_hash is the left half of the digest, base64url.
    const digest = createHash('sha256').update(expected.accessToken).digest()
    expect(payload.at_hash).toBe(digest.subarray(0, digest.length / 2).toString('base64url'))
  }
  return payload
}

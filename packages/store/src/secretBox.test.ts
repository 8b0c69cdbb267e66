import { randomBytes } from 'node:crypto'
import { ConfigError } from '@passkey-id/runtime'
import { describe, expect, it } from 'vitest'
import { createSecretBox } from './secretBox.ts'

const salt = randomBytes(32).toString('base64url')
const jwk = JSON.stringify({ kty: 'EC', crv: 'P-256', d: randomBytes(32).toString('base64url') })

/** The one-line message `open` throws, checked to be a ConfigError. */
function refusal(open: () => unknown): string {
  try {
    open()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    const message = (error as Error).message
    expect(message).not.toContain('\n')
    return message
  }
  throw new Error('open did not refuse')
}

/** `stored` with one bit of its decoded `part` (2 = IV, 3 = ciphertext and tag) flipped. */
function flipBit(stored: string, part: number, byte: number): string {
  const parts = stored.split('.')
  const bytes = Buffer.from(String(parts[part]), 'base64url')
  bytes[byte] = Number(bytes[byte]) ^ 1
  parts[part] = bytes.toString('base64url')
  return parts.join('.')
}

describe('createSecretBox', () => {
  const key = randomBytes(32)
  const box = createSecretBox([key])

  it('seals as enc1.<keyId>.<iv>.<ciphertext and tag>, in base64url, and opens to the same value', () => {
    const sealed = box.seal(salt, 'secrets/pairwise-salt')
    expect(sealed).toMatch(/^enc1\.[\w-]{11}\.[\w-]{16}\.[\w-]+$/)
    expect(sealed.split('.')[1]).toBe(box.keyId)
    expect(box.keyIdOf(sealed)).toBe(box.keyId)
    expect(sealed).not.toContain(salt)
    expect(box.open(sealed, 'secrets/pairwise-salt')).toBe(salt)
    expect(box.open(box.seal(jwk, 'signing_keys/k1'), 'signing_keys/k1')).toBe(jwk)
  })

  it('uses a new IV for every seal, and a key id that names the key but is not a part of it', () => {
    const sealed = new Set(Array.from({ length: 20 }, () => box.seal(salt, 'secrets/a')))
    expect(sealed.size).toBe(20)
    expect(key.toString('base64url')).not.toContain(box.keyId)
    expect(createSecretBox([key]).keyId).toBe(box.keyId)
    expect(createSecretBox([randomBytes(32)]).keyId).not.toBe(box.keyId)
  })

  it('refuses a value moved to another row, and any flipped bit, as failing its integrity check', () => {
    const sealed = box.seal(salt, 'secrets/pairwise-salt')
    expect(refusal(() => box.open(sealed, 'secrets/cookie-key-1'))).toBe(
      'secrets/cookie-key-1 fails its integrity check (it was changed, or moved from another row): restore it from a backup',
    )
    for (const [part, byte] of [
      [2, 0],
      [3, 0],
      [3, 40],
    ] as const) {
      expect(refusal(() => box.open(flipBit(sealed, part, byte), 'secrets/pairwise-salt'))).toMatch(
        /^secrets\/pairwise-salt fails its integrity check/,
      )
    }
    for (const broken of [`${sealed.slice(0, -4)}`, `${sealed}.x`, 'enc1.', 'enc1.abc']) {
      expect(refusal(() => box.open(broken, 'secrets/pairwise-salt'))).toMatch(/integrity check/)
    }
  })

  it('refuses a clear value while a key is set, saying to run secrets encrypt', () => {
    expect(refusal(() => box.open(salt, 'secrets/pairwise-salt'))).toMatch(
      /^secrets\/pairwise-salt is stored in clear although ENCRYPTION_KEY is set: run npm run provider -- secrets encrypt /,
    )
    expect(box.keyIdOf(jwk)).toBeUndefined()
  })

  it('refuses a value sealed under a key outside the keyring, naming both key ids', () => {
    const other = createSecretBox([randomBytes(32)])
    const sealed = other.seal(salt, 'secrets/pairwise-salt')
    expect(refusal(() => box.open(sealed, 'secrets/pairwise-salt'))).toBe(
      `ENCRYPTION_KEY does not match: secrets/pairwise-salt was encrypted with key id ${other.keyId}, ENCRYPTION_KEY has ${box.keyId}: set it to the key the database was encrypted with`,
    )
  })

  it('seals with the first key of a keyring and opens with any of them', () => {
    const newKey = randomBytes(32)
    const ring = createSecretBox([newKey, key])
    const old = box.seal(salt, 'secrets/a')
    expect(ring.open(old, 'secrets/a')).toBe(salt)
    const resealed = ring.seal(salt, 'secrets/a')
    expect(ring.keyIdOf(resealed)).toBe(createSecretBox([newKey]).keyId)
    expect(createSecretBox([newKey]).open(resealed, 'secrets/a')).toBe(salt)
    expect(refusal(() => box.open(resealed, 'secrets/a'))).toMatch(/^ENCRYPTION_KEY does not match/)
  })
})

describe('createSecretBox without a key', () => {
  const clear = createSecretBox([])

  it('stores values in clear', () => {
    expect(clear.keyId).toBeUndefined()
    expect(clear.seal(salt, 'secrets/a')).toBe(salt)
    expect(clear.open(jwk, 'signing_keys/k1')).toBe(jwk)
  })

  it('refuses a sealed value, saying which key id to set ENCRYPTION_KEY to', () => {
    const sealed = createSecretBox([randomBytes(32)])
    expect(refusal(() => clear.open(sealed.seal(jwk, 'signing_keys/k1'), 'signing_keys/k1'))).toBe(
      `signing_keys/k1 is encrypted (key id ${sealed.keyId}) but ENCRYPTION_KEY is not set: set ENCRYPTION_KEY to the key it was encrypted with`,
    )
  })
})

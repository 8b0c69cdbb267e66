import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto'
import { ConfigError } from '@passkey-id/runtime'

/** Seals secrets before they are stored and opens them when they are read. */
export interface SecretBox {
  /** The id of the key `seal` uses, or `undefined` when the box stores values in clear. */
  readonly keyId: string | undefined
  /** The value as it is to be stored at `where` (such as `secrets/pairwise-salt`). */
  seal(value: string, where: string): string
  /** The value stored at `where`; throws a one-line `ConfigError` saying what to do if it cannot. */
  open(stored: string, where: string): string
  /** The id of the key `stored` was sealed with, or `undefined` when it is stored in clear. */
  keyIdOf(stored: string): string | undefined
}

/** Format version 1: AES-256-GCM, a 12-byte random IV, a 16-byte tag after the ciphertext. */
const FORMAT = 'enc1'
const IV_BYTES = 12
const TAG_BYTES = 16
const KEY_ID_LABEL = 'passkey-id key id'
/** `enc1.<keyId>.<iv>.<ciphertext‖tag>`, every part base64url; the key id is 8 bytes. */
const SEALED = /^enc1\.([A-Za-z0-9_-]{11})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22,})$/
const KEY_ID = /^[A-Za-z0-9_-]{11}$/

/** Names a key without revealing it: the first 8 bytes of an HMAC of a fixed label. */
function keyIdOfKey(key: Uint8Array): string {
  return createHmac('sha256', key)
    .update(KEY_ID_LABEL)
    .digest()
    .subarray(0, 8)
    .toString('base64url')
}

/** The key id in a stored value, or `undefined` for a value stored in clear (secrets never hold `.`, JWKs start with `{`). */
function keyIdOfStored(stored: string): string | undefined {
  return stored.startsWith(`${FORMAT}.`) ? (stored.split('.', 3)[1] ?? '') : undefined
}

/** A box without a key: values are stored as they are, and a sealed one is refused with what to set. */
const clearBox: SecretBox = {
  keyId: undefined,
  keyIdOf: keyIdOfStored,
  seal: (value) => value,
  open(stored, where) {
    const keyId = keyIdOfStored(stored)
    if (keyId === undefined) return stored
    throw new ConfigError(
      `${where} is encrypted (key id ${keyId}) but ENCRYPTION_KEY is not set: set ENCRYPTION_KEY to the key it was encrypted with`,
    )
  },
}

/**
 * Gives the provider's secrets at rest (signing keys, cookie keys, the pairwise salt) AES-256-GCM
 * encryption under `keys`, the decoded ENCRYPTION_KEY keyring: `seal` uses the first key, `open`
 * whichever key the stored value names, so that a key is rotated by deploying `new,old`, re-sealing,
 * then dropping `old`. Where the value lives is its additional authenticated data, so a value copied
 * to another row fails to open. With no key, values are stored in clear.
 *
 * Opening never falls back: a value the keyring cannot open, or a clear value while a key is set
 * (someone with write access planting a signing key of their own), is refused with one line saying
 * what to do, so that a start never silently creates a new secret (a new salt changes every `sub`).
 */
export function createSecretBox(keys: readonly Uint8Array[]): SecretBox {
  const [first] = keys
  if (first === undefined) return clearBox
  // Each key's id computed once: an API session makes a box of its own whenever its token is
  // opened, and a keyed HMAC costs more than the SHA-256 beside it.
  const keyId = keyIdOfKey(first)
  const ring = new Map(keys.map((key, index) => [index === 0 ? keyId : keyIdOfKey(key), key]))
  return {
    keyId,
    keyIdOf: keyIdOfStored,
    seal(value, where) {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', first, iv).setAAD(Buffer.from(where))
      const sealed = Buffer.concat([
        cipher.update(value, 'utf8'),
        cipher.final(),
        cipher.getAuthTag(),
      ])
      return [FORMAT, keyId, iv.toString('base64url'), sealed.toString('base64url')].join('.')
    },
    open(stored, where) {
      const storedKeyId = keyIdOfStored(stored)
      if (storedKeyId === undefined) {
        throw new ConfigError(
          `${where} is stored in clear although ENCRYPTION_KEY is set: run npm run provider -- secrets encrypt (if the database was encrypted before, someone wrote this value in clear: restore it from a backup)`,
        )
      }
      const key = ring.get(storedKeyId)
      if (key === undefined && KEY_ID.test(storedKeyId)) {
        throw new ConfigError(
          `ENCRYPTION_KEY does not match: ${where} was encrypted with key id ${storedKeyId}, ENCRYPTION_KEY has ${[...ring.keys()].join(', ')}: set it to the key the database was encrypted with`,
        )
      }
      return decrypt(stored, key, where)
    },
  }
}

/** Opens a sealed value with its key; any change to it, or a different `where`, fails the tag. */
function decrypt(stored: string, key: Uint8Array | undefined, where: string): string {
  const parts = SEALED.exec(stored)
  try {
    if (parts === null || key === undefined) throw new Error('not in the enc1 format')
    const iv = Buffer.from(String(parts[2]), 'base64url')
    const sealed = Buffer.from(String(parts[3]), 'base64url')
    const decipher = createDecipheriv('aes-256-gcm', key, iv)
      .setAAD(Buffer.from(where))
      .setAuthTag(sealed.subarray(sealed.length - TAG_BYTES))
    const clear = Buffer.concat([
      decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
      decipher.final(),
    ])
    return clear.toString('utf8')
  } catch {
    throw new ConfigError(
      `${where} fails its integrity check (it was changed, or moved from another row): restore it from a backup`,
    )
  }
}

import { createHash, hkdfSync } from 'node:crypto'
// The box alone, not the store's index: with a store of the app's own, no database driver loads.
import { createSecretBox, type SecretBox } from '@passkey-id/store/secretBox'

/** What the store holds for one session cookie, and what opens it. */
export interface SessionKeys {
  /** The session's id in the store: the SHA-256 of the cookie's value, never the value itself. */
  storeId: string
  /** Seals the session's access token for the store (at `storeId`), and opens it again. */
  tokenBox: SecretBox
}

const TOKEN_KEY_INFO = 'passkey-id api session access token'

/**
 * The store's keys for a session cookie's value (32 random bytes): its id there is a digest of the
 * value, and its access token is sealed (AES-256-GCM) under a key derived from the value (HKDF).
 * The value lives only in the person's cookie, so a copy of the store (a backup, a leaked read
 * replica), even with the cookie secret beside it, holds neither a cookie that signs anyone in nor a
 * token the provider would accept.
 */
export function sessionKeys(cookieValue: string): SessionKeys {
  const secret = Buffer.from(cookieValue, 'base64url')
  return {
    storeId: createHash('sha256').update(secret).digest('base64url'),
    tokenBox: createSecretBox([
      new Uint8Array(hkdfSync('sha256', secret, new Uint8Array(0), TOKEN_KEY_INFO, 32)),
    ]),
  }
}

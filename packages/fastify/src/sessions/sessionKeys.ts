import { createHash, hkdfSync } from 'node:crypto'
// The box alone, not the store's index: with a store of the app's own, no database driver loads.
import { createSecretBox, type SecretBox } from '@passkey-id/store/secretBox'

/** What the store holds for one session cookie, and what opens it. */
export interface SessionKeys {
  /** The session's id in the store: the SHA-256 of the cookie's value, never the value itself. */
  storeId: string
  /** The access token as the store keeps it: sealed under the cookie's key, bound to `storeId`. */
  sealToken(accessToken: string): string
  /** The token `sealToken` sealed; `undefined` when it does not open (changed, or another row's). */
  openToken(stored: string): string | undefined
}

const TOKEN_KEY_INFO = 'passkey-id api session access token'
/** A cookie value is 32 random bytes; a value of any other length is no session's. */
const VALUE_BYTES = 32

/**
 * The store's keys for a session cookie's value (32 random bytes in base64url), or `undefined` for
 * a value that is not one: its id there is a digest of the value, and its access token is sealed
 * (AES-256-GCM) under a key derived from the value (HKDF-SHA256), only when it is sealed or opened.
 * The value lives only in the person's cookie, so a copy of the store (a backup, a leaked read
 * replica), even with the cookie secret beside it, holds neither a cookie that signs anyone in nor a
 * token the provider would accept.
 */
export function sessionKeys(cookieValue: string): SessionKeys | undefined {
  const secret = Buffer.from(cookieValue, 'base64url')
  // Only the canonical spelling: base64url decoding skips what is not base64url and ignores the
  // last character's spare bits, so other strings would name the same session.
  if (secret.length !== VALUE_BYTES || secret.toString('base64url') !== cookieValue)
    return undefined
  const storeId = createHash('sha256').update(secret).digest('base64url')
  let box: SecretBox | undefined
  const tokenBox = () => {
    box ??= createSecretBox([
      new Uint8Array(hkdfSync('sha256', secret, new Uint8Array(0), TOKEN_KEY_INFO, 32)),
    ])
    return box
  }
  return {
    storeId,
    sealToken: (accessToken) => tokenBox().seal(accessToken, storeId),
    openToken(stored) {
      try {
        return tokenBox().open(stored, storeId)
      } catch {
        return undefined
      }
    },
  }
}

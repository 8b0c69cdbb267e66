import { createHmac, createSecretKey } from 'node:crypto'

/**
 * The one way the provider stores a secret it mails or hands out (email codes, recovery links):
 * HMAC-SHA256 under a server secret (`key`, from `getOrCreateSecret`), so a copy of the database
 * alone cannot check guesses offline. Returns the hashing function, with the key imported once
 * rather than on each secret hashed.
 */
export function secretHash(key: string): (text: string) => Buffer {
  const hmacKey = createSecretKey(Buffer.from(key))
  return (text) => createHmac('sha256', hmacKey).update(text).digest()
}

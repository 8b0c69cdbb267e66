import { createHmac, type KeyObject } from 'node:crypto'
import { appSector } from './clients/appOrigin.ts'

/**
 * The `sub` an app sees for an account: an HMAC of the account id and the app's sector (its hostname,
 * loopback names folded), keyed with the provider's persisted salt. Two apps on different hosts cannot
 * correlate a person by `sub`; the same app sees the same value across sign-ins and restarts.
 *
 * `key` is the salt, or (what the provider passes, made once at start with `createSecretKey`) the salt
 * as a key object: a string key is imported anew on every call, and this runs on every token and
 * userinfo request. Both give the same `sub`.
 */
export function pairwiseSubject(
  accountId: string,
  clientId: string,
  key: string | KeyObject,
): string {
  return createHmac('sha256', key)
    .update(`${appSector(clientId)}\u0000${accountId}`)
    .digest('base64url')
}

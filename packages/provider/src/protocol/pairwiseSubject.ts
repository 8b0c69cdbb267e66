import { createHmac } from 'node:crypto'
import { appSector } from './clients/appOrigin.ts'

/**
 * The `sub` an app sees for an account: an HMAC of the account id and the app's sector (its hostname,
 * loopback names folded), keyed with the provider's persisted salt. Two apps on different hosts cannot
 * correlate a person by `sub`; the same app sees the same value across sign-ins and restarts.
 */
export function pairwiseSubject(accountId: string, clientId: string, salt: string): string {
  return createHmac('sha256', salt)
    .update(`${appSector(clientId)}\u0000${accountId}`)
    .digest('base64url')
}

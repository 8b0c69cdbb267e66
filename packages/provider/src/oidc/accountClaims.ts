import type { Account } from '../accounts/accountStore.ts'
import { ADDRESS_FIELDS, CLAIMED_FIELDS } from '../profile/profileFields.ts'

/**
 * Every claim an account can release. oidc-provider keeps only those the granted scopes cover (see
 * SCOPE_CLAIMS), and replaces `sub` with the app's pairwise subject.
 *
 * A claim the person has not filled in is left out, never sent empty, and so is an `address` with no
 * part filled in. `email_verified` is `true` once the address was verified with a mailed code (and
 * until it changes), `phone_number_verified` always `false` (phones are not verified); each comes only
 * with the value it qualifies. `updated_at` (seconds since the epoch of the
 * last profile change) comes only with at least one other `profile` claim: alone it would tell the app
 * nothing about the person but when they signed up.
 */
export function accountClaims(account: Account, issuer: string): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: account.id, nickname: account.username }
  let sharesProfile = false
  for (const field of CLAIMED_FIELDS) {
    const value = account[field.field]
    if (!isFilledIn(value)) continue
    claims[field.claim] = field.claimValue?.(value, issuer) ?? value
    if (field.verifiedClaim !== undefined)
      claims[field.verifiedClaim] = isVerified(account, field.field)
    if (field.scope === 'profile') sharesProfile = true
  }
  if (sharesProfile) {
    const updatedAt = Date.parse(account.profile_updated_at ?? account.created_at)
    claims.updated_at = Math.floor(updatedAt / 1000)
  }
  const address = Object.fromEntries(
    ADDRESS_FIELDS.flatMap(({ field, addressPart }) => {
      const value = account[field]
      return isFilledIn(value) ? [[addressPart, value]] : []
    }),
  )
  if (Object.keys(address).length > 0)
    claims.address = { formatted: formattedAddress(address), ...address }
  return claims
}

/** Whether the account's value of `field` was verified: only email addresses are. */
function isVerified(account: Account, field: string): boolean {
  return field === 'email' && account.email_verified_at !== null
}

function isFilledIn(value: string | null): value is string {
  return value !== null && value !== ''
}

/**
 * The address as one text for `address.formatted`, a line per part as an envelope has them. Postal
 * conventions differ by country (postal code before or after the town); this follows the most common
 * one, and apps that care have the parts.
 */
function formattedAddress(address: Record<string, string>): string {
  const town = [address.postal_code, address.locality].filter(Boolean).join(' ')
  return [address.street_address, town, address.region, address.country].filter(Boolean).join('\n')
}

import type { Account } from '../accounts/accountStore.ts'

/**
 * Every claim an account can release. oidc-provider keeps only those the granted scopes cover (see
 * SCOPE_CLAIMS), and replaces `sub` with the app's pairwise subject.
 *
 * A claim the person has not filled in is left out, never sent empty, and so is an `address` with no
 * part filled in. `email_verified` and `phone_number_verified` are `false` (this provider verifies
 * neither) and come only with the value they qualify. `updated_at` (seconds since the epoch of the
 * last profile change) comes only with at least one other `profile` claim: alone it would tell the app
 * nothing about the person but when they signed up.
 */
export function accountClaims(account: Account, issuer: string): Record<string, unknown> {
  const profile = filledIn({
    name: account.name,
    given_name: account.given_name,
    family_name: account.family_name,
    birthdate: account.birthdate,
    gender: account.gender,
    locale: account.locale,
    zoneinfo: account.zoneinfo,
    website: account.website,
  })
  const address = filledIn({
    street_address: account.address_street,
    locality: account.address_locality,
    region: account.address_region,
    postal_code: account.address_postal_code,
    country: account.address_country,
  })
  const updatedAt = Date.parse(account.profile_updated_at ?? account.created_at)
  return {
    sub: account.id,
    nickname: account.username,
    preferred_username: account.username,
    picture: `${issuer}/avatars/${account.avatar}.svg`,
    ...(isFilledIn(account.email) ? { email: account.email, email_verified: false } : {}),
    ...(isFilledIn(account.phone_number)
      ? { phone_number: account.phone_number, phone_number_verified: false }
      : {}),
    ...profile,
    ...(Object.keys(profile).length > 0 ? { updated_at: Math.floor(updatedAt / 1000) } : {}),
    ...(Object.keys(address).length > 0
      ? { address: { formatted: formattedAddress(address), ...address } }
      : {}),
  }
}

function isFilledIn(value: string | null): value is string {
  return value !== null && value !== ''
}

/** The entries of `values` that have a value. */
function filledIn(values: Record<string, string | null>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, string] => isFilledIn(entry[1])),
  )
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

import { CLAIMED_FIELDS, type ProfileScope } from '../profile/profileFields.ts'

/** The claims of the profile fields `scope` shares, in form order, each with its verified flag. */
function fieldClaims(scope: ProfileScope): string[] {
  return CLAIMED_FIELDS.filter((field) => field.scope === scope).flatMap((field) =>
    field.verifiedClaim === undefined ? [field.claim] : [field.claim, field.verifiedClaim],
  )
}

/**
 * Passwordless.ID's scopes and the claims each one releases, in the order consent pages list them:
 * the profile fields' claims, and the claims that are no field of their own. oidc-provider's `claims`
 * configuration, and so discovery's `claims_supported`, is derived from this.
 */
export const SCOPE_CLAIMS = {
  openid: ['sub'],
  // Passwordless.ID sends the username as `nickname` too.
  avatar: ['nickname', ...fieldClaims('avatar')],
  email: fieldClaims('email'),
  phone: fieldClaims('phone'),
  // When the profile last changed.
  profile: [...fieldClaims('profile'), 'updated_at'],
  // One claim made of the address fields.
  address: ['address'],
} as const satisfies Record<'openid' | ProfileScope, readonly string[]>

/** A scope this provider knows. */
export type Scope = keyof typeof SCOPE_CLAIMS

/** Every scope, in the order consent pages list them. */
export const SCOPES = Object.keys(SCOPE_CLAIMS) as Scope[]

/** What each scope shares, in the plain words of the consent page. */
export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  openid: 'Know that it is you when you come back (a private identifier made for this app only)',
  avatar: 'See your username and your avatar picture',
  email: 'See your email address, and whether it is verified',
  phone: 'See your phone number (this provider has not verified it)',
  profile: 'See your name, birthdate, gender, language, time zone and website',
  address: 'See your postal address',
}

/** Whether `value` is a scope this provider knows. */
export function isScope(value: string): value is Scope {
  return Object.hasOwn(SCOPE_CLAIMS, value)
}

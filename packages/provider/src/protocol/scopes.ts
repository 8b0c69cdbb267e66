/**
 * Passwordless.ID's scopes and the claims each one releases, in the order consent pages list them.
 * oidc-provider's `claims` configuration, and so discovery's `claims_supported`, is derived from this.
 */
export const SCOPE_CLAIMS = {
  openid: ['sub'],
  avatar: ['nickname', 'preferred_username', 'picture'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  profile: [
    'name',
    'given_name',
    'family_name',
    'birthdate',
    'gender',
    'locale',
    'zoneinfo',
    'website',
    'updated_at',
  ],
  address: ['address'],
} as const satisfies Record<string, readonly string[]>

/** A scope this provider knows. */
export type Scope = keyof typeof SCOPE_CLAIMS

/** Every scope, in the order consent pages list them. */
export const SCOPES = Object.keys(SCOPE_CLAIMS) as Scope[]

/** What each scope shares, in the plain words of the consent page. */
export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  openid: 'Know that it is you when you come back (a private identifier made for this app only)',
  avatar: 'See your username and your avatar picture',
  email: 'See your email address (this provider has not verified it)',
  phone: 'See your phone number (this provider has not verified it)',
  profile: 'See your name, birthdate, gender, language, time zone and website',
  address: 'See your postal address',
}

/** Whether `value` is a scope this provider knows. */
export function isScope(value: string): value is Scope {
  return Object.hasOwn(SCOPE_CLAIMS, value)
}

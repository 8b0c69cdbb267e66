/**
 * Passwordless.ID's scopes and the claims each one releases. `phone`, `profile` and `address` are not
 * offered until the account model holds what they share.
 */
export const SCOPE_CLAIMS = {
  openid: ['sub'],
  avatar: ['nickname', 'preferred_username', 'picture'],
  email: ['email', 'email_verified'],
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
}

/** Whether `value` is a scope this provider knows. */
export function isScope(value: string): value is Scope {
  return Object.hasOwn(SCOPE_CLAIMS, value)
}

import type { Account } from '../accounts/accountStore.ts'

/**
 * Every claim an account can release. oidc-provider keeps only those the granted scopes cover, and
 * replaces `sub` with the app's pairwise subject. Claims without a value are left out, never empty.
 */
export function accountClaims(account: Account, issuer: string): Record<string, unknown> {
  return {
    sub: account.id,
    nickname: account.username,
    preferred_username: account.username,
    picture: `${issuer}/avatars/${account.avatar}.svg`,
    ...(account.email === null ? {} : { email: account.email, email_verified: false }),
  }
}

import type { Kysely } from 'kysely'
import type { ProviderDatabase } from '../store/schema.ts'
import { printable } from './printable.ts'
import { utcSeconds } from './utcSeconds.ts'

/** Accounts read per query: the listing's memory stays bounded however many there are. */
const PAGE_ROWS = 500

/** The width of the username column: the longest username the sign-up form accepts. */
const USERNAME_WIDTH = 30

/**
 * `accounts list`: one line per account, oldest first (username, created, passkeys, whether its email
 * is verified, whether it is disabled), under a header, read page by page so that a database of millions lists in bounded
 * memory. Prints no secret: no passkey key, token or address beyond whether there is one. Returns the
 * number of accounts listed.
 */
export async function listAccounts(
  db: Kysely<ProviderDatabase>,
  print: (line: string) => void,
): Promise<number> {
  print(row('USERNAME', 'CREATED', 'PASSKEYS', 'EMAIL', 'DISABLED'))
  let after: { created_at: string; id: string } | undefined
  let listed = 0
  for (;;) {
    let query = db
      .selectFrom('accounts')
      .select(['id', 'username', 'created_at', 'email', 'email_verified_at', 'disabled_at'])
      .select((eb) =>
        eb
          .selectFrom('passkeys')
          .select((count) => count.fn.countAll<number>().as('n'))
          .whereRef('passkeys.account_id', '=', 'accounts.id')
          .as('passkeys'),
      )
      .orderBy('created_at')
      .orderBy('id')
      .limit(PAGE_ROWS)
    if (after !== undefined) {
      const { created_at, id } = after
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '>', created_at),
          eb.and([eb('created_at', '=', created_at), eb('id', '>', id)]),
        ]),
      )
    }
    const accounts = await query.execute()
    for (const account of accounts) {
      print(
        row(
          printable(account.username),
          utcSeconds(account.created_at),
          String(Number(account.passkeys ?? 0)),
          emailStatus(account),
          account.disabled_at === null ? 'no' : `since ${utcSeconds(account.disabled_at)}`,
        ),
      )
    }
    listed += accounts.length
    const last = accounts.at(-1)
    if (last === undefined || accounts.length < PAGE_ROWS) return listed
    after = last
  }
}

function row(
  username: string,
  created: string,
  passkeys: string,
  email: string,
  disabled: string,
): string {
  return [
    username.padEnd(USERNAME_WIDTH),
    created.padEnd(20),
    passkeys.padStart(8),
    email.padEnd(10),
    disabled,
  ].join('  ')
}

/** Whether the account has an email address, and whether it was verified: never the address. */
function emailStatus(account: { email: string | null; email_verified_at: string | null }): string {
  if (account.email === null || account.email === '') return 'none'
  return account.email_verified_at === null ? 'unverified' : 'verified'
}

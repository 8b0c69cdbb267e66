import type { Kysely } from 'kysely'
import type { Account, AccountStore } from '../accounts/accountStore.ts'
import { verifiedEmailKey } from '../accounts/emailVerification.ts'
import type { RecoveryLinks } from '../accounts/recoveryLinks.ts'
import { recoveryLinkUrl } from '../accounts/recoveryLinkUrl.ts'
import { ProviderError } from '../errors/ProviderError.ts'
import { type EventSource, recordSecurityEvent } from '../events/recordSecurityEvent.ts'
import type { Limiter } from '../limits/createLimiter.ts'
import { ACCOUNT_MAILS } from '../mail/accountMails.ts'
import type { Mailer } from '../mail/createMailer.ts'
import type { ProviderDatabase } from '../store/schema.ts'

/** What sending a recovery link needs. */
export interface RecoveryMailContext {
  db: Kysely<ProviderDatabase>
  accounts: AccountStore
  links: RecoveryLinks
  limiter: Limiter
  mailer: Mailer
  issuer: string
}

/**
 * Does what `Send recovery link` asked, once the person has had the answer, which is the same
 * whatever happens here: finds the account by its username or its verified address (`name`, trimmed
 * and checked for form already), and, if it has a verified address, is enabled and has had no link
 * in the last `recoveryMails` window, mails a new link there and records `recovery_requested`. Every
 * other outcome (no such account, no verified address, disabled, limited, mail down) sends nothing.
 * Each outcome is one log line (`event: 'recovery'`, a warning when mail failed), without the name
 * or the link. Never throws.
 */
export async function sendRecoveryLink(
  context: RecoveryMailContext,
  source: EventSource,
  name: string,
): Promise<void> {
  const log = (outcome: string, account?: string) =>
    source.log.info({ event: 'recovery', outcome, account }, `recovery request: ${outcome}`)
  try {
    const account = await findAccount(context, name)
    if (account === undefined) return log('no such account: nothing sent')
    if (account.disabled_at !== null) return log('account disabled: nothing sent', account.id)
    if (account.email === null || account.email_verified_at === null)
      return log('no verified email address: nothing sent', account.id)
    try {
      await context.limiter.take('recoveryMails', account.id)
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error
      return log('a link was mailed recently: nothing sent', account.id)
    }
    try {
      const { token } = await context.links.issue(account.id, account.email)
      await context.mailer.send(
        ACCOUNT_MAILS.recoveryLink(
          { issuer: context.issuer },
          account.email,
          account.username,
          recoveryLinkUrl(context.issuer, token),
        ),
      )
    } catch (error) {
      // No link reached the owner, so the count is given back: the quota's promise is that a
      // refused owner has a working link in their mailbox. A link issued but not mailed stays, and
      // expires unused: nobody has it.
      await context.limiter.count('recoveryMails', account.id, -1)
      source.log.warn(
        { err: error, event: 'mail', account: account.id },
        'a recovery link could not be made or mailed',
      )
      return
    }
    await recordSecurityEvent(context.db, source, {
      kind: 'recovery_requested',
      account: account.id,
    })
    log('link mailed', account.id)
  } catch (error) {
    source.log.error({ err: error, event: 'recovery' }, 'a recovery request failed')
  }
}

/**
 * The account named: an address finds only the account that verified it (usernames hold no `@`),
 * a username any account, in any letter case.
 */
async function findAccount(
  context: RecoveryMailContext,
  name: string,
): Promise<Account | undefined> {
  if (!name.includes('@')) return context.accounts.findByUsername(name)
  return context.db
    .selectFrom('accounts')
    .selectAll()
    .where('verified_email_key', '=', verifiedEmailKey(name))
    .executeTakeFirst()
}

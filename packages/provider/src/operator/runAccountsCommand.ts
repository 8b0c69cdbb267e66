import { safeLogSerializers } from '@passkey-id/runtime'
import { createSecretBox, getOrCreateSecret } from '@passkey-id/store'
import type { Kysely } from 'kysely'
import type { Account } from '../accounts/accountStore.ts'
import { createAccountStore } from '../accounts/accountStore.ts'
import { createRecoveryLinks } from '../accounts/recoveryLinks.ts'
import { recoveryLinkUrl } from '../accounts/recoveryLinkUrl.ts'
import type { ProviderConfig } from '../config.ts'
import {
  type EventSource,
  recordSecurityEvent,
  type SecurityEventKind,
} from '../events/recordSecurityEvent.ts'
import { createConsentStore } from '../oidc/consent/consentStore.ts'
import { deleteAccount } from '../oidc/deleteAccount.ts'
import { setAccountDisabled } from '../oidc/setAccountDisabled.ts'
import { createPasskeyStore } from '../passkeys/passkeyStore.ts'
import { openProviderStore } from '../store/openProviderStore.ts'
import type { ProviderDatabase } from '../store/schema.ts'
import { listAccounts } from './listAccounts.ts'
import { printable } from './printable.ts'
import { showAccount } from './showAccount.ts'
import { utcSeconds } from './utcSeconds.ts'

const USAGE = `usage: passkey-id-provider accounts <command>
  list                      every account: username, created, passkeys, email, disabled
  show <username>           one account: its profile, passkeys, apps and recent security events
  disable <username>        ends its sessions and the tokens apps hold, and refuses its sign-ins
                            until enabled; deletes nothing
  enable <username>         undoes disable: it signs in again, same apps and consents
  delete <username> --yes   deletes the account, its passkeys, consents and tokens, for good;
                            without --yes it prints what would go and deletes nothing (exit 2)
  recovery-link <username>  prints a one-time link that creates a new passkey for the account and
                            signs its owner in (15 minutes); for RECOVERY=admin or email
exit codes: 0 done, 1 no such account, 2 bad arguments, delete without --yes, or a recovery link
refused (RECOVERY=off, a disabled account)`

/** Where an operator's events come from, in the log line and on the account's Recent activity. */
const OPERATOR_SOURCE = 'the command line'

/** The commands that name one account, and whether they take options. */
const ACCOUNT_COMMANDS = new Set(['show', 'disable', 'enable', 'delete', 'recovery-link'])

/**
 * `accounts ...` on the command line: the operator's view of the accounts and the four things only
 * an operator does to one: disable it, enable it again, delete it, make it a recovery link. Usernames are matched in any
 * letter case, as at sign-up. Every change is a security event: a log line on stderr (at LOG_LEVEL)
 * and, for disable, enable and recovery-link, a row the account's owner sees. Nothing printed is a
 * secret, but the recovery link, which the operator hands over. Returns the exit code: 0 done, 1 no
 * such account, 2 bad arguments (usage printed), a delete without `--yes`, or a recovery link refused.
 */
export async function runAccountsCommand(
  args: readonly string[],
  config: Pick<
    ProviderConfig,
    'databaseUrl' | 'publicUrl' | 'logLevel' | 'recovery' | 'encryptionKeys'
  >,
  print: (line: string) => void = console.log,
): Promise<number> {
  const [command, ...rest] = args
  const yes = rest.includes('--yes')
  const operands = rest.filter((arg) => arg !== '--yes')
  const wantsHelp =
    command === undefined || command === 'help' || args.includes('--help') || args.includes('-h')
  const valid =
    (command === 'list' && rest.length === 0) ||
    (command !== undefined &&
      ACCOUNT_COMMANDS.has(command) &&
      operands.length === 1 &&
      (command === 'delete' || !yes))
  if (wantsHelp || !valid) {
    print(USAGE)
    return wantsHelp ? 0 : 2
  }
  const db = await openProviderStore(config.databaseUrl)
  try {
    if (command === 'list') {
      await listAccounts(db, print)
      return 0
    }
    const username = String(operands[0])
    const account = await createAccountStore(db).findByUsername(username)
    if (account === undefined) {
      print(`there is no account named ${JSON.stringify(printable(username))}`)
      return 1
    }
    const name = printable(account.username)
    if (command === 'show') {
      await showAccount(
        account,
        {
          db,
          passkeys: createPasskeyStore(db),
          consents: createConsentStore(db),
          issuer: config.publicUrl,
        },
        print,
      )
      return 0
    }
    if (command === 'delete') return await deleteByOperator(db, account, yes, config, print)
    if (command === 'recovery-link') return await makeRecoveryLink(db, account, config, print)
    const disable = command === 'disable'
    if (!(await setAccountDisabled(db, account.id, disable))) {
      print(
        disable
          ? `${name} is already disabled (since ${utcSeconds(String(account.disabled_at))}); its sessions are ended`
          : `${name} is not disabled: nothing to do`,
      )
      return 0
    }
    await record(db, config, disable ? 'account_disabled' : 'account_enabled', account.id)
    print(
      disable
        ? `disabled ${name}: its sessions and apps' tokens are ended, its sign-ins refused; \`accounts enable ${name}\` undoes it`
        : `enabled ${name}: it can sign in again, with the same apps and consents`,
    )
    return 0
  } finally {
    await db.destroy()
  }
}

/** `delete`: with `--yes` the account goes; without, what would go is printed and nothing changes. */
async function deleteByOperator(
  db: Kysely<ProviderDatabase>,
  account: Account,
  yes: boolean,
  config: Pick<ProviderConfig, 'logLevel'>,
  print: (line: string) => void,
): Promise<number> {
  const name = printable(account.username)
  const [passkeys, apps] = await Promise.all([
    createPasskeyStore(db).list(account.id),
    createConsentStore(db).list(account.id),
  ])
  const what = `${name}: its profile, ${count(passkeys.length, 'passkey')} and the access of ${count(apps.length, 'app')} (their tokens stop working at once)`
  if (!yes) {
    print(`would delete ${what}`)
    print(`nothing was deleted: run \`accounts delete ${name} --yes\` to delete it for good`)
    return 2
  }
  await deleteAccount(db, account.id)
  await record(db, config, 'account_deleted_by_operator', account.id)
  print(`deleted ${what}`)
  return 0
}

/**
 * `recovery-link`: a one-time link for the operator to hand to the account's owner, who has no
 * verified address to mail one to (RECOVERY=admin), or whose mail does not arrive. It works as a
 * mailed one does (the server's page and its checks), bound to no address. Refused with
 * RECOVERY=off, and for a disabled account (whose link would be refused anyway).
 */
async function makeRecoveryLink(
  db: Kysely<ProviderDatabase>,
  account: Account,
  config: Pick<ProviderConfig, 'publicUrl' | 'logLevel' | 'recovery' | 'encryptionKeys'>,
  print: (line: string) => void,
): Promise<number> {
  const name = printable(account.username)
  if (config.recovery === 'off') {
    print('account recovery is off (RECOVERY=off): no link was made. Set RECOVERY=admin or email.')
    return 2
  }
  if (account.disabled_at !== null) {
    print(`${name} is disabled: no link was made. \`accounts enable ${name}\` first.`)
    return 2
  }
  const key = await getOrCreateSecret(
    db,
    'secrets',
    'recovery-link-key',
    createSecretBox(config.encryptionKeys),
  )
  const { token, expiresAt } = await createRecoveryLinks(db, key).issue(account.id, null)
  await record(db, config, 'recovery_link_issued', account.id)
  print(`one-time recovery link for ${name}, valid until ${utcSeconds(expiresAt)}:`)
  print(recoveryLinkUrl(config.publicUrl, token))
  print(
    'Hand it to the account’s owner yourself, over a channel where you know it is them: whoever opens it can add a passkey to the account. It works once; a new link does not end this one.',
  )
  return 0
}

/** Records what the operator did, as the server records what people do. */
async function record(
  db: Kysely<ProviderDatabase>,
  config: Pick<ProviderConfig, 'logLevel'>,
  kind: SecurityEventKind,
  account: string,
): Promise<void> {
  await recordSecurityEvent(db, await operatorSource(config), { kind, account })
}

/** The operator's events log as the server's do: pino's JSON lines, here on stderr. */
async function operatorSource(config: Pick<ProviderConfig, 'logLevel'>): Promise<EventSource> {
  const { pino } = await import('pino')
  const log = pino(
    { level: config.logLevel, serializers: safeLogSerializers },
    pino.destination({ dest: 2, sync: true }),
  )
  return { ip: OPERATOR_SOURCE, log }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

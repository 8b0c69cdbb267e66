import type { Kysely } from 'kysely'
import type { Account } from '../accounts/accountStore.ts'
import { listSecurityEvents } from '../events/listSecurityEvents.ts'
import type { ConsentStore } from '../oidc/consent/consentStore.ts'
import { passkeyLabel } from '../passkeys/passkeyLabel.ts'
import type { PasskeyStore } from '../passkeys/passkeyStore.ts'
import { PROFILE_FIELDS } from '../profile/profileFields.ts'
import type { ProviderDatabase } from '../store/schema.ts'
import { printable } from './printable.ts'
import { utcSeconds } from './utcSeconds.ts'

/** How many of the account's security events `accounts show` prints: as many as its page shows. */
const RECENT_EVENTS = 20

/** Fields `accounts show` prints on lines of their own rather than among the profile's. */
const OWN_LINES = new Set(['username', 'email', 'avatar'])

/** What `showAccount` reads besides the account. */
export interface ShowAccountStores {
  db: Kysely<ProviderDatabase>
  passkeys: PasskeyStore
  consents: ConsentStore
  /** The provider's issuer: the account page's own consent is named as such. */
  issuer: string
}

/**
 * `accounts show <username>`: what an operator needs to answer a person who writes in: the account's
 * state and profile, its passkeys (name, created, last used), the apps it allowed and its recent
 * security events, newest first. Never a secret: no passkey public key, credential ID, token, session
 * or user handle; the account's internal id only, to find it in the logs.
 */
export async function showAccount(
  account: Account,
  stores: ShowAccountStores,
  print: (line: string) => void,
): Promise<void> {
  const [passkeys, apps, events] = await Promise.all([
    stores.passkeys.list(account.id),
    stores.consents.list(account.id),
    listSecurityEvents(stores.db, account.id, RECENT_EVENTS),
  ])
  print(`account ${printable(account.username)}`)
  print(`  id        ${account.id}`)
  print(`  created   ${utcSeconds(account.created_at)}`)
  print(
    `  status    ${account.disabled_at === null ? 'enabled' : `disabled since ${utcSeconds(account.disabled_at)}`}`,
  )
  const verified = account.email_verified_at === null ? 'not verified' : 'verified'
  print(
    `  email     ${account.email === null ? 'none' : `${printable(account.email)} (${verified})`}`,
  )
  for (const field of PROFILE_FIELDS) {
    const value = account[field]
    if (OWN_LINES.has(field) || value === null) continue
    print(`  ${field.padEnd(9)} ${printable(value)}`)
  }
  print(`passkeys (${passkeys.length})`)
  passkeys.forEach((passkey, index) => {
    const used =
      passkey.last_used_at === null ? 'never used' : `last used ${utcSeconds(passkey.last_used_at)}`
    const synced = passkey.backed_up === 1 ? 'synced' : 'on one device'
    print(
      `  ${printable(passkeyLabel(passkey, index))}: created ${utcSeconds(passkey.created_at)}, ${used}, ${synced}`,
    )
  })
  print(`apps (${apps.length})`)
  for (const app of apps) {
    const which = app.clientId === stores.issuer ? ' (the account page)' : ''
    print(
      `  ${printable(app.clientId)}${which}: allowed ${utcSeconds(app.approvedAt)}, ${app.scopes.join(' ')}`,
    )
  }
  print(`recent security events (${events.length}, newest first)`)
  for (const event of events) {
    const app = event.clientId === null ? '' : ` via ${printable(event.clientId)}`
    print(`  ${utcSeconds(event.at)} ${event.kind} from ${printable(event.ip)}${app}`)
  }
}

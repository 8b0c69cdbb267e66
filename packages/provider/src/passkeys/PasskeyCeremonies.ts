import type { Kysely } from 'kysely'
import type { AccountStore } from '../accounts/accountStore.ts'
import type { ProviderDatabase } from '../store/schema.ts'
import type { PasskeyStore } from './passkeyStore.ts'

/** What the passkey ceremonies need: storage, and the relying party that passkeys are bound to. */
export interface PasskeyContext {
  db: Kysely<ProviderDatabase>
  accounts: AccountStore
  passkeys: PasskeyStore
  /** WebAuthn relying-party ID (a domain). */
  rpId: string
  /** Shown by the authenticator when a passkey is created. */
  rpName: string
  /** The provider's origin: the only page origin a passkey answer may come from. */
  origin: string
}

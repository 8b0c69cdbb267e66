import type { StoredPasskey } from './passkeyStore.ts'

/**
 * What a passkey is called where it is listed (the account page, the operator's `accounts show`):
 * its name, else "Passkey N" by its place in the account's list, oldest first, so that every
 * passkey has a label a person can tell apart and find in both.
 */
export function passkeyLabel(passkey: Pick<StoredPasskey, 'name'>, index: number): string {
  return passkey.name ?? `Passkey ${index + 1}`
}

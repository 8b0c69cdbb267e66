import { readFileSync, statSync } from 'node:fs'
import { type PasskeyProviderList, readPasskeyProviderList } from './readPasskeyProviderList.ts'

/** The copy of the community list shipped with the provider; `npm run refresh-aaguids` renews it. */
export const PASSKEY_PROVIDER_LIST_FILE = new URL(
  '../../aaguids/combined_aaguid.json',
  import.meta.url,
)

/** The largest list file read: the full list with the FIDO Metadata Service's PNGs is a few MiB. */
const FILE_MAX_BYTES = 16 * 1024 * 1024

let shipped: PasskeyProviderList | undefined

/**
 * The passkey provider list shipped with the provider (packages/provider/aaguids), read and checked
 * by `readPasskeyProviderList` once, on first use: the provider's start reads it, so a broken copy
 * stops the start instead of the first account page.
 */
export function passkeyProviderList(): PasskeyProviderList {
  if (shipped === undefined) {
    const { size } = statSync(PASSKEY_PROVIDER_LIST_FILE)
    if (size > FILE_MAX_BYTES) {
      throw new Error(
        `${PASSKEY_PROVIDER_LIST_FILE.pathname} is ${size} bytes, more than ${FILE_MAX_BYTES}`,
      )
    }
    shipped = readPasskeyProviderList(readFileSync(PASSKEY_PROVIDER_LIST_FILE, 'utf8'))
  }
  return shipped
}

import { authenticatorMetadata } from '@passwordless-id/webauthn/dist/esm/authenticatorMetadata.js'
import { passkeyProviderList } from './passkeyProviderList.ts'
import type { PasskeyProviderList } from './readPasskeyProviderList.ts'

/** The AAGUID of an authenticator that does not say what it is (most security keys without attestation). */
const NO_AAGUID = '00000000-0000-0000-0000-000000000000'

/**
 * The name of the passkey provider behind an AAGUID ("iCloud Keychain", "Google Password Manager",
 * "1Password", a security key's model), which a new passkey is called until its owner renames it:
 * people recognise where a passkey lives by its provider, not by "Passkey 2".
 *
 * The name comes from `list`, by default the community list of passkey providers
 * (passkeydeveloper/passkey-authenticator-aaguids) shipped in packages/provider/aaguids, which also
 * has the icons; an AAGUID it lacks is looked up in the same list combined with the FIDO Metadata
 * Service as the `@passwordless-id/webauthn` package ships it (names only), which `npm update`
 * refreshes where `npm run refresh-aaguids` cannot reach the community list. An AAGUID neither
 * knows, or the all-zero one, gives `undefined`, and the passkey keeps the default label. A name
 * longer than `maxLength` (what the account page accepts for a passkey's name) is shortened to fit,
 * so its rename field holds it.
 */
export function passkeyProviderName(
  aaguid: string,
  maxLength: number,
  list: PasskeyProviderList = passkeyProviderList(),
): string | undefined {
  const key = aaguid.toLowerCase()
  if (key === NO_AAGUID) return undefined
  const fromPackage = Object.hasOwn(authenticatorMetadata, key)
    ? String(authenticatorMetadata[key]).trim()
    : ''
  const name = list.get(key)?.name ?? fromPackage
  if (name === '') return undefined
  return name.length <= maxLength ? name : `${name.slice(0, maxLength - 1).trimEnd()}…`
}

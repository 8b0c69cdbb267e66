import { decodeProviderIcon, type ProviderIcon } from './decodeProviderIcon.ts'

/** A passkey provider as the list names it, with the icons that passed `decodeProviderIcon`. */
export interface PasskeyProvider {
  name: string
  /** For light backgrounds (`icon_light`). */
  light?: ProviderIcon
  /** For dark backgrounds (`icon_dark`). */
  dark?: ProviderIcon
}

/** Passkey providers by AAGUID, lowercase. */
export type PasskeyProviderList = ReadonlyMap<string, PasskeyProvider>

/**
 * More entries than the list will have for years (the community list with the FIDO Metadata Service
 * has about 300): a bound on what a start reads and holds.
 */
export const PASSKEY_PROVIDER_LIST_MAX_ENTRIES = 5000

const AAGUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const NO_AAGUID = '00000000-0000-0000-0000-000000000000'
/** Longer than any provider's or model's name; a longer one is a mistake in the list. */
const NAME_MAX_LENGTH = 200

/**
 * The community list of passkey providers (passkeydeveloper/passkey-authenticator-aaguids,
 * `combined_aaguid.json`: `{ "<aaguid>": { "name", "icon_light"?, "icon_dark"? } }`) read from its
 * JSON text and checked entry by entry: an entry whose key is not an AAGUID or whose name is not a
 * plain line of text is left out, and an icon that is not a bounded SVG or PNG data: URI is dropped
 * while the name stays. Text that is not such an object, or has more than
 * `PASSKEY_PROVIDER_LIST_MAX_ENTRIES` entries, is refused with an Error saying why.
 */
export function readPasskeyProviderList(text: string): PasskeyProviderList {
  const parsed: unknown = JSON.parse(text)
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('the passkey provider list is not a JSON object of AAGUIDs')
  }
  const entries = Object.entries(parsed)
  if (entries.length > PASSKEY_PROVIDER_LIST_MAX_ENTRIES) {
    throw new Error(
      `the passkey provider list has ${entries.length} entries, more than ${PASSKEY_PROVIDER_LIST_MAX_ENTRIES}`,
    )
  }
  const list = new Map<string, PasskeyProvider>()
  for (const [key, entry] of entries) {
    const aaguid = key.toLowerCase()
    if (!AAGUID.test(aaguid) || aaguid === NO_AAGUID) continue
    if (typeof entry !== 'object' || entry === null) continue
    const { name, icon_light: light, icon_dark: dark } = entry as Record<string, unknown>
    if (typeof name !== 'string') continue
    const trimmed = name.trim()
    // Control, format and separator characters would hide or reorder what the page shows.
    if (
      trimmed === '' ||
      trimmed.length > NAME_MAX_LENGTH ||
      /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(trimmed)
    ) {
      continue
    }
    const provider: PasskeyProvider = { name: trimmed }
    const lightIcon = decodeProviderIcon(light)
    const darkIcon = decodeProviderIcon(dark)
    if (lightIcon !== undefined) provider.light = lightIcon
    if (darkIcon !== undefined) provider.dark = darkIcon
    list.set(aaguid, provider)
  }
  return list
}

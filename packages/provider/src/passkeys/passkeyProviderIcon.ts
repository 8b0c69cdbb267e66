import type { ProviderIcon } from './decodeProviderIcon.ts'
import type { PasskeyProviderList } from './readPasskeyProviderList.ts'

/** Which of a provider's icons: for a light page or a dark one (`prefers-color-scheme`). */
export type IconTheme = 'light' | 'dark'

/**
 * The icon of the passkey provider behind `aaguid` for a page of `theme`, looked up when the page
 * is drawn (icons are never stored with the passkey, so a refreshed list shows at once). A provider
 * with one icon only has it for both themes; an unknown AAGUID, or a provider without a usable
 * icon, gives `undefined`.
 */
export function passkeyProviderIcon(
  list: PasskeyProviderList,
  aaguid: string,
  theme: IconTheme,
): ProviderIcon | undefined {
  const provider = list.get(aaguid.toLowerCase())
  if (provider === undefined) return undefined
  return theme === 'dark' ? (provider.dark ?? provider.light) : (provider.light ?? provider.dark)
}

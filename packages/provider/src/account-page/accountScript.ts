import type { BrowserScript } from '../ui/buildBrowserScripts.ts'

/** The account page's script: adding a passkey. */
export const accountScript = {
  name: 'account',
  entry: new URL('./browser/account.ts', import.meta.url),
} as const satisfies BrowserScript

import type { BrowserScript } from '../ui/buildBrowserScripts.ts'

/** The recovery link page's script: reads the link's token and creates the new passkey. */
export const recoveryScript = {
  name: 'recovery',
  entry: new URL('./browser/recovery.ts', import.meta.url),
} as const satisfies BrowserScript

import type { BrowserScript } from '../ui/buildBrowserScripts.ts'

/** The sign-in page's script: passkey sign-in and sign-up. */
export const interactionScript = {
  name: 'interaction',
  entry: new URL('./browser/interaction.ts', import.meta.url),
} as const satisfies BrowserScript

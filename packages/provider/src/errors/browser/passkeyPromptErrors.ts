/**
 * What the pages' scripts tell a person when a passkey step fails in the browser, before the
 * provider has answered: the browser's prompt was cancelled or refused, or the provider could not
 * be reached. The part of the error catalogue that runs in the browser, kept apart from
 * `ERROR_CATALOGUE` so that the page scripts do not carry the server's table.
 */
export const PASSKEY_PROMPT_ERRORS = {
  cancelled: 'The passkey request was cancelled or timed out. Try again when you are ready.',
  alreadyOnDevice:
    'This device already holds a passkey for this account. Sign in with it, or use another device.',
  unsupportedDevice:
    'This device cannot make a passkey that checks it is you (with a screen lock, PIN, fingerprint or face). Use another device or passkey manager.',
  unreachable: 'The provider could not be reached. Check your connection and try again.',
  failed:
    'Your browser could not complete the passkey request. Try again; if it keeps failing, use another browser or device.',
} as const

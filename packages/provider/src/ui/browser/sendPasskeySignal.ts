/**
 * The WebAuthn Signal API (Chrome 132+, Safari 26): what a page tells the browser's passkey
 * manager about the passkeys the provider accepts, so it stops offering those that no longer sign
 * in, and shows the account's current name.
 */
export type PasskeySignal =
  | { name: 'signalUnknownCredential'; options: { rpId: string; credentialId: string } }
  | {
      name: 'signalAllAcceptedCredentials'
      options: { rpId: string; userId: string; allAcceptedCredentialIds: string[] }
    }
  | {
      name: 'signalCurrentUserDetails'
      options: { rpId: string; userId: string; name: string; displayName: string }
    }

/**
 * Sends `signal` where the browser has that function (feature-detected: other browsers do nothing),
 * and never fails: a signal is advice the passkey manager may ignore, so a refusal changes nothing
 * the person is doing. Says whether the browser took it.
 */
export async function sendPasskeySignal(signal: PasskeySignal): Promise<boolean> {
  const api = globalThis.PublicKeyCredential as unknown as
    | Partial<Record<PasskeySignal['name'], (options: PasskeySignal['options']) => Promise<void>>>
    | undefined
  const send = api?.[signal.name]
  if (typeof send !== 'function') return false
  try {
    await send.call(api, signal.options)
    return true
  } catch {
    return false
  }
}

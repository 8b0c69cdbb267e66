/**
 * The account page's script: "Add a passkey" needs it (a WebAuthn ceremony), and it tells the
 * browser's passkey manager what the page shows (see `passkeySignals`); everything else on the page
 * is a plain form. Bundled by esbuild with @simplewebauthn/browser. The "Account deleted" page loads
 * it too, for its signal.
 */
import { browserSupportsWebAuthn, startRegistration } from '@simplewebauthn/browser'
import { explainPasskeyError } from '../../ui/browser/explainPasskeyError.ts'
import { postJson } from '../../ui/browser/postJson.ts'
import { sendPasskeySignal } from '../../ui/browser/sendPasskeySignal.ts'

const button = document.getElementById('add-passkey') as HTMLButtonElement | null
const message = document.getElementById('passkey-message') as HTMLParagraphElement | null
const signals = document.getElementById('passkey-signals')

if (button !== null && message !== null) {
  button.addEventListener('click', async () => {
    message.textContent = ''
    button.disabled = true
    try {
      const optionsJSON = await postJson<Parameters<typeof startRegistration>[0]['optionsJSON']>(
        '/account/passkeys/options',
        {},
      )
      const response = await startRegistration({ optionsJSON })
      await postJson('/account/passkeys', response)
      window.location.assign('/account?done=passkey-added#passkeys')
    } catch (error) {
      message.textContent = explainPasskeyError(error).text
      button.disabled = false
    }
  })
  if (browserSupportsWebAuthn()) button.disabled = false
  else
    message.textContent =
      'This browser cannot make passkeys. Open this page in a current browser such as Chrome, Safari, Firefox or Edge to add one.'
}

if (signals !== null) {
  const { rpId = '', userId = '', credentialIds = '', name } = signals.dataset
  // A passkey removed here, elsewhere or with the account is no longer offered by the manager.
  void sendPasskeySignal({
    name: 'signalAllAcceptedCredentials',
    options: { rpId, userId, allAcceptedCredentialIds: credentialIds.split(' ').filter(Boolean) },
  })
  // Passkeys are made with the username as both name and display name (passkeyCreationOptions).
  if (name !== undefined)
    void sendPasskeySignal({
      name: 'signalCurrentUserDetails',
      options: { rpId, userId, name, displayName: name },
    })
}

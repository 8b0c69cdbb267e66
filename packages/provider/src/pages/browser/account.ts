/**
 * The account page's script: only "Add a passkey" needs it (a WebAuthn ceremony); everything else
 * on the page is a plain form. Bundled by esbuild with @simplewebauthn/browser.
 */
import { browserSupportsWebAuthn, startRegistration } from '@simplewebauthn/browser'
import { explainPasskeyError } from './explainPasskeyError.ts'
import { postJson } from './postJson.ts'

const button = document.getElementById('add-passkey') as HTMLButtonElement | null
const message = document.getElementById('passkey-message') as HTMLParagraphElement | null

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

/**
 * The recovery link page's script. The link's token is in the address's fragment, which the browser
 * never sends: the script reads it and posts it, so it stays out of every request line and log.
 * `Create a new passkey` first starts the account page's sign-in (`/recovery/sign-in`, followed to
 * its interaction), then creates the passkey within that interaction; the provider's answer sends
 * the browser back to the sign-in, which signs the person in and opens the account page. Bundled by
 * esbuild with @simplewebauthn/browser.
 */
import { browserSupportsWebAuthn, startRegistration } from '@simplewebauthn/browser'
import { explainPasskeyError } from '../../ui/browser/explainPasskeyError.ts'
import { postJson, ServerError } from '../../ui/browser/postJson.ts'
import { sendPasskeySignal } from '../../ui/browser/sendPasskeySignal.ts'

type CreationOptions = Parameters<typeof startRegistration>[0]['optionsJSON']

const button = document.getElementById('recover') as HTMLButtonElement | null
const message = document.getElementById('message') as HTMLParagraphElement | null

if (button !== null && message !== null) {
  const token = window.location.hash.slice(1)
  // Out of the address bar and the history as soon as it is read: a link that signs in should not
  // stay on the screen or in the history for whoever uses the device next (it is in the mail).
  if (token !== '') window.history.replaceState(null, '', window.location.pathname)
  button.addEventListener('click', async () => {
    message.textContent = ''
    button.disabled = true
    let made: { rpId: string; credentialId: string } | undefined
    try {
      const base = `/interaction/${encodeURIComponent(await startSignIn())}/recovery`
      const optionsJSON = await postJson<CreationOptions>(`${base}/options`, { token })
      const response = await startRegistration({ optionsJSON })
      made = { rpId: optionsJSON.rp.id ?? window.location.hostname, credentialId: response.id }
      const { redirectTo } = await postJson<{ redirectTo: string }>(base, { token, response })
      window.location.assign(redirectTo)
    } catch (error) {
      // The passkey was made but not kept (the link was used in another tab meanwhile): its
      // passkey manager should stop offering it.
      if (made !== undefined && error instanceof ServerError)
        void sendPasskeySignal({ name: 'signalUnknownCredential', options: made })
      message.textContent = explainPasskeyError(error).text
      button.disabled = false
    }
  })
  if (browserSupportsWebAuthn()) button.disabled = false
  else
    message.textContent =
      'This browser cannot make passkeys. Open the link in a current browser such as Chrome, Safari, Firefox or Edge.'
}

/**
 * Starts the account page's sign-in and follows it (same-origin redirects, cookies kept) to the
 * sign-in page of its interaction, whose id the recovery steps use. A refusal on the way (too many
 * sign-ins started) comes back as JSON with the provider's sentence.
 */
async function startSignIn(): Promise<string> {
  const response = await fetch('/recovery/sign-in', {
    headers: { accept: 'application/json' },
    credentials: 'same-origin',
  })
  if (!response.ok) {
    const data = (await response.json().catch(() => ({}))) as { message?: string }
    throw new ServerError(data.message ?? `The server answered ${response.status}. Try again.`)
  }
  await response.body?.cancel()
  const uid = /^\/interaction\/([\w-]+)$/.exec(new URL(response.url).pathname)?.[1]
  // Not seen in practice (prompt=login always leads to the sign-in page): the generic sentence.
  if (uid === undefined) throw new Error('the account page sign-in led to no interaction')
  return uid
}

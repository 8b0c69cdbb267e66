import { html } from '../ui/html.ts'
import { layout } from '../ui/layout.ts'
import { recoveryScript } from './recoveryScript.ts'

/**
 * What a recovery link opens (`GET /recovery/link`): only a page, with button `Create a new passkey`.
 * Opening it spends nothing, so a mail scanner that fetches links before the person does uses up
 * nothing; the button does the rest (recovery/browser/recovery.ts). The token is in the address's
 * fragment, which the server never sees: the page is the same for every link. The button starts
 * disabled and the script enables it.
 */
export function recoveryLinkPage(): string {
  return layout({
    title: 'Recover your account',
    script: recoveryScript,
    body: html`<h1>Recover your account</h1>
<p class="lead">Create a new passkey on this device. It is added to your account, and you are signed in: your apps, and what they may see, stay as they are.</p>
<p>Your device asks for your fingerprint, face, PIN or security key, as when you made your first passkey. The link works once.</p>
<button type="button" id="recover" class="primary" disabled>Create a new passkey</button>
<p id="message" class="message" role="alert" aria-live="assertive"></p>
<noscript><p class="message">Passkeys need JavaScript. Turn it on for this site, then reload the page.</p></noscript>
<p class="hint">Did not ask for this link? Close this page: nothing changes unless the button is pressed.</p>`,
  })
}

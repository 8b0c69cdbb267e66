import { html } from '../ui/html.ts'
import { layout } from '../ui/layout.ts'

/**
 * `GET /recovery`: field `Username or email` and button `Send recovery link`, a plain form that
 * needs no script. After a refused submission (an empty or malformed name, never an unknown one)
 * the name typed is kept and the problem shown by the field.
 */
export function recoveryRequestPage(view: { typed?: string; problem?: string } = {}): string {
  const { typed = '', problem } = view
  return layout({
    title: 'Lost your passkey?',
    body: html`<h1>Lost your passkey?</h1>
<p class="lead">If your account has an email address you verified, we can mail a link to it. The link lets you create a new passkey on the device you open it on, and signs you in: your apps, and what they may see, stay as they are.</p>
<form method="post" action="/recovery" novalidate>
<div class="field">
<label for="recovery-name">Username or email</label>
<input id="recovery-name" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="254" value="${typed}" aria-describedby="recovery-hint${problem === undefined ? '' : ' recovery-error'}"${problem === undefined ? '' : html` aria-invalid="true" autofocus`}>
<p class="hint" id="recovery-hint">Your username, or the email address you verified on your account.</p>
${problem === undefined ? '' : html`<p class="field-error" id="recovery-error" role="alert">${problem}</p>`}
</div>
<button type="submit" class="primary">Send recovery link</button>
</form>
<p class="hint">No verified email address? Ask the operator of this service for a recovery link.</p>
<p><a href="/account">Back to signing in</a></p>`,
  })
}

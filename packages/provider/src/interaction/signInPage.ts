import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server'
import { html } from '../ui/html.ts'
import { layout } from '../ui/layout.ts'
import { interactionScript } from './interactionScript.ts'

/**
 * The login prompt: sign in with an existing passkey, or create an account, whose passkey is made on
 * the spot. One Username field serves both: the browser lists the person's passkeys in its
 * suggestions (`autocomplete="username webauthn"`, which the script's conditional request fills),
 * and a new account takes the name typed there. The `Sign in with a passkey` button asks without a
 * username (the browser offers the passkeys it holds), for browsers without that autofill and for
 * people who never open the field. The buttons start disabled and the script enables them, so
 * nothing can be submitted before the passkey code is there to handle it.
 *
 * The form carries the sign-in's options (`startSignIn`'s, with its pending challenge) as JSON in an
 * attribute, so that a sign-in takes no request before the browser's prompt.
 */
export function signInPage(page: {
  interactionUid: string
  /** The options of the interaction's pending sign-in, if one may start. */
  signInOptions: PublicKeyCredentialRequestOptionsJSON | undefined
  clientId: string
  /** Whether the sign-in is for the provider's own account page rather than an app. */
  forAccountPage: boolean
  /** SIGNUPS: whether the sign-up form is offered. */
  signUps: 'open' | 'closed'
  /** RECOVERY: whether `Lost your passkey?` leads to self-service or operator recovery. */
  recovery: 'email' | 'admin' | 'off'
  /** Whether mail is on: a sign-up with an address is then offered to verify it (`verifyStep`). */
  mailEnabled: boolean
}): string {
  const open = page.signUps === 'open'
  return layout({
    title: 'Sign in',
    script: interactionScript,
    body: html`<p class="app">${page.forAccountPage ? 'Signing in to manage your passkey-id account' : html`Signing in to <strong class="origin">${page.clientId}</strong>`}</p>
<form id="sign-up" novalidate aria-labelledby="sign-in-heading" data-interaction-uid="${page.interactionUid}" data-sign-ups="${page.signUps}"${page.signInOptions === undefined ? '' : html` data-sign-in-options="${JSON.stringify(page.signInOptions)}"`}>
<h1 id="sign-in-heading">Sign in</h1>
<p>Use the passkey you made here before: choose it in the Username field's suggestions, or press the button. Your fingerprint, face or device PIN is all it takes.</p>
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username webauthn" autocapitalize="none" spellcheck="false" minlength="3" maxlength="30" aria-describedby="username-hint">
<p class="hint" id="username-hint">${open ? 'For a new account, choose one: 3 to 30 letters, digits, dots, dashes or underscores. Apps you allow can see it.' : 'Your passkeys for this site are offered here.'}</p>
<button type="button" id="sign-in" class="primary" disabled>Sign in with a passkey</button>
${page.recovery === 'off' ? '' : html`<p class="recovery"><a href="/recovery">Lost your passkey?</a></p>`}
${open ? signUpPart : ''}
</form>
${open ? '' : html`<p class="hint">New accounts are not created here: only existing accounts sign in.</p>`}
${open && page.mailEnabled ? verifyStep : ''}
<p id="message" class="message" role="alert" aria-live="assertive"></p>
<noscript><p class="message">Passkeys need JavaScript. Turn it on for this site, then reload the page.</p></noscript>`,
  })
}

/**
 * The sign-up part of the form, offered while SIGNUPS=open: it takes the Username typed above.
 * `Create account` is the form's only submit button, so Enter in either field creates the account.
 */
const signUpPart = html`<h2 id="sign-up-heading">New here? Create an account</h2>
<p class="hint">Type the username you want above; a passkey for it is made on this device.</p>
<label for="email">Email <span class="optional">(optional)</span></label>
<input id="email" name="email" type="email" autocomplete="email" maxlength="254" aria-describedby="email-hint">
<p class="hint" id="email-hint">Shared only with apps you allow to see it.</p>
<button type="submit" disabled>Create account</button>`

/**
 * The step after a sign-up with an email address, hidden until the script shows it in place of the
 * form (with the address): nothing is mailed until the person presses `Send verification code`, so
 * the sign-up form cannot make the provider mail an address someone typed. `Verify` sends the code
 * and, once it is right, the script continues to the app; `Continue without verifying` goes there at
 * once (the account page verifies the address later).
 */
const verifyStep = html`<section id="verify-email" hidden aria-labelledby="verify-heading">
<h1 id="verify-heading" tabindex="-1">Verify your email address</h1>
<p>Your account is created. To show apps that <strong id="verify-address"></strong> is yours, we can mail it a 6-digit code. You can also do this later on your account page.</p>
<button type="button" id="send-code" class="primary">Send verification code</button>
<p id="verify-status" class="notice" role="status"></p>
<form id="verify-code" novalidate hidden>
<label for="verification-code">Verification code</label>
<input id="verification-code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" aria-describedby="code-hint">
<p class="hint" id="code-hint">The 6 digits in the message we sent.</p>
<button type="submit" class="primary">Verify</button>
</form>
<button type="button" id="skip-verify">Continue without verifying</button>
</section>`

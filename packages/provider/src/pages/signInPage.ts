import { html } from './html.ts'
import { layout } from './layout.ts'

/**
 * The login prompt: sign in with an existing passkey (no username: the browser offers the passkeys it
 * holds) or create an account, whose passkey is made on the spot. The buttons start disabled and the
 * script enables them, so nothing can be submitted before the passkey code is there to handle it.
 */
export function signInPage(page: {
  interactionUid: string
  clientId: string
  /** Whether the sign-in is for the provider's own account page rather than an app. */
  forAccountPage: boolean
}): string {
  return layout({
    title: 'Sign in',
    script: 'interaction',
    body: html`<p class="app">${page.forAccountPage ? 'Signing in to manage your passkey-id account' : html`Signing in to <strong class="origin">${page.clientId}</strong>`}</p>
<section aria-labelledby="sign-in-heading" data-interaction-uid="${page.interactionUid}" id="interaction">
<h1 id="sign-in-heading">Sign in</h1>
<p>Use the passkey you made here before: your fingerprint, face or device PIN is all it takes.</p>
<button type="button" id="sign-in" class="primary" disabled>Sign in with a passkey</button>
</section>
<section aria-labelledby="sign-up-heading">
<h2 id="sign-up-heading">New here? Create an account</h2>
<form id="sign-up" novalidate>
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required minlength="3" maxlength="30" aria-describedby="username-hint">
<p class="hint" id="username-hint">3 to 30 letters, digits, dots, dashes or underscores. Apps you allow can see it.</p>
<label for="email">Email <span class="optional">(optional)</span></label>
<input id="email" name="email" type="email" autocomplete="email" maxlength="254" aria-describedby="email-hint">
<p class="hint" id="email-hint">Shared only with apps you allow to see it.</p>
<button type="submit" disabled>Create account</button>
</form>
</section>
<p id="message" class="message" role="alert" aria-live="assertive"></p>
<noscript><p class="message">Passkeys need JavaScript. Turn it on for this site, then reload the page.</p></noscript>`,
  })
}

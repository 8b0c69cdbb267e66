import { SCOPE_DESCRIPTIONS, type Scope } from '../protocol/scopes.ts'
import { html } from './html.ts'
import { layout } from './layout.ts'

/**
 * The consent prompt: which app asks, who is signed in, and what each requested scope would share,
 * in plain words. Allow and Deny post the same form, so the page works without JavaScript.
 */
export function consentPage(page: {
  interactionUid: string
  clientId: string
  username: string
  scopes: Scope[]
}): string {
  const items = page.scopes.map(
    (scope) => html`<li><span class="scope">${scope}</span> ${SCOPE_DESCRIPTIONS[scope]}</li>`,
  )
  return layout({
    title: 'Allow access',
    body: html`<p class="app">Signed in as <strong>${page.username}</strong></p>
<h1><span class="origin">${page.clientId}</span> wants to</h1>
<ul class="scopes">${items}</ul>
<p class="hint">The app keeps this access: the next time it asks for the same, you will not be asked again.</p>
<form method="post" action="/interaction/${page.interactionUid}/consent" class="decision">
<button type="submit" name="decision" value="allow" class="primary">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  })
}

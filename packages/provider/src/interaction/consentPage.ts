import type { Account } from '../accounts/accountStore.ts'
import { accountClaims } from '../oidc/accountClaims.ts'
import { SCOPE_CLAIMS, SCOPE_DESCRIPTIONS, type Scope } from '../oidc/scopes.ts'
import { CLAIMED_FIELDS } from '../profile/profileFields.ts'
import { html, type SafeHtml } from '../ui/html.ts'
import { layout } from '../ui/layout.ts'

/**
 * How the page names each claim it shows: each profile field's own claim, and the address its fields
 * make. The others are not worth a line: `sub` is an identifier the person never sees, `nickname`
 * repeats the username, and the verified flags and `updated_at` describe the values rather than
 * being any.
 */
const CLAIM_LABELS: Partial<Record<string, string>> = {
  ...Object.fromEntries(CLAIMED_FIELDS.map(({ claim, consentLabel }) => [claim, consentLabel])),
  address: 'Your address',
}

/**
 * The consent prompt: which app asks, who is signed in, for each requested scope what it would
 * share, in plain words and with the signed-in account's own values, so the person sees exactly what
 * the app gets, and the full address the answer goes to, which Allow approves too (see
 * `approvedRedirectCheck`). Values come from `accountClaims`, the same function that releases them.
 * Allow and Deny post the same form, so the page works without JavaScript.
 */
export function consentPage(page: {
  interactionUid: string
  clientId: string
  issuer: string
  account: Account
  scopes: Scope[]
  /** The request's redirect_uri, in full. */
  redirectUri: string
  /** Whether the app has everything it asks for, and only this address is new. */
  onlyNewDestination: boolean
}): string {
  const claims = accountClaims(page.account, page.issuer)
  const items = page.scopes.map(
    (scope) =>
      html`<li><span class="scope">${scope}</span> ${SCOPE_DESCRIPTIONS[scope]}${sharedValues(scope, claims)}</li>`,
  )
  return layout({
    title: 'Allow access',
    body: html`<p class="app">Signed in as <strong>${page.account.username}</strong></p>
<h1><span class="origin">${page.clientId}</span> wants to</h1>
<ul class="scopes">${items}</ul>
${page.onlyNewDestination ? html`<p class="hint">You allowed this app before, but not to send your sign-in to this address. Allow only if you expect to go there: an address that forwards elsewhere would pass your sign-in on.</p>` : ''}
<p class="destination">Allow sends you to <code class="origin">${page.redirectUri}</code></p>
<p class="hint">The app keeps this access: the next time it asks for the same, you will not be asked again.</p>
<form method="post" action="/interaction/${page.interactionUid}/consent" class="decision">
<button type="submit" name="decision" value="allow" class="primary">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  })
}

/**
 * The values `scope` would share, one line each; for a scope whose values are all empty, a sentence
 * saying so and where to fill them in. Nothing for a scope with nothing to show (`openid`).
 */
function sharedValues(scope: Scope, claims: Record<string, unknown>): SafeHtml | undefined {
  const shown = SCOPE_CLAIMS[scope].filter((claim) => CLAIM_LABELS[claim] !== undefined)
  if (shown.length === 0) return undefined
  const lines = shown.flatMap((claim) =>
    claims[claim] === undefined
      ? []
      : [
          html`<li>${CLAIM_LABELS[claim]}: ${claimValue(claim, claims[claim])}${verification(claim, claims)}</li>`,
        ],
  )
  if (lines.length === 0)
    return html`<p class="shared">Nothing is filled in yet, so the app gets nothing for this until you add it on your account page at <a href="/account" target="_blank" rel="noopener">/account</a>.</p>`
  return html`<ul class="shared">${lines}</ul>`
}

/**
 * Whether an email address is verified, as the app will be told (`email_verified`), and where to
 * verify one that is not: a person who just signed up with an address sees it here first.
 */
function verification(claim: string, claims: Record<string, unknown>): SafeHtml | '' {
  if (claim !== 'email') return ''
  return claims.email_verified === true
    ? html` <span class="verified">(verified)</span>`
    : html` <span class="unverified">(not verified: verify it on your <a href="/account#email" target="_blank" rel="noopener">account page</a>)</span>`
}

/** A claim's value as the person recognises it: the avatar as its picture, the address as lines. */
function claimValue(claim: string, value: unknown): SafeHtml {
  if (claim === 'picture')
    return html`<img class="avatar" src="${String(value)}" alt="your current avatar" width="24" height="24">`
  if (claim === 'address')
    return html`<span class="value lines">${(value as { formatted: string }).formatted}</span>`
  return html`<span class="value">${String(value)}</span>`
}

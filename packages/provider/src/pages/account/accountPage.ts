import type { Account, StoredPasskey } from '../../accounts/accountStore.ts'
import { AVATAR_NAMES } from '../../accounts/avatars.ts'
import type { ApprovedApp } from '../../accounts/consentStore.ts'
import { type ProfileField, RANDOM_AVATAR } from '../../accounts/validateProfile.ts'
import { SCOPES } from '../../protocol/scopes.ts'
import { html, type SafeHtml } from '../html.ts'
import { layout } from '../layout.ts'
import { PROFILE_INPUTS, type ProfileInput } from './profileInputs.ts'

/** What the account page shows, and what the last form submission left to say. */
export interface AccountPageView {
  account: Account
  passkeys: readonly StoredPasskey[]
  apps: readonly ApprovedApp[]
  issuer: string
  /** Whether the sign-in is recent enough for adding or removing passkeys and deleting the account. */
  fresh: boolean
  /** The values to show in the profile form: the submitted ones after a refused submission. */
  form?: Partial<Record<ProfileField, string>>
  /** Why the profile form was refused, per field. */
  errors?: Partial<Record<ProfileField, string>>
  /** What just happened (shown at the top, announced to screen readers). */
  notice?: string
  /** A problem with a passkey or app action, shown in its section. */
  problem?: {
    section: 'passkeys' | 'apps' | 'delete'
    message: string
    /** Whether the action needs a recent sign-in, offered as a link. */
    reauthenticate?: boolean
  }
  /** The passkey whose removal needs the "last passkey" confirmation. */
  confirmLastPasskey?: string
}

/**
 * The account page: the profile that scopes share, passkeys, approved apps, sign-out and deletion.
 * Everything but adding a passkey is a plain form, so the page works without its script; every
 * value is escaped by `html`.
 */
export function accountPage(view: AccountPageView): string {
  const { account } = view
  return layout({
    title: 'Your account',
    script: 'account',
    wide: true,
    body: html`<header class="account-header">
<img src="/avatars/${account.avatar}.svg" alt="" width="48" height="48">
<div><h1>Your account</h1><p class="app">Signed in as <strong>${account.username}</strong></p></div>
</header>
<p class="notice" role="status">${view.notice ?? ''}</p>
<nav aria-label="Sections" class="sections"><a href="#profile">Profile</a> <a href="#passkeys">Passkeys</a> <a href="#apps">Apps</a> <a href="#leave">Sign out or delete</a></nav>
${profileSection(view)}
${passkeySection(view)}
${appSection(view)}
${leaveSection(view)}`,
  })
}

function profileSection(view: AccountPageView): SafeHtml {
  const errors = view.errors ?? {}
  const problems = Object.entries(errors)
  const summary =
    problems.length === 0
      ? ''
      : html`<div class="message" role="alert" id="profile-problems"><p>The profile was not saved. Correct ${problems.length === 1 ? 'this field' : `these ${problems.length} fields`}:</p><ul>${problems.map(([field, message]) => html`<li><a href="#field-${field}">${message}</a></li>`)}</ul></div>`
  const groups = new Map<string, ProfileInput[]>()
  for (const input of PROFILE_INPUTS) {
    groups.set(input.group, [...(groups.get(input.group) ?? []), input])
  }
  return html`<section id="profile" aria-labelledby="profile-heading">
<h2 id="profile-heading">Profile</h2>
<p class="hint">Apps see only what you allow them on the consent screen. Fields left empty are never shared.</p>
${summary}
<form method="post" action="/account/profile" novalidate>
${[...groups].map(
  ([group, inputs]) =>
    html`<fieldset><legend>${group}</legend>${inputs.map((input) => profileInput(view, input))}</fieldset>`,
)}
${avatarPicker(view)}
<button type="submit" class="primary">Save profile</button>
</form>
</section>`
}

function profileInput(view: AccountPageView, input: ProfileInput): SafeHtml {
  const { field } = input
  const error = view.errors?.[field]
  const value = view.form?.[field] ?? storedValue(view.account, field)
  const describedBy = [
    input.hint === undefined ? '' : `hint-${field}`,
    error ? `error-${field}` : '',
  ]
    .filter(Boolean)
    .join(' ')
  const attributes = html`id="field-${field}" name="${field}" autocomplete="${input.autocomplete}" maxlength="${input.maxLength}"${describedBy === '' ? '' : html` aria-describedby="${describedBy}"`}${error ? html` aria-invalid="true"` : ''}${field === 'username' ? html` required` : ''}`
  const control =
    input.type === 'textarea'
      ? html`<textarea ${attributes} rows="3">${value}</textarea>`
      : html`<input ${attributes} type="${input.type}" value="${value}"${input.inputMode === undefined ? '' : html` inputmode="${input.inputMode}"`}>`
  return html`<div class="field">
<label for="field-${field}">${input.label}${field === 'username' ? '' : html` <span class="optional">(optional)</span>`}</label>
${control}
${input.hint === undefined ? '' : html`<p class="hint" id="hint-${field}">${input.hint}</p>`}
${error ? html`<p class="field-error" id="error-${field}">${error}</p>` : ''}
</div>`
}

function avatarPicker(view: AccountPageView): SafeHtml {
  const chosen = view.form?.avatar ?? view.account.avatar
  return html`<fieldset class="avatars"><legend>Avatar</legend>
<p class="hint">Apps you allow to see your avatar show this picture. Everyone picks from the same few, so it does not identify you.</p>
<div class="avatar-choices">${AVATAR_NAMES.map(
    (name) =>
      html`<label class="avatar-choice"><input type="radio" name="avatar" value="${name}"${name === chosen ? html` checked` : ''}><img src="/avatars/${name}.svg" alt="" width="40" height="40"><span>${name}</span></label>`,
  )}<label class="avatar-choice"><input type="radio" name="avatar" value="${RANDOM_AVATAR}"${chosen === RANDOM_AVATAR ? html` checked` : ''}><span class="avatar-random" aria-hidden="true">?</span><span>pick one for me</span></label></div>
</fieldset>`
}

function passkeySection(view: AccountPageView): SafeHtml {
  const only = view.passkeys.length === 1
  const items = view.passkeys.map((passkey, index) => {
    const name = passkey.name ?? `Passkey ${index + 1}`
    const confirming = view.confirmLastPasskey === passkey.id
    return html`<li class="passkey">
<h3>${name}</h3>
<p class="hint">Created ${formatDate(passkey.created_at)} · ${passkey.last_used_at === null ? 'not used to sign in yet' : `last used ${formatDate(passkey.last_used_at)}`} · ${passkey.backed_up === 1 ? 'synced (backed up by your passkey manager)' : 'on one device only (not synced)'}</p>
<form method="post" action="/account/passkeys/rename" class="inline">
<input type="hidden" name="id" value="${passkey.id}">
<label for="rename-${index}">Name</label>
<input id="rename-${index}" name="name" value="${passkey.name ?? ''}" maxlength="60" placeholder="${name}" autocomplete="off">
<button type="submit">Rename</button>
</form>
<form method="post" action="/account/passkeys/remove" class="inline">
<input type="hidden" name="id" value="${passkey.id}">
${
  only || confirming
    ? html`<p class="warning" id="last-${index}">This is your only passkey. Without it nobody, you included, can sign in to this account again: apps will see you as a stranger. Add another passkey first if you want to keep the account.</p>
<label class="check"><input type="checkbox" name="confirm_last" value="yes" aria-describedby="last-${index}"> I understand that this account becomes unreachable</label>`
    : ''
}
<button type="submit" class="danger">Remove</button>
</form>
</li>`
  })
  return html`<section id="passkeys" aria-labelledby="passkeys-heading">
<h2 id="passkeys-heading">Passkeys</h2>
<p class="hint">Each passkey signs in to this account. Add one on every device you use, so that losing one device does not lock you out.</p>
${problemFor(view, 'passkeys')}
${view.fresh ? '' : html`<p class="hint">Adding or removing a passkey, and deleting the account, need a recent sign-in. <a href="/account/sign-in?confirm=1">Sign in again</a></p>`}
<ul class="plain">${items}</ul>
<button type="button" id="add-passkey" class="primary" disabled>Add a passkey</button>
<p id="passkey-message" class="message" role="alert" aria-live="assertive"></p>
<noscript><p class="message">Adding a passkey needs JavaScript. Turn it on for this site, then reload the page.</p></noscript>
</section>`
}

function appSection(view: AccountPageView): SafeHtml {
  const apps = view.apps.filter((app) => app.clientId !== view.issuer)
  const items = apps.map(
    (app) => html`<li class="approved-app">
<h3 class="origin">${app.clientId}</h3>
<p class="hint">Allowed ${formatDate(app.approvedAt)} to see: ${SCOPES.filter((scope) => app.scopes.includes(scope)).join(', ')}</p>
<form method="post" action="/account/apps/revoke">
<input type="hidden" name="client_id" value="${app.clientId}">
<button type="submit" class="danger">Revoke access</button>
</form>
</li>`,
  )
  return html`<section id="apps" aria-labelledby="apps-heading">
<h2 id="apps-heading">Apps you allowed</h2>
${problemFor(view, 'apps')}
${
  apps.length === 0
    ? html`<p>You have not allowed any app yet.</p>`
    : html`<p class="hint">Revoking signs you out of the app: its tokens stop working, and it asks for your consent again the next time you sign in to it.</p><ul class="plain">${items}</ul>`
}
</section>`
}

function leaveSection(view: AccountPageView): SafeHtml {
  return html`<section id="leave" aria-labelledby="leave-heading">
<h2 id="leave-heading">Sign out or delete</h2>
<form method="get" action="/openid/logout">
<input type="hidden" name="client_id" value="${view.issuer}">
<button type="submit">Sign out of passkey-id</button>
</form>
<h3>Delete your account</h3>
<p id="delete-warning">This deletes your profile, your passkeys and every app's access at once. It cannot be undone; apps will not know you if you come back.</p>
${problemFor(view, 'delete')}
<form method="post" action="/account/delete">
<label for="confirm-delete">Type your username, <strong>${view.account.username}</strong>, to confirm</label>
<input id="confirm-delete" name="confirm" autocomplete="off" autocapitalize="none" spellcheck="false" aria-describedby="delete-warning" required>
<button type="submit" class="danger">Delete my account</button>
</form>
</section>`
}

function problemFor(view: AccountPageView, section: 'passkeys' | 'apps' | 'delete'): SafeHtml | '' {
  return view.problem?.section === section
    ? html`<div class="message" role="alert"><p>${view.problem.message}</p>${view.problem.reauthenticate === true ? html`<p><a href="/account/sign-in?confirm=1">Sign in again</a></p>` : ''}</div>`
    : ''
}

function storedValue(account: Account, field: ProfileField): string {
  return account[field] ?? ''
}

/** A date as people read it, in UTC (the account's own zone may be unset). */
function formatDate(iso: string): string {
  return new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(iso),
  )
}

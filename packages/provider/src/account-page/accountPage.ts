import type { Account } from '../accounts/accountStore.ts'
import type { PendingCode } from '../accounts/emailVerification.ts'
import type { StoredSecurityEvent } from '../events/listSecurityEvents.ts'
import type { SecurityEventKind } from '../events/recordSecurityEvent.ts'
import type { ApprovedApp } from '../oidc/consent/consentStore.ts'
import { SCOPES } from '../oidc/scopes.ts'
import { passkeyLabel } from '../passkeys/passkeyLabel.ts'
import { passkeyProviderIcon } from '../passkeys/passkeyProviderIcon.ts'
import type { StoredPasskey } from '../passkeys/passkeyStore.ts'
import type { PasskeyProviderList } from '../passkeys/readPasskeyProviderList.ts'
import { AVATAR_NAMES } from '../profile/avatars.ts'
import { type ProfileField, RANDOM_AVATAR } from '../profile/validateProfile.ts'
import { html, type SafeHtml } from '../ui/html.ts'
import { layout } from '../ui/layout.ts'
import { accountScript } from './accountScript.ts'
import { passkeySignals } from './passkeySignals.ts'
import { PROFILE_INPUTS, type ProfileInput } from './profileInputs.ts'

/** What the account page shows, and what the last form submission left to say. */
export interface AccountPageView {
  account: Account
  passkeys: readonly StoredPasskey[]
  /** Whose icon each passkey shows beside its name, by its AAGUID. */
  passkeyProviders: PasskeyProviderList
  apps: readonly ApprovedApp[]
  /** The account's last security events, newest first ("Recent activity"). */
  activity: readonly StoredSecurityEvent[]
  issuer: string
  /** The WebAuthn relying-party ID, for the passkey manager's signals (`passkeySignals`). */
  rpId: string
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
  /** Email verification: whether mail is on, and the code waiting to be typed in. */
  email: { enabled: boolean; pending: PendingCode | undefined }
  /** Why sending or checking a verification code was refused, shown by the Email field. */
  emailProblem?: string
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
    script: accountScript,
    wide: true,
    body: html`<header class="account-header">
<img src="/avatars/${account.avatar}.svg" alt="" width="48" height="48">
<div><h1>Your account</h1><p class="app">Signed in as <strong>${account.username}</strong></p></div>
</header>
<p class="notice" role="status">${view.notice ?? ''}</p>
${passkeySignals({ rpId: view.rpId, userHandle: account.user_handle, credentialIds: view.passkeys.map((passkey) => passkey.id), username: account.username })}
<nav aria-label="Sections" class="sections"><a href="#profile">Profile</a> <a href="#passkeys">Passkeys</a> <a href="#apps">Apps</a> <a href="#activity">Recent activity</a> <a href="#leave">Sign out or delete</a></nav>
${profileSection(view)}
${passkeySection(view)}
${appSection(view)}
${activitySection(view)}
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
  // Enter in a field submits with the form's first submit button: the hidden one makes that "Save
  // profile", not the "Send verification code" that comes earlier, under the Email field.
  return html`<section id="profile" aria-labelledby="profile-heading">
<h2 id="profile-heading">Profile</h2>
<p class="hint">Apps see only what you allow them on the consent screen. Fields left empty are never shared.</p>
${summary}
<form method="post" action="/account/profile" novalidate>
<button type="submit" hidden tabindex="-1">Save profile</button>
${[...groups].map(
  ([group, inputs]) =>
    html`<fieldset><legend>${group}</legend>${inputs.map((input) => profileInput(view, input))}</fieldset>`,
)}
${avatarPicker(view)}
<button type="submit" class="primary">Save profile</button>
</form>
<form id="verify-email" method="post" action="/account/email/verify" novalidate></form>
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
  const attributes = html`id="field-${field}" name="${field}" autocomplete="${input.autocomplete}" maxlength="${input.maxLength}"${describedBy === '' ? '' : html` aria-describedby="${describedBy}"`}${error ? html` aria-invalid="true"` : ''}${input.required ? html` required` : ''}`
  const control =
    input.type === 'textarea'
      ? html`<textarea ${attributes} rows="3">${value}</textarea>`
      : html`<input ${attributes} type="${input.type}" value="${value}"${input.inputMode === undefined ? '' : html` inputmode="${input.inputMode}"`}>`
  return html`<div class="field">
<label for="field-${field}">${input.label}${input.required ? '' : html` <span class="optional">(optional)</span>`}</label>
${control}
${input.hint === undefined ? '' : html`<p class="hint" id="hint-${field}">${input.hint}</p>`}
${error ? html`<p class="field-error" id="error-${field}">${error}</p>` : ''}
${field === 'email' ? emailVerification(view) : ''}
</div>`
}

/**
 * Under the Email field: whether the address is verified, `Send verification code` (which posts the
 * profile form, so the address typed is the one saved and mailed), and once a code is on its way,
 * `Verification code` and `Verify`, which belong to the form after the profile form (forms do not
 * nest). With mail off, a sentence saying so instead.
 */
function emailVerification(view: AccountPageView): SafeHtml {
  const { account, email } = view
  const verified = account.email !== null && account.email_verified_at !== null
  const status =
    account.email === null
      ? ''
      : verified
        ? html`<p class="verified">This address is verified.</p>`
        : html`<p class="unverified">This address is not verified yet.</p>`
  const problem =
    view.emailProblem === undefined
      ? ''
      : html`<div class="message" role="alert"><p>${view.emailProblem}</p></div>`
  if (!email.enabled)
    return html`<div id="email" class="email-verification">${status}<p class="hint">Email verification is off: this service has no mail server set up, so it sends no email.</p>${problem}</div>`
  const codeField =
    email.pending === undefined
      ? ''
      : html`<p class="hint" id="code-hint">A 6-digit code was sent to ${email.pending.email}. It works for 10 minutes.</p>
<label for="verification-code">Verification code</label>
<input id="verification-code" name="code" form="verify-email" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" aria-describedby="code-hint" required>
<button type="submit" form="verify-email">Verify</button>`
  return html`<div id="email" class="email-verification">${status}${problem}
<button type="submit" formaction="/account/email/send-code" formnovalidate>Send verification code</button>
${codeField}</div>`
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
    const name = passkeyLabel(passkey, index)
    const confirming = view.confirmLastPasskey === passkey.id
    return html`<li class="passkey">
<h3>${providerIcon(view.passkeyProviders, passkey.aaguid)}${name}</h3>
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

/**
 * The icon of the passkey's provider, from the app's own asset route (the pages allow images from
 * 'self' only), in the page's color scheme when the provider has one for each. `alt` is empty: the
 * name beside it says the same. No markup when the provider has no icon.
 */
function providerIcon(providers: PasskeyProviderList, aaguid: string): SafeHtml | '' {
  const light = passkeyProviderIcon(providers, aaguid, 'light')
  const dark = passkeyProviderIcon(providers, aaguid, 'dark')
  if (light === undefined || dark === undefined) return ''
  const path = `/assets/passkey-icons/${aaguid.toLowerCase()}`
  const img = html`<img class="passkey-icon" src="${path}/light" alt="" width="24" height="24">`
  return light === dark
    ? img
    : html`<picture><source media="(prefers-color-scheme: dark)" srcset="${path}/dark">${img}</picture>`
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

/** What each security event says on the page; a deleted account has no page to show its own. */
const ACTIVITY: Record<
  Exclude<SecurityEventKind, 'account_deleted' | 'account_deleted_by_operator'>,
  string
> = {
  sign_up: 'Account created',
  sign_in: 'Signed in',
  sign_in_failed: 'A passkey sign-in was refused',
  passkey_added: 'Passkey added',
  passkey_renamed: 'Passkey renamed',
  passkey_removed: 'Passkey removed',
  app_allowed: 'App allowed',
  app_revoked: 'App access revoked',
  rate_limited: 'Too many requests: some were refused',
  email_verification_sent: 'A verification code was mailed',
  email_verified: 'Email address verified',
  recovery_requested: 'A recovery link was mailed',
  recovery_link_issued: 'A recovery link was made by the operator',
  account_recovered: 'Recovered with a recovery link: a new passkey was added',
  account_disabled: 'Account disabled by the operator: its sign-ins and tokens were refused',
  account_enabled: 'Account enabled again by the operator',
}

function activitySection(view: AccountPageView): SafeHtml {
  const items = view.activity.map((event) => {
    const what = ACTIVITY[event.kind as keyof typeof ACTIVITY] ?? event.kind
    const app =
      event.clientId === null
        ? ''
        : event.clientId === view.issuer
          ? html` (this account page)`
          : html` (<span class="origin">${event.clientId}</span>)`
    return html`<li><time datetime="${event.at}">${formatTime(event.at)}</time>: ${what}${app}, from ${event.ip}</li>`
  })
  return html`<section id="activity" aria-labelledby="activity-heading">
<h2 id="activity-heading">Recent activity</h2>
<p class="hint">The last sign-ins and changes to this account, newest first, with the address each came from. If one was not you, remove the passkeys you do not recognise and revoke the apps you did not allow.</p>
${view.activity.length === 0 ? html`<p>Nothing recorded yet.</p>` : html`<ol class="plain">${items}</ol>`}
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

/** A date and time as people read it, in UTC, to the minute. */
function formatTime(iso: string): string {
  const time = new Intl.DateTimeFormat('en', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
    hourCycle: 'h23',
  }).format(new Date(iso))
  return `${time} UTC`
}

/** A date as people read it, in UTC (the account's own zone may be unset). */
function formatDate(iso: string): string {
  return new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(iso),
  )
}

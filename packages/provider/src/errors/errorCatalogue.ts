/** A wait in words, rounded up: "40 seconds", "1 minute", "12 minutes". */
function inWords(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`
  const minutes = Math.ceil(seconds / 60)
  return `${minutes} minute${minutes === 1 ? '' : 's'}`
}

/** The advice of every refusal of `response_type=token`: what the app's developer switches to. */
const USE_CODE_FLOW =
  'Switch the app to the authorization-code flow with PKCE. For FastAPI\'s docs page, create the app with FastAPI(swagger_ui_init_oauth={"usePkceWithAuthorizationCodeGrant": True}) and choose the authorization_code flow in the Authorize dialog. Other apps send response_type=code with a code_challenge (S256) and redeem the code at the token endpoint.'

/**
 * Every refusal the provider answers with, in one table (in the manner of oidc-provider's
 * `lib/helpers/errors.js`): this file is the only place that writes the sentence a person or an app
 * reads when a request is refused. A refusal is raised with `new ProviderError(code, details)`.
 *
 * Each entry has
 * - `status`: the HTTP status;
 * - `error`: the `error` code in JSON and on protocol error pages, when it is not the entry's own
 *   name (apps already know `invalid_request`, `not_found` and OAuth's codes, so those are kept);
 * - `person`: what a person reads on a page, or under the button of a page whose script asked:
 *   what happened and what to do next;
 * - `app`: what an app, a script or a developer reads in JSON or in a protocol page's details, only
 *   where it differs (it may carry a library's reason, which a person never reads);
 * - `field`: the form field the refusal is about, which the page marks and focuses;
 * - `retryAfterSeconds`: for a temporary refusal (429, 503), when to try again, sent as
 *   `Retry-After`: fixed, or from the refusal's details.
 *
 * A sentence that names something (a username, a client_id) is a function of the refusal's details.
 * Library messages (SimpleWebAuthn's, oidc-provider's, Fastify's) never become a `person` sentence.
 */
export const ERROR_CATALOGUE = {
  // The sign-in page (interaction) and its passkey ceremonies.
  interaction_expired: {
    status: 400,
    person:
      'This sign-in has expired or was started in another browser. Go back to the app and start signing in again.',
  },
  interaction_mismatch: {
    status: 400,
    person: 'This page belongs to another sign-in. Go back to the app and start signing in again.',
  },
  out_of_order: {
    status: 409,
    person: 'This step of the sign-in is already done. Reload the page to continue.',
  },
  cross_site_request: {
    status: 403,
    person: (details: { page: 'the sign-in page' | 'your account page' | 'the recovery page' }) =>
      `This request did not come from ${details.page}, so nothing was changed. Reload that page and try again.`,
  },
  stale_challenge: {
    status: 400,
    person:
      'This passkey request was already used or has expired. Press the button again to start over.',
  },
  passkey_rejected: {
    status: 400,
    person:
      "The passkey's answer could not be verified, so it was not accepted. Try again; if it keeps failing, use another passkey or device.",
  },
  passkey_cloned: {
    status: 400,
    person:
      'This passkey answered with an old signature count, as a copied passkey would. Use another passkey, or create a new one.',
  },
  // clientData.crossOrigin or topOrigin (passkeys/refuseFramedAnswer): the provider's pages are
  // never framed, so the answer was made inside another site's page.
  passkey_framed: {
    status: 400,
    person:
      'The passkey was used inside a page of another website, so its answer was not accepted. Open this service in its own tab or window and try again.',
  },
  unknown_passkey: {
    status: 400,
    person:
      'This passkey is not registered here (it may have been removed). Use another passkey, or create an account.',
  },
  account_disabled: {
    status: 403,
    person:
      'This account is disabled by the operator of this service, so it cannot sign in. Ask them to enable it again.',
  },
  passkey_exists: {
    status: 409,
    person: 'This passkey is already registered here. Sign in with it, or create a new one.',
  },
  username_taken: {
    status: 409,
    field: 'username',
    person: (details: { username: string }) =>
      `The username "${details.username}" is taken. Choose another one.`,
  },
  // The guidance for a sign-up field is the profile rules' own (profile/validateSignUp).
  invalid_username: {
    status: 400,
    field: 'username',
    person: (details: { guidance: string }) => details.guidance,
  },
  invalid_email: {
    status: 400,
    field: 'email',
    person: (details: { guidance: string }) => details.guidance,
  },
  account_deleted: {
    status: 400,
    person:
      'This account no longer exists, so nothing was changed. Sign in with another passkey, or create a new account.',
  },
  access_denied: {
    status: 400,
    person: 'You declined to sign in to this app.',
    app: 'The person declined to sign in to this app.',
  },

  // The account page.
  signed_out: {
    status: 401,
    person:
      'You are signed out, so nothing was changed. Open the account page, sign in, and try again.',
  },
  account_sign_in_failed: {
    status: 400,
    person: 'Signing in to your account did not complete. Try again.',
  },
  sign_in_again: {
    status: 403,
    person: (details: { action: 'add a passkey' | 'remove a passkey' | 'delete your account' }) =>
      `Nothing was changed: to ${details.action}, confirm it is you by signing in again, then repeat it.`,
  },
  no_such_passkey: {
    status: 404,
    person:
      'Your account has no such passkey (it may have been removed already). Nothing was changed.',
  },
  last_passkey: {
    status: 409,
    person:
      'This is your only passkey, so it was not removed. Tick the box to confirm that the account becomes unreachable, or add another passkey first.',
  },
  passkey_name_empty: {
    status: 400,
    person: 'Give the passkey a name, such as the device it is on.',
  },
  passkey_name_too_long: {
    status: 400,
    person: (details: { maxLength: number }) =>
      `Shorten the passkey's name to at most ${details.maxLength} characters.`,
  },
  passkey_name_characters: {
    status: 400,
    person: 'Use only letters, digits, spaces and punctuation in the name.',
  },
  too_many_passkeys: {
    status: 409,
    person: (details: { max: number }) =>
      `Your account has ${details.max} passkeys, the most it can have, so no passkey was added. Remove one you no longer use, then add the new one.`,
  },
  // Allowing one more app at consent (oidc/consent/approveConsent).
  too_many_apps: {
    status: 409,
    person: (details: { max: number }) =>
      `Your account has allowed ${details.max} apps, the most it can, so this app was not allowed. Revoke an app you no longer use on your account page, then sign in to this one again.`,
  },
  app_not_allowed: {
    status: 404,
    person: 'That app has no access to your account (it may have been revoked already).',
  },
  // Email verification (account-page/, accounts/emailVerification).
  email_missing: {
    status: 400,
    person: 'Enter your email address in the Email field first, then send the verification code.',
  },
  no_pending_code: {
    status: 400,
    person:
      'There is no verification code waiting for this address: it was used, it expired, it was tried too often, or the address changed since. Send a new code.',
  },
  wrong_code: {
    status: 400,
    person: (details: { attemptsLeft: number }) =>
      details.attemptsLeft > 0
        ? `That is not the code we sent. Check the latest message and try again (${details.attemptsLeft} ${details.attemptsLeft === 1 ? 'attempt' : 'attempts'} left).`
        : 'That is not the code we sent, and it was tried too often, so it no longer works. Send a new code.',
  },
  code_expired: {
    status: 400,
    person: 'This verification code has expired (codes work for 10 minutes). Send a new code.',
  },
  email_verified_elsewhere: {
    status: 409,
    person:
      'This email address is already verified on another account, and an address verifies only one account. Use another address here, or remove it from the other account first.',
  },
  // The step after a sign-up (interaction/): only the account this sign-in just created, with the
  // address it was created with.
  not_a_new_account: {
    status: 403,
    person:
      'Only the address of an account created in this sign-in can be verified here. Verify your address on your account page instead.',
  },
  no_address_to_verify: {
    status: 400,
    person:
      'This account was created without an email address, so there is none to verify. You can add one on your account page.',
  },
  // Mail (mail/createMailer): MAIL off, or the SMTP server cannot take the message.
  mail_off: {
    status: 403,
    person:
      'This service sends no email (its operator has not set up a mail server), so email verification is off. Your address can still be saved, unverified.',
    app: 'Mail is off on this provider: SMTP_URL is not set and PUBLIC_URL is not a loopback address.',
  },
  mail_unavailable: {
    status: 503,
    error: 'temporarily_unavailable',
    retryAfterSeconds: 60,
    person:
      'The message could not be sent: the mail server cannot be reached or did not answer in time. Nothing was changed. Try again in a minute.',
  },
  mail_refused: {
    status: 400,
    person:
      'The mail server refused to deliver to this address, so nothing was sent and nothing was changed. Check the address and try again, or use another one.',
  },
  deletion_not_confirmed: {
    status: 400,
    person: (details: { username: string }) =>
      `Nothing was deleted: type your username, ${details.username}, exactly as shown to confirm.`,
  },

  // Account recovery (recovery/, accounts/recoveryLinks). A request for a link is answered the same
  // whatever the name: these refuse only what is wrong with the form or the link itself.
  recovery_by_operator: {
    status: 403,
    person:
      'Account recovery here goes through the service’s operator: ask them for a recovery link for your username. It works once, for 15 minutes.',
    app: 'Self-service recovery is off on this provider (RECOVERY=admin): an operator makes recovery links.',
  },
  recovery_mail_off: {
    status: 403,
    person:
      'This service sends no email, so it cannot mail you a recovery link. Ask its operator for a recovery link for your username.',
    app: 'Mail is off on this provider (no SMTP_URL on a public PUBLIC_URL), so recovery links are not mailed.',
  },
  recovery_name_missing: {
    status: 400,
    field: 'username',
    person: 'Enter your username, or the email address you verified on your account.',
  },
  recovery_name_invalid: {
    status: 400,
    field: 'username',
    person:
      'That is neither a username nor an email address: enter your username, or the email address you verified on your account (at most 254 characters, on one line).',
  },
  recovery_link_unknown: {
    status: 400,
    person:
      'This recovery link does not work: it may be cut off or mistyped (open it from the message again, or copy the whole address), or another link recovered the account since. Ask for a new one.',
  },
  recovery_link_expired: {
    status: 400,
    person: 'This recovery link has expired (links work for 15 minutes). Ask for a new one.',
  },
  recovery_link_used: {
    status: 409,
    person:
      'This recovery link was used already: a link works once. If you used it, sign in with the passkey it created; if you did not, ask for a new link at once and look at your account’s "Recent activity".',
  },
  recovery_link_void: {
    status: 400,
    person:
      'This recovery link no longer works: the account’s email address changed after it was sent. Ask for a new one.',
  },
  recovery_not_here: {
    status: 400,
    person:
      'A recovery link creates a passkey from its own page only. Open the link from the message again.',
  },

  // Any request: what Fastify refuses before a route runs, unknown addresses, failures.
  malformed_request: {
    status: 400,
    error: 'invalid_request',
    person: 'The request is malformed, so nothing was changed. Reload the page and try again.',
    app: (details: { reason: string }) =>
      `The request is malformed: ${details.reason.replace(/\.$/, '')}.`,
  },
  request_too_large: {
    status: 413,
    error: 'invalid_request',
    person: 'The request is too large. Go back, shorten what you entered, and try again.',
    app: 'The request is too large.',
  },
  unsupported_content_type: {
    status: 415,
    error: 'invalid_request',
    person: 'The request has a content type this endpoint does not take; send JSON.',
  },
  address_malformed: {
    status: 400,
    error: 'invalid_request',
    person: 'The address is malformed. Check the link, or go back and try again.',
    app: 'The address is malformed.',
  },
  headers_too_large: {
    status: 431,
    error: 'invalid_request',
    person:
      'The request is too large (its address or headers). Check the link, or go back and try again.',
    app: 'The request line and headers are larger than the provider accepts (16 KiB).',
  },
  request_unreadable: {
    status: 400,
    error: 'invalid_request',
    person: 'The request could not be read. Go back and try again.',
    app: 'The request is not well-formed HTTP/1.1.',
  },
  request_too_slow: {
    status: 408,
    error: 'invalid_request',
    person: 'The request took too long to arrive. Try again.',
    app: 'The request did not arrive in time.',
  },
  address_too_long: {
    status: 414,
    error: 'invalid_request',
    person: 'The address is too long. Check the link, or go back and try again.',
    app: 'The address is too long.',
  },
  not_found: {
    status: 404,
    person: (details: { path: string }) => `There is nothing at ${details.path}.`,
  },
  no_such_endpoint: {
    status: 404,
    error: 'not_found',
    person: (details: { method: string; path: string }) =>
      `There is no ${details.method} ${details.path} here. The provider's endpoints and their methods are listed at /.well-known/openid-configuration.`,
  },
  no_such_avatar: {
    status: 404,
    error: 'not_found',
    person: 'There is no avatar by that name.',
  },
  no_such_passkey_icon: {
    status: 404,
    error: 'not_found',
    person: 'There is no passkey provider icon at this address.',
  },
  server_error: {
    status: 500,
    person: 'Something went wrong on the server. Try again in a moment.',
  },
  // The database is down, restarting, out of connections or too slow (store's isStoreUnavailable):
  // nothing is wrong with the request, which may well succeed in a few seconds.
  store_unavailable: {
    status: 503,
    error: 'temporarily_unavailable',
    retryAfterSeconds: 5,
    person:
      'The service cannot reach its database right now, so nothing was changed. Try again in a few seconds.',
    app: 'The provider cannot reach its database right now; nothing was changed. Retry after the number of seconds in Retry-After.',
  },
  // A rate limit (limits/limitTable.ts) was reached: the same request succeeds once its window
  // closes, which Retry-After says. Apps read `rate_limited` (named in the README).
  rate_limited: {
    status: 429,
    retryAfterSeconds: (details: { retryAfterSeconds: number }) => details.retryAfterSeconds,
    person: (details: { retryAfterSeconds: number }) =>
      `Too many attempts of this kind came from your network, so this one was not processed. Try again in ${inWords(details.retryAfterSeconds)}.`,
    app: (details: { retryAfterSeconds: number }) =>
      `Too many requests of this kind came from this client's address; nothing was processed. Retry after ${details.retryAfterSeconds} seconds (Retry-After).`,
  },
  // SIGNUPS=closed.
  sign_ups_closed: {
    status: 403,
    person:
      'New accounts cannot be created here: this service signs in only the accounts it already has. Sign in with a passkey you registered before, or ask the service for an account.',
    app: 'Sign-ups are closed on this provider (SIGNUPS=closed): only existing accounts sign in.',
  },
  // ALLOWED_APPS: the app is not one the operator lets ask for sign-ins.
  app_not_permitted: {
    status: 403,
    error: 'unauthorized_client',
    person: (details: { clientId: string }) =>
      `This service does not sign in to the app ${details.clientId}: its operator lets only certain apps use it. Go back to the app; if you run it, ask the service's operator to add its origin to ALLOWED_APPS.`,
    app: (details: { clientId: string }) =>
      `the app ${details.clientId} is not among this provider's ALLOWED_APPS`,
  },
  // GET /readyz: why this instance should get no traffic yet (health/healthRoutes).
  not_ready: {
    status: 503,
    retryAfterSeconds: 5,
    person: (details: { reason: string }) => `Not ready: ${details.reason}.`,
  },

  // Authorization and sign-out requests that cannot be sent back to the app (oidc/renderProtocolError):
  // a page for the person, written also for the app's developer, who has to fix the request. Below
  // the sentence, the page's details show oidc-provider's `error` and `error_description` or, for
  // the provider's own checks, the entry's `error` and `app` sentence.
  request_refused: {
    status: 400,
    person:
      "The app sent a request that cannot be served here. Go back to the app and try again; if it keeps happening, tell the app's developer what the details below say.",
  },
  // Every parameter oidc-provider may keep with an unfinished sign-in is bounded (oidc/refuseOversizedParameters).
  parameter_too_long: {
    status: 400,
    error: 'invalid_request',
    person: (details: { name: string; bytes: number; max: number }) =>
      `The app's request cannot be served here: its ${details.name} has ${details.bytes} bytes, and at most ${details.max} are accepted. Go back to the app and try again; if it keeps happening, tell the app's developer.`,
    app: (details: { name: string; bytes: number; max: number }) =>
      `${details.name} is ${details.bytes} bytes long; at most ${details.max} bytes are accepted per parameter`,
  },
  implicit_flow_off: {
    status: 400,
    error: 'unsupported_response_type',
    person: `This provider does not offer the implicit flow (response_type=token). ${USE_CODE_FLOW}`,
    app: 'this provider does not offer the implicit flow (response_type=token)',
  },
  implicit_flow_loopback_only: {
    status: 400,
    error: 'unsupported_response_type',
    person: `The implicit flow without an ID token (response_type=token) is allowed only for apps on localhost. ${USE_CODE_FLOW}`,
    app: 'the implicit flow without an ID token (response_type=token) is allowed only for apps on localhost',
  },
  implicit_flow_refused: {
    status: 400,
    person: `The implicit flow without an ID token (response_type=token) cannot be used for this request. ${USE_CODE_FLOW}`,
  },
  account_page_client_only: {
    status: 400,
    error: 'invalid_request',
    person: (details: { issuer: string }) =>
      `The client_id ${details.issuer} belongs to this provider's own account page, and only its sign-in may use it. An app's client_id is the app's own origin. Go back to the app and try again; if it keeps happening, tell the app's developer.`,
    app: (details: { issuer: string }) =>
      `the client_id ${details.issuer} belongs to this provider's own account page, and only its sign-in may use it. An app's client_id is the app's own origin`,
  },
  client_id_not_canonical: {
    status: 400,
    person: (details: { clientId: string; canonical: string }) =>
      `The client_id "${details.clientId}" is not written as an origin. Apps are not registered here: the client_id is the app's origin, exactly as browsers write it. Use "${details.canonical}".`,
  },
  client_id_not_app_origin: {
    status: 400,
    person: (details: { clientId: string }) =>
      `The client_id "${details.clientId}" is not an app origin. Apps are not registered here: the client_id is the app's origin (scheme, host and port, such as https://app.example.com or http://localhost:8000; plain http only on localhost).`,
  },
  client_id_missing: {
    status: 400,
    person:
      "The request has no client_id. Apps are not registered here: the client_id is the app's origin, such as https://app.example.com.",
  },
  redirect_uri_off_origin: {
    status: 400,
    person: (details: { clientId: string; redirectUri: string }) =>
      `The redirect_uri "${details.redirectUri}" is not on the app's origin (${details.clientId}), so the sign-in result is not sent there. Use a redirect_uri on ${details.clientId}.`,
  },
  redirect_uri_missing: {
    status: 400,
    person: (details: { clientId: string | undefined }) =>
      `The request has no redirect_uri, so there is nowhere to send the sign-in result. Send the address that takes it, on the app's origin${details.clientId === undefined ? '' : ` (${details.clientId})`}.`,
  },
  post_logout_redirect_uri_off_origin: {
    status: 400,
    person: (details: { clientId: string; postLogoutRedirectUri: string }) =>
      `The post_logout_redirect_uri "${details.postLogoutRedirectUri}" is not on the app's origin (${details.clientId}), so the browser is not sent there after signing out. Use a post_logout_redirect_uri on ${details.clientId}.`,
  },
  id_token_hint_refused: {
    status: 400,
    person:
      "The app's sign-out request carries an ID token (id_token_hint) that cannot be accepted here: it was changed, was not issued by this provider, or belongs to another app. Go back to the app and try again; if it keeps happening, tell the app's developer what the details below say.",
  },
  logout_form_stale: {
    status: 400,
    person:
      'This sign-out form is out of date (it was opened again in another tab, or it expired). Open the sign-out page again from the app, or from your account page.',
  },
} as const satisfies Record<string, ErrorEntry>

/** One refusal of the catalogue (see `ERROR_CATALOGUE`). */
export interface ErrorEntry {
  status: 400 | 401 | 403 | 404 | 408 | 409 | 413 | 414 | 415 | 429 | 431 | 500 | 503
  error?: string
  /** Sent as `Retry-After` (seconds): the refusal is temporary, and the same request may succeed then. */
  retryAfterSeconds?: number | ((details: never) => number)
  person: Sentence
  app?: Sentence
  field?: 'username' | 'email'
}

/** A sentence: fixed, or made from the details of one refusal. */
type Sentence = string | ((details: never) => string)

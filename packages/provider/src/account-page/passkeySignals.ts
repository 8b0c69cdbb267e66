import { html, type SafeHtml } from '../ui/html.ts'

/**
 * What the account page's script tells the browser's passkey manager (the WebAuthn Signal API), as
 * data on a hidden element: the passkeys this account still accepts (`signalAllAcceptedCredentials`,
 * so one removed here, or the whole account deleted, is no longer offered), and, while the account
 * exists, its current username (`signalCurrentUserDetails`, so a renamed account is listed under
 * its new name). `userId` is the account's WebAuthn user handle (base64url), the one every passkey
 * of the account was made with. Sent at each load of the page, so a change made on another device,
 * by the operator or by recovery reaches this browser's passkey manager too.
 */
export function passkeySignals(data: {
  rpId: string
  userHandle: string
  credentialIds: readonly string[]
  /** The account's username; absent once the account is deleted. */
  username?: string
}): SafeHtml {
  return html`<div id="passkey-signals" hidden data-rp-id="${data.rpId}" data-user-id="${data.userHandle}" data-credential-ids="${data.credentialIds.join(' ')}"${data.username === undefined ? '' : html` data-name="${data.username}"`}></div>`
}

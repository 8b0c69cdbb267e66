import { ProviderError } from '../errors/ProviderError.ts'

/**
 * Refuses a passkey answer whose client data says it was made inside a frame of another site
 * (`crossOrigin: true`, or a `topOrigin`), as `passkey_framed`. The provider's pages forbid framing
 * (`frame-ancestors 'none'`), so such an answer comes from a page that embeds them against that rule.
 * SimpleWebAuthn accepts `crossOrigin: true` without a `topOrigin` (Safari sends none), and refuses a
 * `topOrigin` only with its own developer's message: the check is made here, before it, so the person
 * reads what happened. Client data that does not parse is left to the library to refuse.
 */
export function refuseFramedAnswer(clientDataJSON: string): void {
  let clientData: unknown
  try {
    clientData = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'))
  } catch {
    return
  }
  if (typeof clientData !== 'object' || clientData === null) return
  if ('topOrigin' in clientData || ('crossOrigin' in clientData && clientData.crossOrigin === true))
    throw new ProviderError('passkey_framed')
}

import type { ResponseType } from 'oidc-provider'
import type { LegacyFlows } from '../../config.ts'

/**
 * The response types oidc-provider serves under a LEGACY_FLOWS policy, for its configuration, every
 * app's client metadata and discovery (which derives the `implicit` grant type from them).
 *
 * The bare `token` is not among them because oidc-provider refuses to serve it:
 * `checkBareTokenRequest` turns such a request into `id_token token` before oidc-provider sees it.
 */
export function supportedResponseTypes(legacyFlows: LegacyFlows): ResponseType[] {
  return legacyFlows === 'off' ? ['code'] : ['code', 'id_token', 'id_token token']
}

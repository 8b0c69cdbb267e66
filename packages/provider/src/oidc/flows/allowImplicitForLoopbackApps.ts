import type Provider from 'oidc-provider'
import { isLoopbackApp } from '../clients/appOrigin.ts'

/** The client-schema checks that refuse implicit flows to http and localhost redirect URIs. */
const WAIVED_CODES = new Set(['implicit-force-https', 'implicit-forbid-localhost'])

/**
 * Lets apps on this machine (http://localhost:*, 127.0.0.1, [::1]) use the implicit flows.
 *
 * oidc-provider's client schema refuses implicit for redirect URIs on http or on localhost, as
 * OpenID Connect's registration rules say for web clients; yet a docs page in development lives on
 * exactly such an origin. Only those two checks are waived, and only for loopback apps: every other
 * app is an https origin already (see `canonicalAppOrigin`), so nothing changes for them.
 */
export function allowImplicitForLoopbackApps(provider: Provider): void {
  const schema = (provider.Client as unknown as { Schema: { prototype: SchemaPrototype } }).Schema
  const { invalidate } = schema.prototype
  Object.defineProperty(schema.prototype, 'invalidate', {
    value(this: { client_id: string }, message: string, code?: string): void {
      if (code !== undefined && WAIVED_CODES.has(code) && isLoopbackApp(this.client_id)) return
      invalidate.call(this, message, code)
    },
  })
}

/** The part of oidc-provider's client schema (`Client.Schema`, untyped) that this waiver replaces. */
interface SchemaPrototype {
  invalidate(this: unknown, message: string, code?: string): void
}

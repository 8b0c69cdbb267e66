import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { recordSecurityEvent } from '../events/recordSecurityEvent.ts'
import type { ProviderDatabase } from '../store/schema.ts'

/**
 * Records every rate-limit refusal (a 429, which only the limits answer) as a `rate_limited` security
 * event, wherever it was refused: @fastify/rate-limit, the failure limits on the routes, or inside
 * oidc-provider. Every limit but the account page's second one counts an address, and a refusal is
 * answered before anyone's sign-in is read, so these name no account: they reach the operator's log
 * and no account's activity, and a client past its limit adds a log line per request, never a row.
 */
export function recordRefusals(app: FastifyInstance, db: Kysely<ProviderDatabase>): void {
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode === 429) await recordSecurityEvent(db, request, { kind: 'rate_limited' })
  })
}

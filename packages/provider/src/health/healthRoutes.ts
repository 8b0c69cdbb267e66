import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { checkReadiness } from './checkReadiness.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route is never rate-limited: health probes come every few seconds from the load balancer
     * or orchestrator, and a probe refused with 429 would take a healthy instance out of service.
     * The rate limiter (issue 11) must skip routes that carry this flag.
     */
    exemptFromRateLimit?: boolean
  }
}

/** The longest `/readyz` waits for the database before it answers 503. */
export const READINESS_TIMEOUT_MS = 2000

/** Probes are answered afresh each time, never from a cache. */
const NO_STORE = { 'cache-control': 'no-store' }

/**
 * The probes of a load balancer or orchestrator, outside `/openid/` and the screens:
 * `GET /healthz` is 200 while the process answers at all (liveness: restart it if not);
 * `GET /readyz` is 200 when the database answers a trivial query within `READINESS_TIMEOUT_MS` and
 * the signing keys are loaded, else 503 with `Retry-After` and a JSON reason (readiness: send it no
 * traffic until then). Both are JSON, `no-store`, with the provider's security headers (the server's
 * hook), and exempt from rate limiting. Checks that overlap share one query, so a flood of probes
 * against a hanging database costs one connection, not one each.
 */
export async function healthRoutes<Schema>(
  app: FastifyInstance,
  options: { db: Kysely<Schema>; keysLoaded: () => boolean },
): Promise<void> {
  let inFlight: ReturnType<typeof checkReadiness> | undefined
  const readiness = () => {
    inFlight ??= checkReadiness(options.db, options.keysLoaded, READINESS_TIMEOUT_MS).finally(
      () => {
        inFlight = undefined
      },
    )
    return inFlight
  }
  const config = { exemptFromRateLimit: true }

  app.get('/healthz', { config }, async (_request, reply) =>
    reply.headers(NO_STORE).send({ status: 'ok' }),
  )
  app.get('/readyz', { config }, async (request, reply) => {
    const result = await readiness()
    reply.headers(NO_STORE)
    if (result.ready) return reply.send({ status: 'ready' })
    const { refusal, reason } = result
    request.log.warn({ reason: refusal.appMessage }, 'not ready')
    return reply
      .code(refusal.statusCode)
      .header('retry-after', String(refusal.retryAfterSeconds))
      .send({ status: 'not ready', reason, error: refusal.error, message: refusal.appMessage })
  })
}

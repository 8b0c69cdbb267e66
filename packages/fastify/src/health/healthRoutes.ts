import type { FastifyInstance } from 'fastify'
import { refuse } from '../refuse.ts'
import type { SessionStore } from '../sessions/SessionStore.ts'
import type { IssuerClient } from '../tokens/IssuerClient.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route is never rate-limited: probes come every few seconds from the load balancer, and a
     * probe refused with 429 would take a healthy instance out of service. A rate limiter must skip
     * routes that carry this flag (the provider's health routes carry it too).
     */
    exemptFromRateLimit?: boolean
  }
}

/** The longest `/readyz` waits for the provider and the session database together. */
export const READINESS_TIMEOUT_MS = 3000

/** What readiness needs: the provider's client, and the session store when sessions are on. */
export interface HealthChecks {
  issuer: IssuerClient
  sessions: SessionStore | undefined
}

/**
 * The `health` option: `GET /healthz` is 200 while the API answers at all; `GET /readyz` is 200
 * when the provider's discovery and keys answer and the session store does (when there is one),
 * all within `READINESS_TIMEOUT_MS`, else 503 `not_ready` with Retry-After and the reason. Both are
 * `no-store` and exempt from rate limiting. Overlapping probes share one check.
 */
export function healthRoutes(app: FastifyInstance, checks: HealthChecks): void {
  let inFlight: Promise<string | undefined> | undefined
  const readiness = () => {
    inFlight ??= whyNotReady(checks).finally(() => {
      inFlight = undefined
    })
    return inFlight
  }
  const config = { exemptFromRateLimit: true }
  app.get('/healthz', { config }, async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ status: 'ok' }),
  )
  app.get('/readyz', { config }, async (request, reply) => {
    const reason = await readiness()
    if (reason === undefined)
      return reply.header('cache-control', 'no-store').send({ status: 'ready' })
    request.log.warn({ reason }, 'not ready')
    return refuse(reply, 'notReady', { reason })
  })
}

/** Why the API cannot serve now, or undefined when it can. */
async function whyNotReady(checks: HealthChecks): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<string>((resolve) => {
    timer = setTimeout(
      () => resolve(`the checks did not finish within ${READINESS_TIMEOUT_MS} ms`),
      READINESS_TIMEOUT_MS,
    )
  })
  const issuer = checks.issuer.reachable().then(
    () => undefined,
    (error: Error) => error.message,
  )
  const sessions = (checks.sessions?.ping?.() ?? Promise.resolve()).then(
    () => undefined,
    (error: Error) => `the session database cannot be queried (${error.message.split('\n')[0]})`,
  )
  try {
    return await Promise.race([
      Promise.all([issuer, sessions]).then((reasons) => reasons.find(Boolean)),
      timedOut,
    ])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * A server under test, run as a child process of `run.ts` (so it has a core's event loop to itself,
 * not shared with the load generator or the provider). `process.argv[2]` picks the app:
 *
 * - `bare`: Fastify alone, `GET /hello` answering a small JSON object (the ceiling);
 * - `plugin`: the `passkeyId` plugin (no docs) and `GET /me` behind `app.authenticate`, answering
 *   `{ sub }`, so the cost measured is the token check and not the provider's userinfo;
 * - `proxy`: the seed's pattern, `GET /userinfo` forwarding the caller's Authorization header to the
 *   provider's userinfo endpoint on every request.
 *
 * Env: ISSUER, APP_URL. It listens on a free port, sends `{ port }` to the parent, and answers a
 * `'stats'` message with its `ServerStats`.
 */
import { passkeyId } from '@passkey-id/fastify'
import Fastify, { type FastifyInstance } from 'fastify'

export type ServerKind = 'bare' | 'plugin' | 'proxy'

/** What the server answers to a `'stats'` message. */
export interface ServerStats {
  /** Resident memory now, and its high-water mark (from the kernel), in bytes. */
  rss: number
  maxRss: number
  /** CPU time used so far (user + system), in microseconds. */
  cpu: number
}

async function build(kind: ServerKind, issuer: string, appUrl: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  if (kind === 'bare') {
    app.get('/hello', async () => ({ hello: 'world' }))
  } else if (kind === 'plugin') {
    await app.register(passkeyId, { issuer, appUrl, docs: false })
    app.get('/me', { onRequest: app.authenticate }, async (request) => ({
      sub: request.user?.sub,
    }))
  } else {
    app.get('/userinfo', async (request, reply) => {
      const response = await fetch(`${issuer}/openid/userinfo`, {
        headers: { authorization: request.headers.authorization ?? '' },
      })
      // The provider's status is passed on, so a refused token shows up as a non-2xx in the results.
      return reply.code(response.status).send(await response.json())
    })
  }
  return app
}

const kind = process.argv[2] as ServerKind
const app = await build(kind, String(process.env.ISSUER), String(process.env.APP_URL))
await app.listen({ port: 0, host: '127.0.0.1' })
const address = app.server.address()
process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 })

process.on('message', (message) => {
  if (message !== 'stats') return
  const usage = process.resourceUsage()
  const stats: ServerStats = {
    rss: process.memoryUsage().rss,
    maxRss: usage.maxRSS * 1024,
    cpu: usage.userCPUTime + usage.systemCPUTime,
  }
  process.send?.(stats)
})
// The parent ends this process with SIGTERM; closing lets requests in flight finish first.
process.on('SIGTERM', () => {
  app.close().finally(() => process.exit(0))
})

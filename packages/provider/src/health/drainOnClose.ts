import type { FastifyInstance } from 'fastify'

/** How often, while the server closes, connections that went idle are closed. */
const SWEEP_MS = 50

/**
 * Makes closing the server end as soon as the last request in flight is answered. Node closes the
 * connections that are idle when the server starts closing; one that is answering a request stays
 * open after its answer (keep-alive) until the client leaves or its keep-alive timeout passes, and
 * a stop (SIGTERM) would wait for it to its bound. Here the connections that have gone idle are
 * closed every SWEEP_MS from the start of the close until the server has closed.
 */
export function drainOnClose(app: FastifyInstance): void {
  app.addHook('preClose', async () => {
    const sweep = setInterval(() => app.server.closeIdleConnections(), SWEEP_MS)
    sweep.unref()
    app.server.once('close', () => clearInterval(sweep))
  })
}

// `@passkey-id/runtime/server`, outside the package's index: processes that only read settings (the
// CLI's database commands, through the store) do not load Fastify.
import type { Server } from 'node:http'
import Fastify, { type FastifyHttpOptions } from 'fastify'
import { lazySchemaCompilers } from './lazySchemaCompilers.ts'

/**
 * Bounds on time for every server the project starts (the provider and the demo). Fastify's own
 * defaults wait forever for a client that stalls (`requestTimeout` and `connectionTimeout` are 0):
 * with these, a client that stalls mid-request is cut off within 16 s, one that goes silent within
 * 10 s. The plugin's README gives the same table to the APIs that use it.
 */
export const SERVER_LIMITS = {
  // No byte either way for 10 s ends the connection: a stalled body, or a client that stopped
  // reading. It also bounds a handler's own time: the servers' slowest work answers sooner (calls to
  // the provider time out after 5 s; the database's statements and pool waits after 5 s, then 503).
  connectionTimeout: 10_000,
  // The whole request, headers and body, must arrive within 15 s: this catches a client that sends
  // a byte now and then to dodge the idle timeout.
  requestTimeout: 15_000,
  // Idle keep-alive connections close after 5 s (Node's default), or after `KEEP_ALIVE_BEHIND_PROXY`.
  keepAliveTimeout: 5_000,
  // A client reconnects after 1,000 requests, so one connection cannot be kept forever.
  maxRequestsPerSocket: 1_000,
  http: {
    // Headers within 10 s (slowloris); and Node checks both request timeouts every second, not every
    // 30 s as by default, which would let a stalled request live 45 s.
    headersTimeout: 10_000,
    connectionsCheckingInterval: 1_000,
  },
} as const satisfies FastifyHttpOptions<Server>

/**
 * The idle keep-alive timeout behind a proxy or load balancer: longer than their usual idle timeout
 * (60 s), so that they never reuse a connection the server is closing (a 502 for the person). Fastify's
 * own default, for that reason.
 */
export const KEEP_ALIVE_BEHIND_PROXY = 72_000

/**
 * At most this many connections at once; more are dropped at once. A stalled connection costs about
 * 30 KB and a file descriptor: 500 of them stay well under the common limit of 1,024 open files.
 */
export const MAX_CONNECTIONS = 500

/** Fastify's options, without those `SERVER_LIMITS` sets and the schema compilers. */
export type UnboundedOptions = Omit<
  FastifyHttpOptions<Server>,
  keyof typeof SERVER_LIMITS | 'schemaController'
>

/**
 * Creates a Fastify server with the project's bounds on time (`SERVER_LIMITS`) and connections
 * (`MAX_CONNECTIONS`), the one place the provider and the demo take them from, so that no server the
 * project starts can hold a stalled client forever. `behindProxy` (TRUST_PROXY is set) keeps idle
 * connections for `KEEP_ALIVE_BEHIND_PROXY`.
 *
 * Route schemas are compiled on first use, then all of them once the server listens
 * (`lazySchemaCompilers`): a start does not wait for them.
 */
export function boundedFastify(options: UnboundedOptions, { behindProxy = false } = {}) {
  const schemas = lazySchemaCompilers()
  const app = Fastify({
    ...options,
    ...SERVER_LIMITS,
    keepAliveTimeout: behindProxy ? KEEP_ALIVE_BEHIND_PROXY : SERVER_LIMITS.keepAliveTimeout,
    schemaController: { compilersFactory: schemas.compilersFactory },
  })
  app.server.maxConnections = MAX_CONNECTIONS
  app.addHook('onListen', () => {
    // Not awaited, so that `listen` returns at once. A schema that does not compile ends the
    // process with an unhandled rejection naming its route, as Fastify's own compilers fail a start.
    void schemas.compilePending()
  })
  return app
}

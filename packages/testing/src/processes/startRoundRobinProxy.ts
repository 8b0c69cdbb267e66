import { createServer, type IncomingHttpHeaders, request } from 'node:http'
import { freePort } from '../http/freePort.ts'

/** One request the proxy passed on: which backend (its index in the list) served it, and how. */
export interface ProxiedRequest {
  method: string
  /** The path and query, as the client sent them. */
  path: string
  backend: number
  /** The backend's status, or 502 when it could not be reached. */
  status: number
}

/** An HTTP load balancer in front of several backends, for tests of several instances. */
export interface RoundRobinProxy {
  port: number
  /** `http://localhost:<port>`: the public URL (issuer) the backends are given. */
  url: string
  /** Every request passed on so far, in the order they arrived. */
  log: ProxiedRequest[]
  /** Stops accepting and ends the connections it holds. */
  close(): Promise<void>
}

/** Hop-by-hop headers (RFC 9110 §7.6.1), which concern one connection and are not passed on. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade']
/** The longest the proxy waits for a backend's answer before answering 502 itself. */
const BACKEND_TIMEOUT_MS = 30_000

/**
 * Listens on `port` of localhost (default a free one; a fixed one when the backends' public URL
 * was theirs before, as a balancer takes over the port one instance served alone) and passes
 * each HTTP request (not each connection: a browser or a client keeps one connection for many
 * requests) to the next of `backendPorts` on localhost in turn, on a new connection closed after
 * its answer, so that consecutive requests land on different backends. The Host header goes
 * through unchanged, as behind a load balancer. A backend that cannot be reached (stopped for a
 * restart, say) is answered 502, and logged as such.
 */
export async function startRoundRobinProxy(
  backendPorts: readonly number[],
  port?: number,
): Promise<RoundRobinProxy> {
  const listening = port ?? (await freePort())
  const log: ProxiedRequest[] = []
  let next = 0
  const server = createServer((incoming, outgoing) => {
    const backend = next
    next = (next + 1) % backendPorts.length
    const entry: ProxiedRequest = {
      method: incoming.method ?? 'GET',
      path: incoming.url ?? '/',
      backend,
      status: 502,
    }
    log.push(entry)
    const upstream = request(
      {
        host: 'localhost',
        port: backendPorts[backend],
        method: incoming.method,
        path: incoming.url,
        headers: withoutHopByHop(incoming.headers),
        agent: false,
        timeout: BACKEND_TIMEOUT_MS,
      },
      (answer) => {
        entry.status = answer.statusCode ?? 502
        outgoing.writeHead(entry.status, withoutHopByHop(answer.headers))
        answer.pipe(outgoing)
      },
    )
    upstream.on('timeout', () => upstream.destroy(new Error('backend timeout')))
    upstream.on('error', () => {
      if (outgoing.headersSent) outgoing.destroy()
      else outgoing.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway')
    })
    incoming.pipe(upstream)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(listening, 'localhost', () => {
      server.off('error', reject)
      resolve()
    })
  })
  return {
    port: listening,
    url: `http://localhost:${listening}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept = { ...headers }
  for (const name of HOP_BY_HOP) delete kept[name]
  return kept
}

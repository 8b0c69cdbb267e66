/**
 * The benchmark's load balancer, run in a process of its own so that its CPU can be read apart: it
 * listens on PORT of localhost and passes each request to the next of BACKEND_PORTS (comma-separated,
 * on localhost) in turn, as `startRoundRobinProxy` of @passkey-id/testing does. Unlike that test
 * fixture, which opens a new connection to a backend for each request (so that a test can tell which
 * instance served it), this one keeps its connections to the backends open, as a production balancer
 * does: a new TCP connection per request would make the proxy, not the instances, what is measured.
 */
import { Agent, createServer, type IncomingHttpHeaders, request } from 'node:http'
import { reportReady } from '@passkey-id/runtime'

/** Hop-by-hop headers (RFC 9110 §7.6.1), which concern one connection and are not passed on. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade']
/** The longest the proxy waits for a backend's answer. */
const BACKEND_TIMEOUT_MS = 30_000

const port = Number(process.env.PORT)
const backends = (process.env.BACKEND_PORTS ?? '').split(',').map(Number)
if (!(port > 0) || backends.length === 0 || !backends.every((backend) => backend > 0))
  throw new Error('roundRobinProxy needs PORT and BACKEND_PORTS (comma-separated ports)')

const agent = new Agent({ keepAlive: true, maxSockets: 64 })
let next = 0

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept = { ...headers }
  for (const name of HOP_BY_HOP) delete kept[name]
  return kept
}

const server = createServer((incoming, outgoing) => {
  const backend = backends[next]
  next = (next + 1) % backends.length
  const upstream = request(
    {
      host: 'localhost',
      port: backend,
      method: incoming.method,
      path: incoming.url,
      headers: withoutHopByHop(incoming.headers),
      agent,
    },
    (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, withoutHopByHop(answer.headers))
      answer.pipe(outgoing)
    },
  )
  // A failed request fails its sign-in, which stops the benchmark: no 502 page is needed.
  upstream.setTimeout(BACKEND_TIMEOUT_MS, () => upstream.destroy())
  upstream.on('error', () => outgoing.destroy())
  incoming.pipe(upstream)
})
server.listen(port, 'localhost', reportReady)
process.once('SIGTERM', () => {
  server.close()
  server.closeAllConnections()
  agent.destroy()
})

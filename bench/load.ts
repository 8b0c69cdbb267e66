/**
 * The load generator, run as a child process of `run.ts` so autocannon's event loop is not the
 * server's. It receives one `LoadRequest` message, runs autocannon, sends back a `LoadResult` and
 * exits.
 */
import autocannon from 'autocannon'

/** One run: `tokens` holds one token (the same on every request) or a pool (a new one per request). */
export interface LoadRequest {
  url: string
  connections: number
  /** Seconds; with a pool, the run also ends when the pool is used up. */
  duration: number
  tokens: string[]
}

export interface LoadResult {
  /** Seconds the run actually took. */
  duration: number
  requests: number
  requestsPerSecond: number
  /** Latency percentiles, in milliseconds. */
  p50: number
  p99: number
  /** Connection errors and timeouts. */
  errors: number
  non2xx: number
  /** Responses per status code, e.g. `{ "200": 1000, "503": 3 }`. */
  statusCodes: Record<string, number>
  /** With a pool: requests that had to reuse a token (should be 0). */
  tokensReused: number
  /** CPU the load generator used, in cores (1 = one core busy all the time): near 1, it is the limit. */
  cpu: number
}

function run({ url, connections, duration, tokens }: LoadRequest): Promise<LoadResult> {
  const pool = tokens.length > 1
  let next = 0
  const options: autocannon.Options = {
    url,
    connections,
    headers: { authorization: `Bearer ${tokens[0]}` },
  }
  if (pool) {
    // autocannon builds each connection's next request before it is sent, so up to one request per
    // connection is built and never sent: stopping `connections` short of the pool keeps every sent
    // request on a token of its own. If that reasoning ever fails, reused tokens are counted, not hidden.
    options.amount = Math.max(connections, tokens.length - connections)
    options.requests = [
      {
        setupRequest: (request) => {
          const token = tokens[next % tokens.length]
          next += 1
          return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } }
        },
      },
    ]
  } else {
    options.duration = duration
  }
  const cpuBefore = process.cpuUsage()
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) => {
      clearTimeout(timer)
      if (error) return reject(error)
      const statusCodes = Object.fromEntries(
        Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, Number(count)]),
      )
      const cpu = process.cpuUsage(cpuBefore)
      const requests = Object.values(statusCodes).reduce((sum, count) => sum + count, 0)
      resolve({
        duration: result.duration,
        requests,
        requestsPerSecond: requests / result.duration,
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors,
        non2xx: result.non2xx,
        statusCodes,
        tokensReused: pool ? Math.max(0, next - tokens.length) : 0,
        cpu: (cpu.user + cpu.system) / 1e6 / result.duration,
      })
    })
    // With `amount` set autocannon ignores `duration`, so the time limit is ours.
    const timer = setTimeout(() => instance.stop(), duration * 1000)
  })
}

process.once('message', async (message) => {
  process.send?.(await run(message as LoadRequest))
  process.disconnect()
})

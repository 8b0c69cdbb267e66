// autocannon ships no types (and @types/autocannon describes v7): only what `load.ts` uses.
declare module 'autocannon' {
  namespace autocannon {
    interface Request {
      headers?: Record<string, string>
      /** Called before each request is built; returns the request to send. */
      setupRequest?: (request: Request) => Request
    }
    interface Options {
      url: string
      connections?: number
      /** Seconds. */
      duration?: number
      /** Requests to send in all; when set, `duration` is ignored. */
      amount?: number
      headers?: Record<string, string>
      requests?: Request[]
    }
    interface Histogram {
      average: number
      p50: number
      p99: number
    }
    interface Result {
      /** Seconds. */
      duration: number
      latency: Histogram
      requests: Histogram & { total: number }
      errors: number
      timeouts: number
      non2xx: number
      statusCodeStats: Record<string, { count: number | string }>
    }
    interface Instance {
      stop(): void
    }
  }
  function autocannon(
    options: autocannon.Options,
    done: (error: Error | null, result: autocannon.Result) => void,
  ): autocannon.Instance
  export default autocannon
}

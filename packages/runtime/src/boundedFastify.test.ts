import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import {
  boundedFastify,
  KEEP_ALIVE_BEHIND_PROXY,
  MAX_CONNECTIONS,
  SERVER_LIMITS,
} from './boundedFastify.ts'

describe('boundedFastify', () => {
  it('bounds every wait of the server it makes, and keeps the options it is given', async () => {
    const app = boundedFastify({ bodyLimit: 1234 })
    try {
      const { server } = app
      expect(server.timeout).toBe(SERVER_LIMITS.connectionTimeout)
      expect(server.requestTimeout).toBe(SERVER_LIMITS.requestTimeout)
      expect(server.headersTimeout).toBe(SERVER_LIMITS.http.headersTimeout)
      expect(server.keepAliveTimeout).toBe(SERVER_LIMITS.keepAliveTimeout)
      expect(server.maxRequestsPerSocket).toBe(SERVER_LIMITS.maxRequestsPerSocket)
      expect(server.maxConnections).toBe(MAX_CONNECTIONS)
      expect(app.initialConfig.bodyLimit).toBe(1234)
      // Within the bound: a client that stalls is cut off within 30 s.
      for (const wait of [
        SERVER_LIMITS.connectionTimeout,
        SERVER_LIMITS.requestTimeout + SERVER_LIMITS.http.connectionsCheckingInterval,
        SERVER_LIMITS.http.headersTimeout + SERVER_LIMITS.http.connectionsCheckingInterval,
      ])
        expect(wait).toBeLessThan(30_000)
    } finally {
      await app.close()
    }
  })

  it('keeps idle connections longer than a balancer does when behind a proxy', async () => {
    const app = boundedFastify({}, { behindProxy: true })
    try {
      expect(app.server.keepAliveTimeout).toBe(KEEP_ALIVE_BEHIND_PROXY)
      expect(KEEP_ALIVE_BEHIND_PROXY).toBeGreaterThan(60_000)
      expect(app.server.requestTimeout).toBe(SERVER_LIMITS.requestTimeout)
    } finally {
      await app.close()
    }
  })

  it('ends the process, naming the route, when a route schema does not compile once it listens', () => {
    // Fastify's own compilers would refuse this at start; here it is compiled after `listen`.
    const script = `import { boundedFastify } from ${JSON.stringify(new URL('./boundedFastify.ts', import.meta.url).href)}
const app = boundedFastify({})
app.post('/broken', { schema: { body: { type: 'objekt' } } }, async () => 'ok')
await app.listen({ port: 0, host: '127.0.0.1' })
setTimeout(() => process.exit(0), 20_000)`
    const typeStripping = process.features.typescript ? [] : ['--import', 'tsx']
    const ended = spawnSync(
      process.execPath,
      [...typeStripping, '--input-type=module', '--eval', script],
      { encoding: 'utf8', timeout: 30_000 },
    )
    expect(ended.status).toBe(1)
    expect(ended.stderr).toContain('the body schema of POST /broken does not compile')
  })
})

import { MAX_CONNECTIONS } from '@passkey-id/runtime/server'
import { CUT_OFF_WITHIN_MS, lifetimePastTheCap, stallEveryWay } from '@passkey-id/testing/http'
import { startTestProvider, type TestProvider } from '@passkey-id/testing/provider'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The attack: 5 connections that stalled mid-body were still open after 330 s, and 3,000 of
// them cost 3,032 file descriptors and 90 MB. Fastify's requestTimeout and connectionTimeout were 0.
describe('the provider cuts off clients that stall (bounded time)', () => {
  let provider: TestProvider
  let port: number

  beforeAll(async () => {
    provider = await startTestProvider()
    port = Number(new URL(provider.url).port)
  })
  afterAll(async () => {
    await provider?.close()
  })

  /** The head of a JSON post to a sign-in step: Fastify reads its body before any check. */
  const head = (length: number) =>
    `POST /interaction/stalled/sign-in HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`

  it('closes a connection that stalls mid-body, drips its body or its headers, or never speaks, within 30 s', async () => {
    const stalled = await stallEveryWay(port, {
      bodyHead: head,
      headersStart: 'GET /healthz HTTP/1.1\r\n',
    })
    for (const [way, { lifetime }] of Object.entries(stalled))
      expect(lifetime, way).toBeLessThan(CUT_OFF_WITHIN_MS)
    // A dripping client is told why it was cut off, in the provider's own refusal.
    expect(stalled.drippingBody.received).toMatch(/^HTTP\/1\.1 408 /)
    expect(stalled.drippingBody.received).toContain('The request did not arrive in time.')
    expect(stalled.drippingHeaders.received).toMatch(/^HTTP\/1\.1 408 /)
    // The provider still answers everyone else.
    expect((await fetch(`${provider.url}/healthz`)).status).toBe(200)
  }, 40_000)

  it('holds no more than its cap of connections at once', async () => {
    expect(provider.app.server.maxConnections).toBe(MAX_CONNECTIONS)
    // Over the cap, the server drops the connection at once rather than holding it.
    expect(await lifetimePastTheCap(port, MAX_CONNECTIONS)).toBeLessThan(2_000)
    expect((await fetch(`${provider.url}/healthz`)).status).toBe(200)
  })
})

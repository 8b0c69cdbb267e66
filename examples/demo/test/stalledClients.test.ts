import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { startTestDemo, type TestDemo } from '@passkey-id/testing/demo'
import {
  CUT_OFF_WITHIN_MS,
  lifetimePastTheCap,
  stallEveryWay,
  TestBrowser,
} from '@passkey-id/testing/http'
import { startTestProvider, type TestProvider } from '@passkey-id/testing/provider'
import { discoverAsApp, signInWithCodeFlow } from '@passkey-id/testing/sign-in'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

describe('the demo cuts off clients that stall (bounded time)', () => {
  let provider: TestProvider
  let demo: TestDemo
  let port: number
  /** A valid access token, so that `POST /session` gets past authentication and reads the body. */
  let token: string
  beforeAll(async () => {
    provider = await startTestProvider()
    demo = await startTestDemo(provider)
    port = Number(new URL(demo.url).port)
    const { tokens } = await signInWithCodeFlow(
      await discoverAsApp(provider.url, demo.url),
      new TestBrowser(),
      createSoftwareAuthenticator(),
      {
        redirectUri: `${demo.url}/docs/static/oauth2-redirect.html`,
        scope: 'openid',
        script: { signUp: { username: 'staller' } },
      },
    )
    token = tokens.access_token
  })
  afterAll(async () => {
    await demo?.close()
    await provider?.close()
  })

  /** The head of a `POST /session` that authenticates, so that the route waits for its body. */
  const head = (length: number) =>
    `POST /session HTTP/1.1\r\nHost: localhost:${port}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`

  it('closes a connection that stalls mid-body, drips its body or its headers, or never speaks, within 30 s', async () => {
    const stalled = await stallEveryWay(port, {
      bodyHead: head,
      headersStart: 'GET /userinfo HTTP/1.1\r\n',
    })
    for (const { lifetime } of Object.values(stalled))
      expect(lifetime).toBeLessThan(CUT_OFF_WITHIN_MS)
    // Nothing was answered to the stalled bodies but, for a dripping client, why it was cut off.
    expect(stalled.silentMidBody.received).toBe('')
    expect(stalled.drippingBody.received).toMatch(/^HTTP\/1\.1 408 /)
    expect(stalled.drippingHeaders.received).toMatch(/^HTTP\/1\.1 408 /)
    // The server still answers everyone else.
    expect((await fetch(`${demo.url}/userinfo`)).status).toBe(401)
  }, 40_000)

  it('holds no more than its cap of connections at once', async () => {
    const cap = demo.app.server.maxConnections
    expect(cap).toBeGreaterThan(0)
    expect(cap).toBeLessThanOrEqual(1_000)
    // Over the cap, the server drops the connection at once rather than holding it.
    expect(await lifetimePastTheCap(port, cap)).toBeLessThan(2_000)
    expect((await fetch(`${demo.url}/userinfo`)).status).toBe(401)
  })
})

import { PAGE_ACCEPT, TestBrowser, visibleText } from '@passkey-id/testing/http'
import {
  LOOPBACK_APP,
  LOOPBACK_REDIRECT_URI,
  type ProviderWithAccount,
  startProviderWithAccount,
} from '@passkey-id/testing/provider'
import { buildAuthorizationRequest, type OpenInteraction } from '@passkey-id/testing/sign-in'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const KiB = 1024
const PASSKEY_STEPS = ['sign-in/options', 'sign-in', 'sign-up/options', 'sign-up'] as const

describe('oversized, malformed and mistyped input gets a 4xx, never a 5xx', () => {
  let fixture: ProviderWithAccount
  let browser: TestBrowser
  let interaction: OpenInteraction

  beforeAll(async () => {
    fixture = await startProviderWithAccount()
    ;({ browser, interaction } = await fixture.openSignInPage())
  })
  afterAll(() => fixture.close())

  /** Posts a raw body to a passkey step of the open interaction, as the page's script would. */
  async function postRaw(step: string, body: string, contentType = 'application/json') {
    const response = await browser.fetch(`${interaction.base}/${step}`, {
      method: 'POST',
      headers: { 'content-type': contentType, accept: 'application/json' },
      body,
    })
    const text = await response.text()
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    return { status: response.status, body: JSON.parse(text) as Record<string, unknown> }
  }

  /** A well-formed assertion envelope, with `changes` applied, for schema checks. */
  function assertionWith(changes: Record<string, unknown>) {
    return {
      id: 'AAAA',
      rawId: 'AAAA',
      type: 'public-key',
      clientExtensionResults: {},
      response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' },
      ...changes,
    }
  }

  describe('body size', () => {
    it.each(PASSKEY_STEPS)('refuses JSON over 16 KiB to %s with 413', async (step) => {
      const body = JSON.stringify({ username: 'bob', padding: 'x'.repeat(17 * KiB) })
      expect(await postRaw(step, body)).toEqual({
        status: 413,
        body: { error: 'invalid_request', message: 'The request is too large.' },
      })
    })

    it('refuses a consent form over 4 KiB with a 413 page', async () => {
      const response = await browser.fetch(`${interaction.base}/consent`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: PAGE_ACCEPT },
        body: new URLSearchParams({ decision: 'allow', padding: 'x'.repeat(5 * KiB) }),
      })
      expect(response.status).toBe(413)
      expect(response.headers.get('content-type')).toMatch(/^text\/html/)
      expect(visibleText(await response.text())).toContain('The request is too large.')
    })

    it.each(['token', 'introspect'])(
      'refuses a form over 56 KiB at /openid/%s with invalid_request',
      async (endpoint) => {
        const response = await fetch(`${fixture.provider.url}/openid/${endpoint}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            client_id: LOOPBACK_APP,
            token: 'x',
            code: 'x'.repeat(64 * KiB),
          }),
        })
        expect(response.status).toBe(400)
        expect(await response.json()).toEqual({
          error: 'invalid_request',
          error_description: 'failed to parse the request body',
        })
      },
    )

    it.each([
      ['state', 20 * KiB],
      ['state', 100 * KiB],
      ['client_id', 20 * KiB],
    ])('refuses an authorization URL with a %s of %i characters', async (param, length) => {
      const request = await buildAuthorizationRequest(fixture.config, {
        redirectUri: LOOPBACK_REDIRECT_URI,
        parameters: { [param]: 'x'.repeat(length) },
      })
      // Node's parser refuses it while the client is still sending: the 431 must arrive, not a
      // reset, every time (it used to be a reset now and then).
      for (let attempt = 0; attempt < 10; attempt++) {
        const response = await new TestBrowser().fetch(request.url, {
          headers: { accept: PAGE_ACCEPT },
        })
        const body = await response.json()
        expect(response.status).toBe(431)
        expect(body).toMatchObject({ error: 'invalid_request' })
        expect(response.headers.get('location')).toBeNull()
        expect(response.headers.get('x-frame-options')).toBe('DENY')
      }
    })

    it('refuses a long client_id that still fits in a request line with a page', async () => {
      const clientId = `https://${'a'.repeat(8 * KiB)}.example.com/x`
      const request = await buildAuthorizationRequest(fixture.config, {
        redirectUri: LOOPBACK_REDIRECT_URI,
        parameters: { client_id: clientId },
      })
      const response = await new TestBrowser().fetch(request.url, {
        headers: { accept: PAGE_ACCEPT },
      })
      expect(response.status).toBe(400)
      expect(response.headers.get('location')).toBeNull()
      // Every parameter oidc-provider would store is bounded: this one is refused for its length.
      expect(visibleText(await response.text())).toContain(
        `its client_id has ${clientId.length} bytes, and at most 2048 are accepted`,
      )
    })

    it('refuses an interaction id longer than any real one', async () => {
      const response = await new TestBrowser().fetch(
        `${fixture.provider.url}/interaction/${'x'.repeat(2 * KiB)}`,
        { headers: { accept: PAGE_ACCEPT } },
      )
      await response.body?.cancel()
      expect(response.status).toBeGreaterThanOrEqual(400)
      expect(response.status).toBeLessThan(500)
    })
  })

  describe('malformed bodies', () => {
    it.each([
      ['cut-off JSON', '{"username": '],
      ['JSON with a trailing comma', '{"username": "bob",}'],
      ['not JSON at all', 'username=bob'],
    ])('refuses %s with 400', async (_case, body) => {
      const answer = await postRaw('sign-up/options', body)
      expect(answer.status).toBe(400)
      expect(answer.body).toEqual({
        error: 'invalid_request',
        message: expect.stringMatching(/not valid JSON/),
      })
    })

    it('refuses an empty JSON body with 400', async () => {
      const answer = await postRaw('sign-in', '')
      expect(answer.status).toBe(400)
      expect(answer.body.error).toBe('invalid_request')
      expect(answer.body.message).toMatch(/empty/)
    })

    it('refuses prototype poisoning with 400', async () => {
      const answer = await postRaw('sign-up/options', '{"username":"bob","__proto__":{"x":1}}')
      expect(answer.status).toBe(400)
      expect(answer.body.error).toBe('invalid_request')
    })

    it('refuses deeply nested JSON with 400', async () => {
      const depth = 5000
      const answer = await postRaw('sign-in', `${'['.repeat(depth)}${']'.repeat(depth)}`)
      expect(answer.status).toBe(400)
      expect(answer.body).toEqual({
        error: 'invalid_request',
        message: 'The request is malformed: body must be object.',
      })
    })

    it('refuses a token request with a parameter given twice', async () => {
      const body = new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: LOOPBACK_APP,
      })
      body.append('code', 'one')
      body.append('code', 'two')
      const response = await fetch(`${fixture.provider.url}/openid/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      })
      expect(response.status).toBe(400)
      expect(await response.json()).toMatchObject({ error: 'invalid_request' })
    })
  })

  describe('content types', () => {
    it.each([
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/xml',
      'multipart/form-data; boundary=x',
    ])('refuses %s at every passkey step with 415', async (contentType) => {
      for (const step of PASSKEY_STEPS) {
        expect(await postRaw(step, '{"username":"bob"}', contentType)).toEqual({
          status: 415,
          body: {
            error: 'invalid_request',
            message: 'The request has a content type this endpoint does not take; send JSON.',
          },
        })
      }
    })
  })

  describe('fields of the wrong type (schema)', () => {
    it.each([
      ['an id that is an object', assertionWith({ id: {} }), 'body/id must be string'],
      ['an id that is not base64url', assertionWith({ id: 'a+b/c=' }), 'body/id must match'],
      ['a type other than public-key', assertionWith({ type: 'password' }), 'body/type'],
      ['a response that is a string', assertionWith({ response: 'x' }), 'body/response'],
      [
        'a response without its signature',
        assertionWith({ response: { clientDataJSON: 'e30', authenticatorData: 'AAAA' } }),
        "must have required property 'signature'",
      ],
      [
        'a signature of 2 KiB',
        assertionWith({
          response: {
            clientDataJSON: 'e30',
            authenticatorData: 'AAAA',
            signature: 'A'.repeat(2048),
          },
        }),
        'body/response/signature',
      ],
      [
        'too many extension results',
        assertionWith({
          clientExtensionResults: Object.fromEntries(
            Array.from({ length: 21 }, (_, index) => [`x${index}`, true]),
          ),
        }),
        'body/clientExtensionResults',
      ],
      ['an array', [], 'body must be object'],
      ['null', null, 'body must be object'],
    ])('refuses a sign-in answer with %s', async (_case, body, message) => {
      const answer = await postRaw('sign-in', JSON.stringify(body))
      expect(answer.status).toBe(400)
      expect(answer.body.error).toBe('invalid_request')
      expect(answer.body.message).toMatch(/^The request is malformed: /)
      expect(answer.body.message).toContain(message)
    })

    it('refuses a registration answer without its attestation', async () => {
      const answer = await postRaw(
        'sign-up',
        JSON.stringify(assertionWith({ response: { clientDataJSON: 'e30' } })),
      )
      expect(answer.status).toBe(400)
      expect(answer.body.message).toContain("must have required property 'attestationObject'")
    })

    it.each([
      ['other than allow or deny', 'decision=maybe'],
      ['given twice', 'decision=allow&decision=deny'],
    ])('refuses a consent decision %s with a page', async (_case, body) => {
      const response = await browser.fetch(`${interaction.base}/consent`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: PAGE_ACCEPT },
        body,
      })
      expect(response.status).toBe(400)
      expect(response.headers.get('content-type')).toMatch(/^text\/html/)
      expect(visibleText(await response.text())).toContain('The request is malformed')
    })
  })

  it('keeps serving, and the open sign-in still works after all that', async () => {
    const options = await browser.postJson(`${interaction.base}/sign-in/options`, {})
    expect(options.status).toBe(200)
    const done = await browser.postJson(
      `${interaction.base}/sign-in`,
      fixture.authenticator.authenticate(options.body as never, { origin: fixture.provider.url }),
    )
    expect(done.status).toBe(200)
  })

  it('still signs the existing account in afterwards, with the same subject', async () => {
    await fixture.expectAccountStillSignsIn()
  })
})

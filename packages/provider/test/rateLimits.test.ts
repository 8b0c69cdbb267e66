import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { PAGE_ACCEPT, rawRequest, TestBrowser } from '@passkey-id/testing/http'
import {
  LOOPBACK_APP,
  LOOPBACK_REDIRECT_URI,
  type ProviderWithAccount,
  startProviderWithAccount,
  startTestProvider,
  type TestProvider,
} from '@passkey-id/testing/provider'
import { openAccountPage, signInWithCodeFlow } from '@passkey-id/testing/sign-in'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LIMITS } from '../src/limits/limitTable.ts'

// Each limit driven past its bound from one client (this test, on 127.0.0.1 or ::1), on a provider
// of its own (SQLite: counters in memory; the postgres project: in the database's table).

/** A request the way a client without a browser sends it, same-origin as the pages' script does. */
async function post(url: string, body: unknown, accept = 'application/json') {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, 'sec-fetch-site': 'same-origin' },
    body: JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, text }
}

/** Posts `count` requests made by `send`, 20 at a time, and returns their statuses in order. */
async function flood(count: number, send: (index: number) => Promise<{ status: number }>) {
  const statuses: number[] = []
  for (let start = 0; start < count; start += 20) {
    const batch = Array.from({ length: Math.min(20, count - start) }, (_, i) => send(start + i))
    for (const answer of await Promise.all(batch)) statuses.push(answer.status)
  }
  return statuses
}

/** Checks a refusal: 429, Retry-After within the window, and the catalogue's JSON or page. */
function expectRefusal(
  answer: { status: number; headers: Headers; text: string },
  windowSeconds: number,
  as: 'json' | 'page',
) {
  expect(answer.status).toBe(429)
  const retryAfter = Number(answer.headers.get('retry-after'))
  expect(retryAfter).toBeGreaterThan(0)
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds)
  if (as === 'json') {
    const body = JSON.parse(answer.text) as { error: string; message: string }
    expect(body.error).toBe('rate_limited')
    expect(body.message).toContain(`Retry after ${retryAfter} seconds`)
  } else {
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/)
    expect(answer.text).toContain('Too many attempts of this kind came from your network')
    expect(answer.text).toMatch(/Try again in \d+ (minute|second)s?\./)
  }
}

describe('sign-ups: 3,000 from one client', () => {
  let provider: TestProvider
  beforeAll(async () => {
    provider = await startTestProvider()
  })
  afterAll(() => provider.close())

  it(`creates ${LIMITS.signUps.max} accounts and refuses the rest with 429, all of which sign in again`, async () => {
    const config = await import('@passkey-id/testing/sign-in').then((m) =>
      m.discoverAsApp(provider.url, LOOPBACK_APP),
    )
    const made: { authenticator: ReturnType<typeof createSoftwareAuthenticator>; sub: string }[] =
      []
    for (let index = 0; index < LIMITS.signUps.max; index += 1) {
      const authenticator = createSoftwareAuthenticator()
      const { tokens } = await signInWithCodeFlow(config, new TestBrowser(), authenticator, {
        redirectUri: LOOPBACK_REDIRECT_URI,
        script: { signUp: { username: `user${index}` } },
      })
      made.push({ authenticator, sub: String(tokens.claims()?.sub) })
    }
    // The rest of the 3,000 are refused before anything is read: no interaction is needed to count.
    const rest = 3000 - LIMITS.signUps.max
    const statuses = await flood(rest, () =>
      post(`${provider.url}/interaction/any/sign-up`, { id: 'x' }),
    )
    expect(statuses.filter((status) => status === 429)).toHaveLength(rest)
    expectRefusal(
      await post(`${provider.url}/interaction/any/sign-up`, {}),
      LIMITS.signUps.windowSeconds,
      'json',
    )
    expectRefusal(
      await post(`${provider.url}/interaction/any/sign-up`, {}, PAGE_ACCEPT),
      LIMITS.signUps.windowSeconds,
      'page',
    )
    // Nothing stored was lost: every account made signs in again to the same subject.
    for (const { authenticator, sub } of made) {
      const { tokens } = await signInWithCodeFlow(config, new TestBrowser(), authenticator, {
        redirectUri: LOOPBACK_REDIRECT_URI,
      })
      expect(tokens.claims()?.sub).toBe(sub)
    }
  }, 120_000)
})

describe('username look-ups: 2,000 from one client', () => {
  let fixture: ProviderWithAccount
  beforeAll(async () => {
    fixture = await startProviderWithAccount()
  })
  afterAll(() => fixture.close())

  it(`answers ${LIMITS.usernameLookUps.max - 1} more after the sign-up's own, then only 429`, async () => {
    const { browser, interaction } = await fixture.openSignInPage()
    const statuses = await flood(2000, (index) =>
      browser.postJson(`${interaction.base}/sign-up/options`, {
        username: index % 2 ? 'alice' : `free${index}`,
      }),
    )
    const answered = statuses.filter((status) => status !== 429)
    // The fixture's own sign-up made one look-up.
    expect(answered).toHaveLength(LIMITS.usernameLookUps.max - 1)
    expect(new Set(answered)).toEqual(new Set([200, 409]))
    expect(statuses.filter((status) => status === 429)).toHaveLength(2000 - answered.length)
    expectRefusal(
      await post(`${interaction.base}/sign-up/options`, { username: 'alice' }),
      LIMITS.usernameLookUps.windowSeconds,
      'json',
    )
  })
})

describe('sign-ins and code redemptions', () => {
  let fixture: ProviderWithAccount
  beforeAll(async () => {
    fixture = await startProviderWithAccount()
  })
  afterAll(() => fixture.close())

  it('lets 200 successful sign-ins and code redemptions in a row through from one client', async () => {
    for (let index = 0; index < 200; index += 1) {
      const { tokens } = await fixture.signIn()
      expect(tokens.access_token).toBeTypeOf('string')
    }
  }, 120_000)

  it(`refuses 2,000 guessed codes after ${LIMITS.failedCodeRedemptions.max}, as OAuth JSON with Retry-After`, async () => {
    const guess = (index: number) =>
      fixture.postToken({
        grant_type: 'authorization_code',
        client_id: LOOPBACK_APP,
        redirect_uri: LOOPBACK_REDIRECT_URI,
        code: `guess-${index}-${'x'.repeat(40)}`,
        code_verifier: 'v'.repeat(43),
      })
    const statuses = await flood(2000, guess)
    const refused = statuses.filter((status) => status === 429).length
    expect(statuses.filter((status) => status === 400)).toHaveLength(
      LIMITS.failedCodeRedemptions.max,
    )
    expect(refused).toBe(2000 - LIMITS.failedCodeRedemptions.max)
    const answer = await guess(0)
    expect(answer.status).toBe(429)
    expect(answer.body.error).toBe('rate_limited')
    expect(answer.body.error_description).toMatch(/Retry after \d+ seconds/)
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it(`refuses failed passkey sign-ins after ${LIMITS.failedSignIns.max}`, async () => {
    const { interaction } = await fixture.openSignInPage()
    const statuses = await flood(LIMITS.failedSignIns.max + 10, () =>
      post(`${interaction.base}/sign-in`, {
        id: 'AAAA',
        rawId: 'AAAA',
        type: 'public-key',
        response: { clientDataJSON: 'AAAA', authenticatorData: 'AAAA', signature: 'AAAA' },
        clientExtensionResults: {},
      }),
    )
    expect(statuses.filter((status) => status === 400)).toHaveLength(LIMITS.failedSignIns.max)
    expect(statuses.filter((status) => status === 429)).toHaveLength(10)
    expectRefusal(
      await post(`${interaction.base}/sign-in`, {}, PAGE_ACCEPT),
      LIMITS.failedSignIns.windowSeconds,
      'page',
    )
  })
})

describe('code guesses at other spellings of the token endpoint', () => {
  let provider: TestProvider
  beforeAll(async () => {
    provider = await startTestProvider()
  })
  afterAll(() => provider.close())

  /** Posts a guessed code to `target` as the request line's target, as a client without fetch can. */
  function guessAt(target: string): Promise<{ status: number }> {
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: LOOPBACK_APP,
      redirect_uri: LOOPBACK_REDIRECT_URI,
      code: 'x'.repeat(43),
      code_verifier: 'v'.repeat(43),
    }).toString()
    return rawRequest(provider.url, target, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    })
  }

  it(`counts them all under one limit: ${LIMITS.failedCodeRedemptions.max} answered, the rest 429`, async () => {
    // oidc-provider routes each of these to its token endpoint: its router ignores a letter's case
    // (after /openid/, where Fastify's route is case-sensitive) and one trailing slash, and an
    // absolute-form target is answered as its path.
    const targets = [
      '/openid/token',
      '/openid/token/',
      '/openid/Token',
      'http://elsewhere.example/openid/token',
    ]
    const statuses = await flood(200, (index) => guessAt(targets[index % targets.length] as string))
    expect(statuses.filter((status) => status === 400)).toHaveLength(
      LIMITS.failedCodeRedemptions.max,
    )
    expect(statuses.filter((status) => status === 429)).toHaveLength(
      200 - LIMITS.failedCodeRedemptions.max,
    )
    for (const target of targets) expect((await guessAt(target)).status).toBe(429)
  })
})

describe('introspection and revocation of unknown tokens', () => {
  let fixture: ProviderWithAccount
  beforeAll(async () => {
    fixture = await startProviderWithAccount()
  })
  afterAll(() => fixture.close())

  async function ask(path: 'introspect' | 'revoke', token: string) {
    const response = await fetch(`${fixture.provider.url}/openid/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, client_id: LOOPBACK_APP }),
    })
    return { status: response.status, headers: response.headers, text: await response.text() }
  }

  it(`answers ${LIMITS.unknownTokens.max} unknown tokens, then 429; a known token was never counted`, async () => {
    const { tokens } = await fixture.signIn()
    const known = await ask('introspect', tokens.access_token)
    expect(JSON.parse(known.text).active).toBe(true)
    const half = LIMITS.unknownTokens.max / 2
    const statuses = [
      ...(await flood(half, (i) => ask('introspect', `unknown-${i}`))),
      ...(await flood(half, (i) => ask('revoke', `unknown-${i}`))),
    ]
    expect(statuses.every((status) => status === 200)).toBe(true)
    expectRefusal(
      await ask('introspect', tokens.access_token),
      LIMITS.unknownTokens.windowSeconds,
      'json',
    )
    expectRefusal(await ask('revoke', 'unknown'), LIMITS.unknownTokens.windowSeconds, 'json')
  })
})

describe('unfinished authorizations', () => {
  let fixture: ProviderWithAccount
  beforeAll(async () => {
    fixture = await startProviderWithAccount()
  })
  afterAll(() => fixture.close())

  it(`leaves at most ${LIMITS.unfinishedAuthorizations.max} sign-in pages open per client; completed ones do not count`, async () => {
    // Sign-ins that finish, more than the limit: each is subtracted as it resumes.
    for (let index = 0; index < LIMITS.unfinishedAuthorizations.max + 20; index += 1)
      await fixture.signIn()
    const { url } = await fixture.openSignInPage().then((page) => page.request)
    const open = (accept: string) =>
      fetch(url, { headers: { accept }, redirect: 'manual' }).then(async (response) => ({
        status: response.status,
        headers: response.headers,
        text: await response.text(),
      }))
    // One is open already (above); the fixture's sign-up came back.
    const statuses = await flood(LIMITS.unfinishedAuthorizations.max + 30, () => open(PAGE_ACCEPT))
    expect(statuses.filter((status) => status === 303)).toHaveLength(
      LIMITS.unfinishedAuthorizations.max - 1,
    )
    expectRefusal(await open(PAGE_ACCEPT), LIMITS.unfinishedAuthorizations.windowSeconds, 'page')
    expectRefusal(
      await open('application/json'),
      LIMITS.unfinishedAuthorizations.windowSeconds,
      'json',
    )
  }, 120_000)
})

describe('account-page forms', () => {
  let provider: TestProvider
  beforeAll(async () => {
    provider = await startTestProvider()
  })
  afterAll(() => provider.close())

  it(`answers ${LIMITS.accountForms.max} forms of one account, then 429 with a page`, async () => {
    const browser = new TestBrowser()
    await openAccountPage(browser, createSoftwareAuthenticator(), provider.url, {
      username: 'carol',
    })
    const rename = () =>
      browser.fetch(`${provider.url}/account/profile`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: PAGE_ACCEPT },
        body: new URLSearchParams({ name: 'Carol' }),
      })
    const statuses: number[] = []
    for (let index = 0; index < LIMITS.accountForms.max + 5; index += 1) {
      const response = await rename()
      await response.body?.cancel()
      statuses.push(response.status)
    }
    expect(statuses.slice(0, LIMITS.accountForms.max).every((s) => s === 303)).toBe(true)
    expect(statuses.slice(LIMITS.accountForms.max).every((s) => s === 429)).toBe(true)
    const refused = await rename()
    expectRefusal(
      { status: refused.status, headers: refused.headers, text: await refused.text() },
      LIMITS.accountForms.windowSeconds,
      'page',
    )
  })
})

describe('RATE_LIMITS=off', () => {
  let provider: TestProvider
  beforeAll(async () => {
    provider = await startTestProvider({ RATE_LIMITS: 'off' })
  })
  afterAll(() => provider.close())

  it('refuses nothing for its rate', async () => {
    const statuses = await flood(LIMITS.usernameLookUps.max + 50, () =>
      post(`${provider.url}/interaction/any/sign-up/options`, { username: 'bob' }),
    )
    expect(statuses.every((status) => status === 400)).toBe(true)
  })
})

describe('health probes', () => {
  let provider: TestProvider
  beforeAll(async () => {
    provider = await startTestProvider()
  })
  afterAll(() => provider.close())

  it('are never limited and carry no rate-limit headers', async () => {
    for (let index = 0; index < 300; index += 1) {
      const response = await fetch(`${provider.url}/healthz`)
      expect(response.status).toBe(200)
      expect(response.headers.get('x-ratelimit-limit')).toBeNull()
      await response.body?.cancel()
    }
  })
})

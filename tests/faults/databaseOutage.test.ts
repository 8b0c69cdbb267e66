import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { PAGE_ACCEPT, TestBrowser } from '@passkey-id/testing/http'
import {
  type PrivatePostgres,
  type ProviderProcess,
  startPrivatePostgres,
  startProviderProcess,
  startTcpProxy,
  type TcpProxy,
} from '@passkey-id/testing/processes'
import { discoverAsApp, signInWithCodeFlow } from '@passkey-id/testing/sign-in'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The database goes away under a steady trickle of requests, on a PostgreSQL cluster of this test's
// own (never the server the other tests share): the provider answers 503 with Retry-After, never a
// 500, stays up, says why on /readyz, and recovers by itself when the database is back.

const APP = 'http://localhost:8000'
const REDIRECT_URI = `${APP}/cb`
/** How long the provider has to notice that the database is back. */
const RECOVERY_MS = 5000
/** Each request of the trickle gives up after this; a hang is a failure as much as a 500. */
const REQUEST_TIMEOUT_MS = 10_000

let cluster: PrivatePostgres
let proxy: TcpProxy
let provider: ProviderProcess

beforeAll(async () => {
  cluster = await startPrivatePostgres()
  proxy = await startTcpProxy(cluster.port)
  provider = await startProviderProcess({
    DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/postgres`,
  })
}, 120_000)
afterAll(async () => {
  await provider?.stop('SIGKILL')
  await proxy?.close()
  await cluster?.close()
})

/** One round of the trickle's answers: what each kind of request got. */
interface Answer {
  kind: 'discovery' | 'sign-in page' | 'token'
  status: number
  retryAfter: string | null
  body: string
}

/** One round of the trickle: discovery, an authorization request to the sign-in page, a token attempt. */
async function round(): Promise<Answer[]> {
  const signal = () => AbortSignal.timeout(REQUEST_TIMEOUT_MS)
  const answer = async (kind: Answer['kind'], response: Response): Promise<Answer> => ({
    kind,
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: await response.text(),
  })
  const authorize = new URL(`${provider.url}/openid/authorize`)
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: APP,
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  }).toString()
  return Promise.all([
    fetch(`${provider.url}/.well-known/openid-configuration`, { signal: signal() }).then(
      (response) => answer('discovery', response),
    ),
    fetch(authorize, {
      headers: { accept: PAGE_ACCEPT },
      redirect: 'manual',
      signal: signal(),
    }).then((response) => answer('sign-in page', response)),
    fetch(`${provider.url}/openid/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'not-a-code',
        client_id: APP,
        redirect_uri: REDIRECT_URI,
        code_verifier: 'v'.repeat(43),
      }),
      signal: signal(),
    }).then((response) => answer('token', response)),
  ])
}

/** Runs the trickle (a round every 100 ms) for `ms`, and returns every answer. */
async function trickle(ms: number): Promise<Answer[]> {
  const answers: Answer[] = []
  const until = Date.now() + ms
  while (Date.now() < until) {
    answers.push(...(await round()))
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return answers
}

async function readiness(): Promise<{ status: number; retryAfter: string | null; body: unknown }> {
  const response = await fetch(`${provider.url}/readyz`)
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: await response.json(),
  }
}

/** Polls /readyz until it is 200; returns how long that took. */
async function recovered(): Promise<number> {
  const started = Date.now()
  while ((await readiness()).status !== 200) {
    if (Date.now() - started > RECOVERY_MS) throw new Error(`not ready within ${RECOVERY_MS} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return Date.now() - started
}

/** The answers while the database is gone: the ones that need it are 503 with Retry-After. */
function expectUnavailable(answers: Answer[]): void {
  expect(answers.length).toBeGreaterThan(0)
  expect(answers.filter((answer) => answer.status >= 500 && answer.status !== 503)).toEqual([])
  for (const answer of answers.filter((each) => each.kind !== 'discovery')) {
    expect(answer.status, answer.kind).toBe(503)
    expect(answer.retryAfter, answer.kind).toBe('5')
  }
  const page = answers.find((answer) => answer.kind === 'sign-in page')
  expect(page?.body).toContain('cannot reach its database right now')
  const token = answers.find((answer) => answer.kind === 'token')
  expect(JSON.parse(token?.body ?? '{}')).toMatchObject({ error: 'temporarily_unavailable' })
  for (const answer of answers.filter((each) => each.kind === 'discovery'))
    expect(answer.status).toBe(200)
}

/** Healthy answers: discovery 200, the sign-in page a redirect to it, the bogus code refused 400. */
function expectHealthy(answers: Answer[]): void {
  expect(answers.map((answer) => `${answer.kind} ${answer.status}`)).toEqual(
    answers.map((answer) =>
      answer.kind === 'discovery'
        ? 'discovery 200'
        : answer.kind === 'sign-in page'
          ? 'sign-in page 303'
          : 'token 400',
    ),
  )
}

/** A whole sign-up and sign-in through the provider, as an app and a person do it. */
async function signInWorks(): Promise<void> {
  const config = await discoverAsApp(provider.url, APP)
  const { tokens } = await signInWithCodeFlow(
    config,
    new TestBrowser(),
    createSoftwareAuthenticator(),
    {
      redirectUri: REDIRECT_URI,
      script: { signUp: { username: `outage${Date.now()}` } },
    },
  )
  expect(tokens.claims()?.iss).toBe(provider.url)
}

describe('the database goes away under load', () => {
  it('answers 503 with Retry-After while the network to it is cut, and recovers by itself', async () => {
    expectHealthy(await trickle(1000))
    expect((await readiness()).status).toBe(200)

    await proxy.cut()
    const during = await trickle(3000)
    expectUnavailable(during)
    const ready = await readiness()
    expect(ready).toMatchObject({ status: 503, retryAfter: '5', body: { reason: 'database' } })
    expect((ready.body as { message: string }).message).toMatch(/^Not ready: the database/)
    expect((await fetch(`${provider.url}/healthz`)).status).toBe(200)
    expect(provider.child.exitCode).toBeNull()

    await proxy.restore()
    const took = await recovered()
    expect(took).toBeLessThan(RECOVERY_MS)
    expectHealthy(await trickle(1000))
    await signInWorks()
  }, 60_000)

  it('answers 503 with Retry-After while the server is stopped, and recovers when it restarts', async () => {
    // A clean shutdown ends the pool's connections with 57P01, then refuses new ones.
    await cluster.stop('fast')
    const during = await trickle(3000)
    expectUnavailable(during)
    expect((await readiness()).status).toBe(503)
    expect(provider.child.exitCode).toBeNull()

    await cluster.start()
    await recovered()
    expectHealthy(await trickle(1000))
    await signInWorks()
    expect(provider.output()).not.toMatch(/"level":(50|60)/)
  }, 60_000)
})

describe('a DATABASE_URL that cannot be reached at start', () => {
  it('is one line naming DATABASE_URL, and the process exits non-zero', async () => {
    // The proxy is cut: the port refuses connections, as a server that is not running does.
    await proxy.cut()
    try {
      const failure = await startProviderProcess({
        DATABASE_URL: `postgres://postgres:secret@127.0.0.1:${proxy.port}/postgres`,
      }).then(
        () => expect.fail('the provider should not have started'),
        (error: Error) => error.message,
      )
      expect(failure).toMatch(/ended \(\{"code":1,"signal":null\}\)/)
      const lines = failure.split('\n').slice(1).filter(Boolean)
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/DATABASE_URL/)
      expect(lines[0]).toMatch(/ECONNREFUSED/)
      expect(lines[0]).not.toContain('secret')
    } finally {
      await proxy.restore()
    }
  }, 60_000)
})

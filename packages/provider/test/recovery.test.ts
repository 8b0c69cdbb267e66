import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { createSoftwareAuthenticator, type SoftwareAuthenticator } from '@passkey-id/authenticator'
import { safeLogSerializers } from '@passkey-id/runtime'
import { openDatabase } from '@passkey-id/store'
import { PAGE_ACCEPT, TestBrowser, visibleText } from '@passkey-id/testing/http'
import {
  type ReceivedMail,
  startTestSmtpServer,
  type TestSmtpServer,
} from '@passkey-id/testing/mail'
import { runProviderCommand } from '@passkey-id/testing/processes'
import { LOOPBACK_REDIRECT_URI, startProviderWithAccount } from '@passkey-id/testing/provider'
import { signInWithCodeFlow } from '@passkey-id/testing/sign-in'
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RECOVERY_LINK_LIFETIME_MS } from '../src/accounts/recoveryLinks.ts'
import { LIMITS } from '../src/limits/limitTable.ts'
import type { ProviderDatabase } from '../src/store/schema.ts'

/** Each CLI run starts Node and tsx: seconds on a busy machine. */
const STEP_MS = 120_000

/** What every request for a link is answered, whatever the name. */
const SENT = 'If an account has this username or verified email address, a recovery link is on'

type Line = Record<string, unknown>

/** A provider with one account, alice, whose address is verified, on a real SMTP server; its log kept. */
async function startRecoveryProvider(env: Record<string, string>, smtp: TestSmtpServer) {
  const log: Line[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) log.push(JSON.parse(line))
      done()
    },
  })
  let shift = 0
  const fixture = await startProviderWithAccount({
    email: 'Alice@example.com',
    // The requests come from this machine: X-Forwarded-For gives each test an address of its own,
    // so the limits one test reaches do not refuse the next.
    env: { SMTP_URL: smtp.url, TRUST_PROXY: '127.0.0.1,::1', ...env },
    // The server's own serializers, as in production.
    logger: { level: 'trace', stream, serializers: safeLogSerializers },
    now: () => Date.now() + shift,
  })
  const db = openDatabase<ProviderDatabase>(fixture.provider.config.databaseUrl)
  await db
    .updateTable('accounts')
    .set({ email_verified_at: new Date().toISOString(), verified_email_key: 'alice@example.com' })
    .where('username', '=', 'alice')
    .execute()
  return {
    fixture,
    db,
    log,
    url: fixture.provider.url,
    moveClock: (ms: number) => {
      shift = ms
    },
  }
}

/** The token of the recovery link in a message. */
function tokenIn(mail: ReceivedMail, url: string): string {
  const token = new RegExp(`^\\s+${url}/recovery/link#([\\w-]{43})$`, 'm').exec(mail.text)?.[1]
  if (token === undefined) throw new Error(`no recovery link in the message:\n${mail.text}`)
  return token
}

/** One client: a browser with its own address (X-Forwarded-For). */
class Client {
  readonly browser = new TestBrowser()
  readonly ip =
    `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(1 + Math.random() * 250)}`
  constructor(readonly url: string) {}

  fetch(path: string, init: RequestInit & { site?: 'same-origin' | 'cross-site' | 'none' } = {}) {
    const headers = new Headers(init.headers)
    headers.set('x-forwarded-for', this.ip)
    return this.browser.fetch(`${this.url}${path}`, { ...init, headers })
  }

  /** Posts the recovery form with `username`; the status and the page's visible text. */
  async requestLink(username: string, init: { site?: 'same-origin' | 'cross-site' } = {}) {
    const response = await this.fetch('/recovery', {
      method: 'POST',
      headers: { accept: PAGE_ACCEPT, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username }),
      ...init,
    })
    return { status: response.status, response, text: visibleText(await response.text()) }
  }

  async postJson<T = Record<string, unknown>>(path: string, body: unknown) {
    const response = await this.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    })
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as T,
    }
  }

  /** `Create a new passkey`'s first step, as the page's script does: the sign-in's interaction. */
  async startSignIn(): Promise<string> {
    const step = await this.browser.follow(`${this.url}/recovery/sign-in`)
    await step.response?.body?.cancel()
    const uid = /^\/interaction\/([\w-]+)$/.exec(step.url.pathname)?.[1]
    if (uid === undefined) throw new Error(`the sign-in led to ${step.url.href}`)
    return uid
  }

  /** The link's options step in interaction `uid`. */
  options(uid: string, token: string) {
    return this.postJson<PublicKeyCredentialCreationOptionsJSON & { message?: string }>(
      `/interaction/${uid}/recovery/options`,
      { token },
    )
  }

  /** Creates the passkey on `authenticator` and posts it with the link's token. */
  finish(
    uid: string,
    token: string,
    authenticator: SoftwareAuthenticator,
    options: PublicKeyCredentialCreationOptionsJSON,
  ) {
    const response = authenticator.register(options as never, { origin: this.url })
    return this.postJson<{ redirectTo?: string; message?: string; error?: string }>(
      `/interaction/${uid}/recovery`,
      { token, response },
    )
  }

  /** The whole recovery with `token` on `authenticator`; where the browser ends, and the answers. */
  async recover(token: string, authenticator: SoftwareAuthenticator) {
    const page = await this.fetch('/recovery/link')
    expect(page.status).toBe(200)
    expect(visibleText(await page.text())).toContain('Create a new passkey')
    const uid = await this.startSignIn()
    const options = await this.options(uid, token)
    if (options.status !== 200) return { options, finished: undefined, landed: undefined }
    const finished = await this.finish(uid, token, authenticator, options.body)
    if (finished.status !== 200) return { options, finished, landed: undefined }
    const landed = await this.browser.follow(new URL(String(finished.body.redirectTo), this.url))
    return { options, finished, landed }
  }
}

describe('account recovery (RECOVERY=email) over real HTTP and SMTP', () => {
  let smtp: TestSmtpServer
  let provider: Awaited<ReturnType<typeof startRecoveryProvider>>
  let url: string
  let db: Kysely<ProviderDatabase>
  /** Every link token made in these tests: none may appear in the log. */
  const tokens: string[] = []

  beforeAll(async () => {
    smtp = await startTestSmtpServer()
    provider = await startRecoveryProvider({}, smtp)
    url = provider.url
    db = provider.db
  }, STEP_MS)
  afterAll(async () => {
    await db?.destroy()
    await provider?.fixture.close()
    await smtp?.close()
  })

  /** Asks for a link for `name` and returns the token mailed to `to`. */
  async function mailedToken(name: string, to = 'Alice@example.com', client = new Client(url)) {
    const since = smtp.messages.length
    const asked = await client.requestLink(name)
    expect(asked.status).toBe(200)
    expect(asked.text).toContain(SENT)
    const mail = await smtp.nextMessage({
      since,
      matches: (message) =>
        message.subject === 'Your account recovery link' &&
        message.envelopeTo.some((address) => address.toLowerCase() === to.toLowerCase()),
    })
    const token = tokenIn(mail, url)
    tokens.push(token)
    return { token, mail }
  }

  async function accountId(username: string) {
    const row = await db
      .selectFrom('accounts')
      .select('id')
      .where('username', '=', username)
      .executeTakeFirstOrThrow()
    return row.id
  }

  async function passkeyCount(username: string) {
    const rows = await db
      .selectFrom('passkeys')
      .select('id')
      .where('account_id', '=', await accountId(username))
      .execute()
    return rows.length
  }

  /** Signs up `username` through the code flow; with `verified`, its address is marked verified. */
  async function signUp(username: string, email?: string, verified = false) {
    await signInWithCodeFlow(
      provider.fixture.config,
      new TestBrowser(),
      createSoftwareAuthenticator(),
      {
        redirectUri: LOOPBACK_REDIRECT_URI,
        script: { signUp: email === undefined ? { username } : { username, email } },
      },
    )
    if (verified && email !== undefined)
      await db
        .updateTable('accounts')
        .set({
          email_verified_at: new Date().toISOString(),
          verified_email_key: email.toLowerCase(),
        })
        .where('username', '=', username)
        .execute()
  }

  /** The recovery log lines, once `count` requests have been handled. */
  async function recoveryOutcomes(count: number): Promise<Line[]> {
    for (let waited = 0; waited < 100; waited += 1) {
      const lines = provider.log.filter((line) => line.event === 'recovery')
      if (lines.length >= count) return lines
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error('the recovery requests were not handled')
  }

  it('mails a link that only shows a page until pressed, then creates a passkey, signs in and keeps sub and consent', async () => {
    const { token, mail } = await mailedToken('alice')
    expect(mail.to).toBe('Alice@example.com')
    expect(mail.text).toContain('It works once, for 15 minutes.')
    const alice = await accountId('alice')
    // Stored only as an HMAC.
    const rows = await db.selectFrom('recovery_links').selectAll().execute()
    expect(rows).toHaveLength(1)
    expect(JSON.stringify(rows)).not.toContain(token)
    expect(rows[0]).toMatchObject({ account_id: alice, email: 'Alice@example.com', used_at: null })

    // A mail scanner opens the link, twice: a page, nothing spent.
    const scanner = new Client(url)
    for (let i = 0; i < 2; i += 1) {
      const page = await scanner.fetch('/recovery/link')
      expect(page.status).toBe(200)
      expect(page.headers.get('cache-control')).toBe('no-store')
      const text = visibleText(await page.text())
      expect(text).toContain('Create a new passkey')
    }
    expect(
      (await db.selectFrom('recovery_links').select('used_at').executeTakeFirst())?.used_at,
    ).toBeNull()

    // The person, on a new device with an empty authenticator.
    const person = new Client(url)
    const device = createSoftwareAuthenticator()
    const { finished, landed } = await person.recover(token, device)
    expect(finished?.status).toBe(200)
    expect(landed?.url.pathname).toBe('/account')
    expect(landed?.response?.status).toBe(200)
    expect(visibleText(await (landed?.response?.text() ?? Promise.resolve('')))).toContain(
      'Signed in as alice',
    )
    expect(await passkeyCount('alice')).toBe(2)

    // The notice, and the events.
    const notice = await smtp.nextMessage({
      since: 0,
      matches: (message) => message.subject === 'Your account was recovered',
    })
    expect(notice.to).toBe('Alice@example.com')
    const kinds = (
      await db
        .selectFrom('security_events')
        .select('kind')
        .where('account_id', '=', alice)
        .execute()
    ).map((row) => row.kind)
    expect(kinds).toEqual(expect.arrayContaining(['recovery_requested', 'account_recovered']))

    // In this browser the app signs in without any page (a passkey-less authenticator would fail
    // on the sign-in page) and without consent, with the same sub.
    const silent = await signInWithCodeFlow(
      provider.fixture.config,
      person.browser,
      createSoftwareAuthenticator(),
      { redirectUri: LOOPBACK_REDIRECT_URI },
    )
    expect(silent.outcome.sawConsent).toBe(false)
    expect(silent.tokens.claims()?.sub).toBe(provider.fixture.sub)
    // The new passkey signs in from a fresh browser: same sub, no consent page.
    const fresh = await signInWithCodeFlow(provider.fixture.config, new TestBrowser(), device, {
      redirectUri: LOOPBACK_REDIRECT_URI,
    })
    expect(fresh.outcome.sawConsent).toBe(false)
    expect(fresh.tokens.claims()?.sub).toBe(provider.fixture.sub)
    // And the old passkey still does.
    await provider.fixture.expectAccountStillSignsIn()

    // Replayed: refused, counted, and no passkey added.
    const replay = await new Client(url).recover(token, createSoftwareAuthenticator())
    expect(replay.options.status).toBe(409)
    expect(replay.options.body.message).toContain('This recovery link was used already')
    expect(await passkeyCount('alice')).toBe(2)
  })

  it('recovers the account of the link in a browser signed in as another: the passkey and the session are its', async () => {
    const config = provider.fixture.config
    const quinn = await signInWithCodeFlow(
      config,
      new TestBrowser(),
      createSoftwareAuthenticator(),
      {
        redirectUri: LOOPBACK_REDIRECT_URI,
        script: { signUp: { username: 'quinn', email: 'quinn@example.com' } },
      },
    )
    await db
      .updateTable('accounts')
      .set({ email_verified_at: new Date().toISOString(), verified_email_key: 'quinn@example.com' })
      .where('username', '=', 'quinn')
      .execute()
    // The browser where the link is opened is signed in as trudy.
    const browser = new Client(url)
    const trudy = await signInWithCodeFlow(config, browser.browser, createSoftwareAuthenticator(), {
      redirectUri: LOOPBACK_REDIRECT_URI,
      script: { signUp: { username: 'trudy' } },
    })
    const { token } = await mailedToken('quinn', 'quinn@example.com')

    const { finished, landed: resumed } = await browser.recover(
      token,
      createSoftwareAuthenticator(),
    )
    expect(finished?.status).toBe(200)
    // oidc-provider first ends trudy's session in this browser: the resume answers a form that
    // posts itself to the sign-out confirmation (its script allowed by the page's CSP hash), which
    // sends the browser back to resume as quinn.
    const form = await resumed?.response?.text()
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(form ?? '')?.[1]
    expect(form).toContain(`<form method="post" action="${url}/openid/logout/confirm">`)
    expect(xsrf).toEqual(expect.any(String))
    expect(resumed?.response?.headers.get('content-security-policy')).toMatch(
      /script-src 'self' 'sha256-[\w+/=]+'/,
    )
    const confirmed = await browser.fetch('/openid/logout/confirm', {
      method: 'POST',
      headers: { accept: PAGE_ACCEPT, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf: String(xsrf), logout: 'yes' }),
    })
    expect(confirmed.status).toBe(303)
    const landed = await browser.browser.follow(
      new URL(String(confirmed.headers.get('location')), url),
    )
    expect(landed?.url.pathname).toBe('/account')
    const page = visibleText(await (landed?.response?.text() ?? Promise.resolve('')))
    expect(page).toContain('Signed in as quinn')
    expect(page).not.toContain('trudy')
    expect(await passkeyCount('quinn')).toBe(2)
    expect(await passkeyCount('trudy')).toBe(1)

    // The browser's session is now quinn's: the app signs in as quinn there, without any page.
    const after = await signInWithCodeFlow(config, browser.browser, createSoftwareAuthenticator(), {
      redirectUri: LOOPBACK_REDIRECT_URI,
    })
    expect(after.tokens.claims()?.sub).toBe(quinn.tokens.claims()?.sub)
    expect(after.tokens.claims()?.sub).not.toBe(trudy.tokens.claims()?.sub)
  })

  it('answers every name the same, and mails only an enabled account with a verified address', async () => {
    await signUp('bob', 'bob@example.com')
    await signUp('carol', 'carol@example.com', true)
    await db
      .updateTable('accounts')
      .set({ disabled_at: new Date().toISOString() })
      .where('username', '=', 'carol')
      .execute()
    await signUp('dave')
    // An account of this test's own: one link per 15 minutes per account, and others ask for alice.
    await signUp('ivan', 'Ivan@example.com', true)
    const before = provider.log.filter((line) => line.event === 'recovery').length
    const since = smtp.messages.length
    const client = new Client(url)
    const answers = []
    for (const name of ['nobody', 'nobody@example.com', 'bob', 'bob@example.com', 'carol', 'dave'])
      answers.push(await client.requestLink(name))
    for (const answer of answers) {
      expect(answer.status).toBe(200)
      expect(answer.text).toBe(answers[0]?.text)
    }
    // By verified address, in any letter case, it is sent.
    const { token } = await mailedToken('  IVAN@example.COM ', 'Ivan@example.com')
    const outcomes = (await recoveryOutcomes(before + 6)).slice(before).map((line) => line.outcome)
    expect(outcomes).toEqual(
      expect.arrayContaining([
        'no such account: nothing sent',
        'no verified email address: nothing sent',
        'account disabled: nothing sent',
      ]),
    )
    const sent = smtp.messages.slice(since)
    expect(sent.flatMap((message) => message.envelopeTo)).toEqual(['Ivan@example.com'])
    expect(token).toMatch(/^[\w-]{43}$/)

    // A link made before the account was disabled does not work while it is.
    const { token: carols } = await (async () => {
      await db
        .updateTable('accounts')
        .set({ disabled_at: null })
        .where('username', '=', 'carol')
        .execute()
      const mailed = await mailedToken('carol', 'carol@example.com')
      await db
        .updateTable('accounts')
        .set({ disabled_at: new Date().toISOString() })
        .where('username', '=', 'carol')
        .execute()
      return mailed
    })()
    const disabled = await new Client(url).recover(carols, createSoftwareAuthenticator())
    expect(disabled.options.status).toBe(403)
  })

  it('refuses malformed names and cross-site forms, and limits requests per address and per account', async () => {
    const client = new Client(url)
    const empty = await client.requestLink('   ')
    expect(empty.status).toBe(400)
    expect(empty.text).toContain('Enter your username, or the email address you verified')
    expect(empty.text).toContain('Send recovery link')
    for (const name of ['a'.repeat(255), 'alice\0', 'ali\nce']) {
      const refused = await client.requestLink(name)
      expect(refused.status).toBe(400)
      expect(refused.text).toContain('That is neither a username nor an email address')
    }
    const crossSite = await client.requestLink('alice', { site: 'cross-site' })
    expect(crossSite.status).toBe(403)
    const json = await client.postJson('/recovery', { username: '' })
    expect(json).toMatchObject({ status: 400, body: { error: 'recovery_name_missing' } })
    const asked = await client.postJson('/recovery', { username: 'nobody' })
    expect(asked).toMatchObject({ status: 200, body: { message: expect.stringContaining(SENT) } })

    // One link per 15 minutes per account: the 2nd request gets the same answer and no mail.
    await signUp('erin', 'erin@example.com', true)
    const before = provider.log.filter((line) => line.event === 'recovery').length
    await mailedToken('erin', 'erin@example.com')
    const second = await new Client(url).requestLink('erin')
    expect(second.text).toContain(SENT)
    const outcomes = (await recoveryOutcomes(before + 2)).slice(before).map((line) => line.outcome)
    // In either order: the first request's line comes after its mail, the second's may come first.
    expect(outcomes.toSorted()).toEqual(['a link was mailed recently: nothing sent', 'link mailed'])

    // 10 requests an hour per address (this client made 1 that counted, erin's above others).
    const flooder = new Client(url)
    for (let i = 0; i < 10; i += 1)
      expect((await flooder.requestLink(`nobody${i}`)).status).toBe(200)
    const limited = await flooder.requestLink('nobody')
    expect(limited.status).toBe(429)
    expect(Number(limited.response.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it("leaves a working link in the owner's mailbox whenever someone else has spent their quota", async () => {
    const windowMs = LIMITS.recoveryMails.windowSeconds * 1000
    // The guarantee holds while a link outlives the window, by a minute for clocks that differ.
    expect(windowMs + 60_000).toBeLessThanOrEqual(RECOVERY_LINK_LIFETIME_MS)
    await signUp('heidi', 'heidi@example.com', true)
    // Anyone who knows the username asks first, from an address of their own.
    const asked = provider.log.filter((line) => line.event === 'recovery').length
    const { token } = await mailedToken('heidi', 'heidi@example.com', new Client(url))
    await recoveryOutcomes(asked + 1)
    const owner = new Client(url)
    const ownerAsks = async () => {
      const before = provider.log.filter((line) => line.event === 'recovery').length
      expect((await owner.requestLink('heidi')).text).toContain(SENT)
      return (await recoveryOutcomes(before + 1)).at(-1)?.outcome
    }
    try {
      // A second before the window ends, the owner's own request is refused (silently), and the
      // link the other request mailed them still works.
      provider.moveClock(windowMs - 1000)
      expect(await ownerAsks()).toBe('a link was mailed recently: nothing sent')
      const uid = await owner.startSignIn()
      expect((await owner.options(uid, token)).status).toBe(200)
      // Once it has ended, the owner gets a link of their own.
      provider.moveClock(windowMs + 1000)
      const since = smtp.messages.length
      expect(await ownerAsks()).toBe('link mailed')
      expect(smtp.messages.length).toBe(since + 1)
    } finally {
      provider.moveClock(0)
    }
  })

  it('refuses wrong, expired, void and guessed links, and counts them against the address', async () => {
    const client = new Client(url)
    const uid = await client.startSignIn()
    const unknown = await client.options(uid, randomBytes(32).toString('base64url'))
    expect(unknown).toMatchObject({ status: 400, body: { error: 'recovery_link_unknown' } })
    const malformed = await client.options(uid, 'x'.repeat(101))
    expect(malformed.status).toBe(400)
    const missing = await client.postJson(`/interaction/${uid}/recovery/options`, {})
    expect(missing.status).toBe(400)

    // Expired after 15 minutes.
    await signUp('judy', 'judy@example.com', true)
    const { token: expiring } = await mailedToken('judy', 'judy@example.com')
    provider.moveClock(16 * 60 * 1000)
    try {
      const expired = await client.options(uid, expiring)
      expect(expired).toMatchObject({ status: 400, body: { error: 'recovery_link_expired' } })
    } finally {
      provider.moveClock(0)
    }

    // Void once the address it went to is no longer the verified one.
    await signUp('frank', 'frank@example.com', true)
    const { token: franks } = await mailedToken('frank', 'frank@example.com')
    await db
      .updateTable('accounts')
      .set({ email: 'frank@example.org', email_verified_at: null, verified_email_key: null })
      .where('username', '=', 'frank')
      .execute()
    expect(await client.options(uid, franks)).toMatchObject({
      status: 400,
      body: { error: 'recovery_link_void' },
    })

    // Guessing: 30 refusals in 10 minutes from one address, then 429.
    const guesser = new Client(url)
    const guesses = await guesser.startSignIn()
    const statuses = []
    for (let i = 0; i < 31; i += 1)
      statuses.push((await guesser.options(guesses, randomBytes(32).toString('base64url'))).status)
    expect(statuses.slice(0, 30).every((status) => status === 400)).toBe(true)
    expect(statuses[30]).toBe(429)
  })

  it('keeps a link through a cancelled ceremony, refuses steps out of place, and lets one of two racing tabs win', async () => {
    await signUp('grace', 'grace@example.com', true)
    const { token } = await mailedToken('grace', 'grace@example.com')
    const client = new Client(url)

    // Options, then the person cancels: the link still works.
    const cancelled = await client.startSignIn()
    expect((await client.options(cancelled, token)).status).toBe(200)
    // A finish in an interaction where no ceremony was started (this browser's options went to
    // another interaction), or in another browser's interaction.
    const other = new Client(url)
    const noCeremony = await other.startSignIn()
    const someOptions = await client.options(cancelled, token)
    expect(someOptions.status).toBe(200)
    const response = createSoftwareAuthenticator().register(someOptions.body as never, {
      origin: url,
    })
    expect(
      await other.postJson(`/interaction/${noCeremony}/recovery`, { token, response }),
    ).toMatchObject({ status: 400, body: { error: 'stale_challenge' } })
    const stranger = new Client(url)
    expect((await stranger.options(cancelled, token)).status).toBe(400)
    // An app's sign-in is not where a link creates a passkey.
    const { interaction } = await provider.fixture.openSignInPage({ browser: client.browser })
    expect(await client.options(interaction.uid, token)).toMatchObject({
      status: 400,
      body: { error: 'recovery_not_here' },
    })
    // Cross-site.
    const crossSite = await client.fetch(`/interaction/${cancelled}/recovery/options`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
      site: 'cross-site',
    })
    expect(crossSite.status).toBe(403)

    // Two tabs of two browsers, each with its own passkey, finish at once: one wins.
    const tabs = [new Client(url), new Client(url)]
    const started = await Promise.all(
      tabs.map(async (tab) => {
        const uid = await tab.startSignIn()
        const options = await tab.options(uid, token)
        expect(options.status).toBe(200)
        return { tab, uid, options: options.body }
      }),
    )
    const before = await passkeyCount('grace')
    const finishes = await Promise.all(
      started.map(({ tab, uid, options }) =>
        tab.finish(uid, token, createSoftwareAuthenticator(), options),
      ),
    )
    expect(finishes.map((finish) => finish.status).sort()).toEqual([200, 409])
    expect(finishes.find((finish) => finish.status === 409)?.body.error).toBe('recovery_link_used')
    expect(await passkeyCount('grace')).toBe(before + 1)
  })

  it('logs no link token, in any request line or message', () => {
    expect(tokens.length).toBeGreaterThan(5)
    const text = JSON.stringify(provider.log)
    for (const token of tokens) expect(text).not.toContain(token)
    const linkRequests = provider.log.filter(
      (line) =>
        (line.req as { url?: string } | undefined)?.url?.startsWith('/recovery/link') === true,
    )
    expect(linkRequests.length).toBeGreaterThan(0)
  })
})

describe('RECOVERY=admin and off, the operator’s recovery-link, and mail that is down', () => {
  let smtp: TestSmtpServer
  let refusing: TestSmtpServer

  beforeAll(async () => {
    smtp = await startTestSmtpServer()
    refusing = await startTestSmtpServer({ refuseRecipients: true })
  })
  afterAll(async () => {
    await smtp?.close()
    await refusing?.close()
  })

  it(
    'RECOVERY=admin: no form, and the link the operator prints works',
    async () => {
      const provider = await startRecoveryProvider({ RECOVERY: 'admin' }, smtp)
      try {
        const client = new Client(provider.url)
        const page = await client.fetch('/recovery', { headers: { accept: PAGE_ACCEPT } })
        expect(page.status).toBe(200)
        const text = visibleText(await page.text())
        expect(text).toContain('Account recovery here goes through the service’s operator')
        expect(text).not.toContain('Send recovery link')
        const posted = await client.requestLink('alice')
        expect(posted.status).toBe(403)
        expect(smtp.messages).toHaveLength(0)

        const cli = (args: string[], env: Record<string, string> = {}) =>
          runProviderCommand(['accounts', ...args], {
            DATABASE_URL: provider.fixture.provider.config.databaseUrl,
            PUBLIC_URL: provider.url,
            RECOVERY: 'admin',
            ...env,
          })
        const help = await cli(['recovery-link', '--help'])
        expect(help.exit.code).toBe(0)
        expect(help.output).toContain('recovery-link <username>')
        const missing = await cli(['recovery-link'])
        expect(missing.exit.code).toBe(2)
        expect(missing.output).toContain('usage: passkey-id-provider accounts')
        const off = await cli(['recovery-link', 'alice'], { RECOVERY: 'off' })
        expect(off.exit.code).toBe(2)
        expect(off.output).toContain('account recovery is off (RECOVERY=off): no link was made')
        const made = await cli(['recovery-link', 'ALICE'])
        expect(made.exit.code).toBe(0)
        const token = new RegExp(`^${provider.url}/recovery/link#([\\w-]{43})$`, 'm').exec(
          made.output,
        )?.[1]
        expect(token).toEqual(expect.any(String))
        const recovered = await new Client(provider.url).recover(
          String(token),
          createSoftwareAuthenticator(),
        )
        expect(recovered.landed?.url.pathname).toBe('/account')
        expect(JSON.stringify(provider.log)).not.toContain(String(token))
        const kinds = await provider.db.selectFrom('security_events').select('kind').execute()
        expect(kinds.map((row) => row.kind)).toEqual(
          expect.arrayContaining(['recovery_link_issued', 'account_recovered']),
        )
        await provider.db.destroy()
      } finally {
        await provider.fixture.close()
      }
    },
    STEP_MS * 3,
  )

  it('RECOVERY=off: none of the routes exist', async () => {
    const provider = await startRecoveryProvider({ RECOVERY: 'off' }, smtp)
    try {
      const client = new Client(provider.url)
      expect((await client.fetch('/recovery')).status).toBe(404)
      expect((await client.fetch('/recovery/link')).status).toBe(404)
      expect((await client.fetch('/recovery/sign-in')).status).toBe(404)
      expect((await client.requestLink('alice')).status).toBe(404)
      expect(
        (await client.postJson('/interaction/x/recovery/options', { token: 'x' })).status,
      ).toBe(404)
      await provider.db.destroy()
    } finally {
      await provider.fixture.close()
    }
  })

  it('mail refused: the same answer, the failure logged without the link, and the quota given back', async () => {
    const provider = await startRecoveryProvider({}, refusing)
    const failures = () =>
      provider.log.filter((line) => line.msg === 'a recovery link could not be made or mailed')
    try {
      // The second request is not refused as the first one's (no link reached the owner): it tries
      // to mail again.
      for (let attempt = 1; attempt <= 2; attempt += 1) {
        const answer = await new Client(provider.url).requestLink('alice')
        expect(answer.status).toBe(200)
        expect(answer.text).toContain(SENT)
        for (let waited = 0; waited < 100 && failures().length < attempt; waited += 1)
          await new Promise((resolve) => setTimeout(resolve, 100))
        expect(failures()).toHaveLength(attempt)
      }
      expect(failures()[0]).toMatchObject({ level: 40, event: 'mail' })
      expect(provider.log.map((line) => line.outcome)).not.toContain(
        'a link was mailed recently: nothing sent',
      )
      expect(JSON.stringify(provider.log)).not.toMatch(/recovery\/link#/)
      await provider.db.destroy()
    } finally {
      await provider.fixture.close()
    }
  })
})

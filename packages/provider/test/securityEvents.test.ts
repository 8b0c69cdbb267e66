import { Writable } from 'node:stream'
import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { openDatabase } from '@passkey-id/store'
import { PAGE_ACCEPT, TestBrowser, visibleText } from '@passkey-id/testing/http'
import {
  LOOPBACK_APP,
  type ProviderWithAccount,
  startProviderWithAccount,
} from '@passkey-id/testing/provider'
import { openAccountPage } from '@passkey-id/testing/sign-in'
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ProviderDatabase } from '../src/store/schema.ts'

const FORM = { accept: PAGE_ACCEPT, 'content-type': 'application/x-www-form-urlencoded' }
/** The address a test's requests come from, as the provider sees it. */
const LOCAL = /^(?:127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/
/** What a security log line holds: pino's own fields and the event's, nothing else. */
const LINE_FIELDS = [
  'level',
  'time',
  'pid',
  'hostname',
  'reqId',
  'msg',
  'event',
  'kind',
  'account',
  'ip',
  'client_id',
]

type Line = Record<string, unknown>

describe('security events', () => {
  let fixture: ProviderWithAccount
  let url: string
  let db: Kysely<ProviderDatabase>
  let alice: string
  const started = new Date().toISOString()
  const log: Line[] = []

  beforeAll(async () => {
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean))
          log.push(JSON.parse(line) as Line)
        done()
      },
    })
    // The requests come from this machine: its addresses are the proxy an X-Forwarded-For is
    // believed from.
    fixture = await startProviderWithAccount({
      env: { TRUST_PROXY: '127.0.0.1,::1' },
      logger: { level: 'info', stream },
    })
    url = fixture.provider.url
    db = openDatabase<ProviderDatabase>(fixture.provider.config.databaseUrl)
    alice = await accountId('alice')
  })
  afterAll(async () => {
    await db?.destroy()
    await fixture?.close()
  })

  async function accountId(username: string): Promise<string> {
    const row = await db
      .selectFrom('accounts')
      .select('id')
      .where('username', '=', username)
      .executeTakeFirstOrThrow()
    return row.id
  }

  /** The account's stored events, oldest first. */
  function rowsOf(account: string) {
    return db
      .selectFrom('security_events')
      .selectAll()
      .where('account_id', '=', account)
      .orderBy('seq')
      .execute()
  }

  /** The text of the page's "Recent activity" section, as a person reads it. */
  function activityOf(page: string): string {
    const section = page.slice(
      page.indexOf('<section id="activity"'),
      page.indexOf('<section id="leave"'),
    )
    // visibleText puts a space for every tag: none inside brackets or before a colon.
    return visibleText(section)
      .replace(/\( | \)/g, (bracket) => bracket.trim())
      .replace(/ :/g, ':')
  }

  function securityLines(kind?: string): Line[] {
    return log.filter(
      (line) => line.event === 'security' && (kind === undefined || line.kind === kind),
    )
  }

  /** Expects `rows` to end with these events, each at a time of this test run. */
  function expectLast(
    rows: Awaited<ReturnType<typeof rowsOf>>,
    expected: { kind: string; client_id?: string | null; ip?: string | RegExp }[],
  ) {
    const last = rows.slice(-expected.length)
    expect(last.map((row) => ({ kind: row.kind, client_id: row.client_id }))).toEqual(
      expected.map(({ kind, client_id = null }) => ({ kind, client_id })),
    )
    last.forEach((row, index) => {
      const ip = expected[index]?.ip ?? LOCAL
      if (typeof ip === 'string') expect(row.ip).toBe(ip)
      else expect(row.ip).toMatch(ip)
      expect(row.created_at >= started && row.created_at <= new Date().toISOString()).toBe(true)
    })
  }

  function post(browser: TestBrowser, path: string, form: Record<string, string>, headers = {}) {
    return browser.fetch(`${url}${path}`, {
      method: 'POST',
      headers: { ...FORM, ...headers },
      body: new URLSearchParams(form),
    })
  }

  async function signInOptions(browser: TestBrowser, base: string) {
    const options = await browser.postJson<PublicKeyCredentialRequestOptionsJSON>(
      `${base}/sign-in/options`,
      {},
    )
    expect(options.status).toBe(200)
    return options.body
  }

  it('records the sign-up, the consent and a sign-in for the account, with the app and address', async () => {
    expectLast(await rowsOf(alice), [
      { kind: 'sign_up', client_id: LOOPBACK_APP },
      { kind: 'app_allowed', client_id: LOOPBACK_APP },
    ])
    await fixture.signIn()
    expectLast(await rowsOf(alice), [{ kind: 'sign_in', client_id: LOOPBACK_APP }])
    expect(securityLines().map((line) => [line.kind, line.account, line.client_id])).toEqual([
      ['sign_up', alice, LOOPBACK_APP],
      ['app_allowed', alice, LOOPBACK_APP],
      ['sign_in', alice, LOOPBACK_APP],
    ])
    expect(securityLines().every((line) => LOCAL.test(String(line.ip)))).toBe(true)
  })

  it("records a refused answer of the account's passkey for it, and one of an unknown passkey in the log only", async () => {
    const { browser, interaction } = await fixture.openSignInPage()
    const wrong = fixture.authenticator.authenticate(
      await signInOptions(browser, interaction.base),
      {
        origin: url,
        challenge: 'c3RhbGUtY2hhbGxlbmdlLW9mLWFub3RoZXItc2lnbi1pbg',
      },
    )
    expect((await browser.postJson(`${interaction.base}/sign-in`, wrong)).status).toBe(400)
    expectLast(await rowsOf(alice), [{ kind: 'sign_in_failed', client_id: LOOPBACK_APP }])

    // A passkey made for this provider whose sign-up never finished: no account has it.
    const stranger = createSoftwareAuthenticator()
    const elsewhere = await fixture.openSignInPage()
    const signUp = await elsewhere.browser.postJson(
      `${elsewhere.interaction.base}/sign-up/options`,
      {
        username: 'stranger',
      },
    )
    stranger.register(signUp.body as never, { origin: url })
    const unknown = stranger.authenticate(await signInOptions(browser, interaction.base), {
      origin: url,
    })
    const refused = await browser.postJson(`${interaction.base}/sign-in`, unknown)
    expect(refused.body.error).toBe('unknown_passkey')
    const failures = securityLines('sign_in_failed')
    expect(failures.map((line) => [line.level, line.account, line.client_id])).toEqual([
      [40, alice, LOOPBACK_APP],
      [40, undefined, LOOPBACK_APP],
    ])
    const stored = await db
      .selectFrom('security_events')
      .select('account_id')
      .where('kind', '=', 'sign_in_failed')
      .execute()
    expect(stored).toEqual([{ account_id: alice }])
  })

  it('records passkeys added, renamed and removed and an app revoked, at the address TRUST_PROXY gives', async () => {
    const browser = new TestBrowser()
    await openAccountPage(browser, fixture.authenticator, url)
    expectLast(await rowsOf(alice), [{ kind: 'sign_in', client_id: url }])

    const options = await browser.postJson(`${url}/account/passkeys/options`, {})
    const second = createSoftwareAuthenticator()
    const answer = second.register(options.body as never, { origin: url })
    expect((await browser.postJson(`${url}/account/passkeys`, answer)).status).toBe(200)
    // Through a proxy on this machine: the client's address is the one it forwards.
    const forwarded = { 'x-forwarded-for': '203.0.113.7' }
    const renamed = await post(
      browser,
      '/account/passkeys/rename',
      { id: answer.id, name: 'Phone' },
      forwarded,
    )
    expect(renamed.status).toBe(303)
    expect((await post(browser, '/account/passkeys/remove', { id: answer.id })).status).toBe(303)
    const revoked = await post(browser, '/account/apps/revoke', { client_id: LOOPBACK_APP })
    expect(revoked.status).toBe(303)
    expectLast(await rowsOf(alice), [
      { kind: 'passkey_added' },
      { kind: 'passkey_renamed', ip: '203.0.113.7' },
      { kind: 'passkey_removed' },
      { kind: 'app_revoked', client_id: LOOPBACK_APP },
    ])
    expect(securityLines('passkey_renamed')).toEqual([
      expect.objectContaining({ account: alice, ip: '203.0.113.7' }),
    ])
  })

  it('shows the account its own recent activity, newest first, with readable times', async () => {
    const page = await openAccountPage(new TestBrowser(), fixture.authenticator, url)
    expect(page).toContain('<h2 id="activity-heading">Recent activity</h2>')
    const activity = activityOf(page)
    const order = [
      `Signed in (this account page)`,
      `App access revoked (${LOOPBACK_APP})`,
      'Passkey removed',
      'Passkey renamed',
      'Passkey added',
    ]
    const positions = order.map((text) => activity.indexOf(text))
    expect(positions.every((position) => position >= 0)).toBe(true)
    expect([...positions].sort((a, b) => a - b)).toEqual(positions)
    expect(activity).toContain('Passkey renamed, from 203.0.113.7')
    expect(activity).toMatch(/[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{2}:\d{2} UTC: Signed in/)
    expect(page).toMatch(/<time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z">/)

    // Another account sees its own events only: none of alice's, none of their addresses.
    const bobPage = await openAccountPage(new TestBrowser(), createSoftwareAuthenticator(), url, {
      username: 'bob',
    })
    const bobActivity = activityOf(bobPage)
    expect(bobActivity).toContain('Account created (this account page)')
    expect(bobActivity).not.toContain('203.0.113.7')
    expect(bobActivity).not.toContain('Passkey')
  })

  it("deletes an account's events with it, and logs the deletion", async () => {
    const carol = createSoftwareAuthenticator()
    const browser = new TestBrowser()
    await openAccountPage(browser, carol, url, { username: 'carol' })
    const id = await accountId('carol')
    expect((await rowsOf(id)).map((row) => row.kind)).toEqual(['sign_up'])
    const deleted = await post(browser, '/account/delete', { confirm: 'carol' })
    expect(deleted.status).toBe(200)
    expect(await rowsOf(id)).toEqual([])
    expect(securityLines('account_deleted')).toEqual([
      expect.objectContaining({ account: id, ip: expect.stringMatching(LOCAL) }),
    ])
  })

  it('logs rate-limit refusals with the address, in no account’s activity', async () => {
    const { browser, interaction } = await fixture.openSignInPage()
    let status = 0
    for (let n = 0; n < 80 && status !== 429; n += 1) {
      const lookUp = await browser.postJson(`${interaction.base}/sign-up/options`, {
        username: `lookup${n}`,
      })
      status = lookUp.status
    }
    expect(status).toBe(429)
    const refusals = securityLines('rate_limited')
    expect(refusals).toHaveLength(1)
    expect(refusals[0]).toMatchObject({ level: 30, ip: expect.stringMatching(LOCAL) })
    expect(refusals[0]?.account).toBeUndefined()
    const stored = await db
      .selectFrom('security_events')
      .select('kind')
      .where('kind', '=', 'rate_limited')
      .execute()
    expect(stored).toEqual([])
  })

  it('writes no token, code, secret or passkey key in a row or a log line', async () => {
    const { tokens } = await fixture.signIn()
    const issued = await fixture.issueCode()
    const keys = await db.selectFrom('passkeys').select('public_key').execute()
    const secrets = await db.selectFrom('secrets').select('value').execute()
    const forbidden = [
      tokens.access_token,
      String(tokens.id_token),
      issued.code,
      ...keys.map((key) => key.public_key),
      ...secrets.map((secret) => secret.value),
    ]
    const rows = await db.selectFrom('security_events').selectAll().execute()
    const lines = securityLines()
    expect(rows.length).toBeGreaterThan(10)
    expect(lines.length).toBeGreaterThan(rows.length)
    for (const row of rows)
      expect(Object.keys(row).sort()).toEqual([
        'account_id',
        'client_id',
        'created_at',
        'ip',
        'kind',
        'seq',
        'slot',
      ])
    for (const line of lines) expect(LINE_FIELDS).toEqual(expect.arrayContaining(Object.keys(line)))
    const written = JSON.stringify([rows, lines])
    for (const secret of forbidden) expect(written).not.toContain(secret)
  })
})

import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { openDatabase } from '@passkey-id/store'
import { freePort, PAGE_ACCEPT, TestBrowser, visibleText } from '@passkey-id/testing/http'
import {
  type ReceivedMail,
  startSilentServer,
  startTestSmtpServer,
  type TestSmtpServer,
} from '@passkey-id/testing/mail'
import { type ProviderWithAccount, startProviderWithAccount } from '@passkey-id/testing/provider'
import { openAccountPage } from '@passkey-id/testing/sign-in'
import type { Kysely } from 'kysely'
import * as client from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ProviderDatabase } from '../src/store/schema.ts'

const FORM = { accept: PAGE_ACCEPT, 'content-type': 'application/x-www-form-urlencoded' }

/** The 6-digit code in a verification message. */
function codeIn(mail: ReceivedMail): string {
  const code = /^\s+(\d{6})$/m.exec(mail.text)?.[1]
  if (code === undefined) throw new Error(`no code in the message:\n${mail.text}`)
  return code
}

describe('email verification over a real SMTP server', () => {
  let smtp: TestSmtpServer
  let fixture: ProviderWithAccount
  let url: string
  let db: Kysely<ProviderDatabase>
  /** The provider's clock for codes: the real time plus `shift`. */
  let shift = 0

  beforeAll(async () => {
    smtp = await startTestSmtpServer()
    fixture = await startProviderWithAccount({
      scope: 'openid email',
      env: { SMTP_URL: smtp.url, MAIL_FROM: 'Passkey Test <id@example.com>' },
      now: () => Date.now() + shift,
    })
    url = fixture.provider.url
    db = openDatabase<ProviderDatabase>(fixture.provider.config.databaseUrl)
  })
  afterAll(async () => {
    await db?.destroy()
    await fixture?.close()
    await smtp?.close()
  })

  function post(browser: TestBrowser, path: string, form: Record<string, string>) {
    return browser.fetch(`${url}${path}`, {
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams(form),
    })
  }

  /** Signs in to the account page of a new account (or the fixture's) in a new browser. */
  async function accountPage(username?: string) {
    const browser = new TestBrowser()
    const authenticator =
      username === undefined ? fixture.authenticator : createSoftwareAuthenticator()
    await openAccountPage(
      browser,
      authenticator,
      url,
      username === undefined ? undefined : { username },
    )
    return browser
  }

  /** Sends a code to `email` from `browser`'s account page and returns the message that arrives. */
  async function sendCode(browser: TestBrowser, email: string): Promise<ReceivedMail> {
    const since = smtp.messages.length
    const sent = await post(browser, '/account/email/send-code', { username: 'ignored', email })
    expect(sent.status).toBe(303)
    expect(sent.headers.get('location')).toBe('/account?done=code-sent#email')
    return smtp.nextMessage({
      since,
      matches: (mail) => mail.envelopeTo.some((to) => to.toLowerCase() === email.toLowerCase()),
    })
  }

  async function userinfo() {
    const tokens = await fixture.expectAccountStillSignsIn()
    return client.fetchUserInfo(fixture.config, tokens.access_token, fixture.sub)
  }

  async function accountRow(username: string) {
    return db
      .selectFrom('accounts')
      .select(['id', 'email', 'email_verified_at', 'verified_email_key'])
      .where('username', '=', username)
      .executeTakeFirstOrThrow()
  }

  it('sends a code, verifies it, and tells apps email_verified: true until the address changes', async () => {
    const browser = await accountPage()
    const mail = await sendCode(browser, 'alice@example.com')
    expect(mail.from).toBe('"Passkey Test" <id@example.com>')
    expect(mail.to).toBe('alice@example.com')
    expect(mail.envelopeFrom).toBe('id@example.com')
    const code = codeIn(mail)
    expect(mail.subject).toBe(`Your verification code: ${code}`)

    // The code is stored only as an HMAC, never as the code or its bare SHA-256.
    const stored = await db.selectFrom('email_codes').selectAll().executeTakeFirstOrThrow()
    expect(stored.code_hash).not.toContain(code)
    expect(stored.code_hash).toMatch(/^[\w-]{43}$/)

    const page = visibleText(await (await browser.fetch(`${url}/account?done=code-sent`)).text())
    expect(page).toContain('A 6-digit verification code is on its way')
    expect(page).toContain('A 6-digit code was sent to alice@example.com')
    expect(page).toContain('This address is not verified yet.')
    expect((await userinfo()).email_verified).toBe(false)

    const verified = await post(browser, '/account/email/verify', {
      code: ` ${code.slice(0, 3)} ${code.slice(3)} `,
    })
    expect(verified.status).toBe(303)
    expect(verified.headers.get('location')).toBe('/account?done=email-verified#email')
    const after = visibleText(await (await browser.fetch(`${url}/account`)).text())
    expect(after).toContain('This address is verified.')
    expect(after).toContain('Email address verified')
    expect(after).toContain('A verification code was mailed')
    expect(await userinfo()).toMatchObject({ email: 'alice@example.com', email_verified: true })

    // Used once: the same code again finds nothing.
    const reused = await post(browser, '/account/email/verify', { code })
    expect(reused.status).toBe(400)
    expect(visibleText(await reused.text())).toContain('There is no verification code waiting')

    // A profile saved with the same address keeps it verified; another address resets it, and the
    // old, verified address is told.
    expect(
      (await post(browser, '/account/profile', { username: 'alice', email: 'alice@example.com' }))
        .status,
    ).toBe(303)
    expect((await userinfo()).email_verified).toBe(true)
    const since = smtp.messages.length
    expect(
      (
        await post(browser, '/account/profile', {
          username: 'alice',
          email: 'alice@elsewhere.example',
        })
      ).status,
    ).toBe(303)
    expect(await userinfo()).toMatchObject({
      email: 'alice@elsewhere.example',
      email_verified: false,
    })
    const notice = await smtp.nextMessage({ since })
    expect(notice.envelopeTo).toEqual(['alice@example.com'])
    expect(notice.subject).toBe('Your account’s email address was changed')
    expect(await accountRow('alice')).toMatchObject({
      email_verified_at: null,
      verified_email_key: null,
    })
  })

  it('mails the verified address when a passkey is added', async () => {
    const browser = await accountPage()
    await post(browser, '/account/email/verify', {
      code: codeIn(await sendCode(browser, 'alice@example.com')),
    })
    expect((await userinfo()).email_verified).toBe(true)
    const since = smtp.messages.length
    const options = await browser.postJson(`${url}/account/passkeys/options`, {})
    const answer = createSoftwareAuthenticator().register(options.body as never, { origin: url })
    expect((await browser.postJson(`${url}/account/passkeys`, answer)).status).toBe(200)
    const notice = await smtp.nextMessage({ since })
    expect(notice.envelopeTo).toEqual(['alice@example.com'])
    expect(notice.subject).toBe('A passkey was added to your account')
  })

  it('counts wrong codes: 5 tries, then the code is void even when right', async () => {
    const browser = await accountPage('wrongcodes')
    const code = codeIn(await sendCode(browser, 'wrong@example.com'))
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0')
    for (const left of [4, 3, 2, 1]) {
      const tried = await post(browser, '/account/email/verify', { code: wrong })
      expect(tried.status).toBe(400)
      expect(visibleText(await tried.text())).toContain(
        `That is not the code we sent. Check the latest message and try again (${left} ${left === 1 ? 'attempt' : 'attempts'} left).`,
      )
    }
    const last = await post(browser, '/account/email/verify', { code: wrong })
    expect(visibleText(await last.text())).toContain(
      'it was tried too often, so it no longer works',
    )
    const right = await post(browser, '/account/email/verify', { code })
    expect(right.status).toBe(400)
    expect(visibleText(await right.text())).toContain('There is no verification code waiting')
    expect((await accountRow('wrongcodes')).email_verified_at).toBeNull()
  })

  it('refuses a code after 10 minutes', async () => {
    const browser = await accountPage('latecomer')
    const code = codeIn(await sendCode(browser, 'late@example.com'))
    shift = 10 * 60 * 1000 + 1000
    try {
      const late = await post(browser, '/account/email/verify', { code })
      expect(late.status).toBe(400)
      expect(visibleText(await late.text())).toContain('This verification code has expired')
      // The page no longer offers the field for a code that is gone.
      expect(await (await browser.fetch(`${url}/account`)).text()).not.toContain(
        'Verification code',
      )
    } finally {
      shift = 0
    }
    expect((await accountRow('latecomer')).email_verified_at).toBeNull()
  })

  it("refuses one account's code on another", async () => {
    const mallory = await accountPage('mallory')
    const bob = await accountPage('bob')
    await sendCode(mallory, 'mallory@example.com')
    const bobsCode = codeIn(await sendCode(bob, 'bob@example.com'))
    const stolen = await post(mallory, '/account/email/verify', { code: bobsCode })
    expect(stolen.status).toBe(400)
    expect(visibleText(await stolen.text())).toContain('That is not the code we sent')
    expect((await accountRow('mallory')).email_verified_at).toBeNull()
    expect((await post(bob, '/account/email/verify', { code: bobsCode })).status).toBe(303)
  })

  it('keeps a verified address to one account, in any letter case', async () => {
    const first = await accountPage('owner')
    await post(first, '/account/email/verify', {
      code: codeIn(await sendCode(first, 'shared@example.com')),
    })
    const second = await accountPage('latcomer2')
    const code = codeIn(await sendCode(second, 'Shared@Example.com'))
    const taken = await post(second, '/account/email/verify', { code })
    expect(taken.status).toBe(409)
    const text = visibleText(await taken.text())
    expect(text).toContain('This email address is already verified on another account')
    expect(text).not.toContain('owner')
    expect(await accountRow('latcomer2')).toMatchObject({
      email: 'Shared@Example.com',
      email_verified_at: null,
    })
    expect((await accountRow('owner')).verified_email_key).toBe('shared@example.com')
  })

  it('refuses an address with a line break, sending nothing', async () => {
    const browser = await accountPage('injector')
    const before = smtp.messages.length
    const refused = await post(browser, '/account/email/send-code', {
      email: 'victim@example.com\r\nBcc: everyone@example.com',
    })
    expect(refused.status).toBe(400)
    expect(visibleText(await refused.text())).toContain('That email address does not look right')
    expect(smtp.messages.length).toBe(before)
    expect((await accountRow('injector')).email).toBeNull()
  })
})

describe('the limits on verification codes', () => {
  let smtp: TestSmtpServer
  let fixture: ProviderWithAccount

  beforeAll(async () => {
    smtp = await startTestSmtpServer()
    fixture = await startProviderWithAccount({ env: { SMTP_URL: smtp.url } })
  })
  afterAll(async () => {
    await fixture?.close()
    await smtp?.close()
  })

  function post(browser: TestBrowser, path: string, form: Record<string, string>) {
    return browser.fetch(`${fixture.provider.url}${path}`, {
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams(form),
    })
  }

  it('allows 5 codes an hour to one account, and 30 wrong codes in 10 minutes to one client', async () => {
    const browser = new TestBrowser()
    await openAccountPage(browser, fixture.authenticator, fixture.provider.url)
    for (let sent = 1; sent <= 5; sent += 1) {
      const answer = await post(browser, '/account/email/send-code', { email: 'alice@example.com' })
      expect(answer.status).toBe(303)
      await smtp.nextMessage({ since: sent - 1 })
    }
    const sixth = await post(browser, '/account/email/send-code', { email: 'alice@example.com' })
    expect(sixth.status).toBe(429)
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(3000)
    expect(smtp.messages).toHaveLength(5)

    // Guesses: at the account's pending code (void after 5), then with none waiting, alike.
    let status = 0
    let tries = 0
    while (status !== 429 && tries < 40) {
      tries += 1
      status = (await post(browser, '/account/email/verify', { code: '000000' })).status
    }
    expect(status).toBe(429)
    expect(tries).toBe(31)
  })
})

describe('a mail server that cannot take the message', () => {
  /** Starts a provider mailing through `smtpUrl`, signs in, and tries to send a code. */
  async function trySending(smtpUrl: string) {
    const fixture = await startProviderWithAccount({
      env: { SMTP_URL: smtpUrl, SMTP_TIMEOUT: '1' },
    })
    const db = openDatabase<ProviderDatabase>(fixture.provider.config.databaseUrl)
    try {
      const browser = new TestBrowser()
      await openAccountPage(browser, fixture.authenticator, fixture.provider.url)
      const started = performance.now()
      const answer = await browser.fetch(`${fixture.provider.url}/account/email/send-code`, {
        method: 'POST',
        headers: FORM,
        body: new URLSearchParams({ email: 'alice@example.com' }),
      })
      const seconds = (performance.now() - started) / 1000
      const text = visibleText(await answer.text())
      const account = await db.selectFrom('accounts').select(['email']).executeTakeFirstOrThrow()
      const codes = await db.selectFrom('email_codes').selectAll().execute()
      return { answer, text, seconds, account, codes }
    } finally {
      await db.destroy()
      await fixture.close()
    }
  }

  it('says so when the server is down, and saves neither the address nor a code', async () => {
    const { answer, text, account, codes } = await trySending(
      `smtp://127.0.0.1:${await freePort()}`,
    )
    expect(answer.status).toBe(503)
    expect(answer.headers.get('retry-after')).toBe('60')
    expect(text).toContain(
      'The message could not be sent: the mail server cannot be reached or did not answer in time. Nothing was changed.',
    )
    expect(account.email).toBeNull()
    expect(codes).toEqual([])
  })

  it('gives up on a server that never answers within SMTP_TIMEOUT', async () => {
    const silent = await startSilentServer()
    try {
      const { answer, text, seconds, account, codes } = await trySending(silent.url)
      expect(silent.accepted()).toBe(1)
      expect(answer.status).toBe(503)
      expect(text).toContain('the mail server cannot be reached or did not answer in time')
      expect(seconds).toBeGreaterThanOrEqual(0.9)
      expect(seconds).toBeLessThan(5)
      expect(account.email).toBeNull()
      expect(codes).toEqual([])
    } finally {
      await silent.close()
    }
  })

  it('says so when the server refuses the recipient (550)', async () => {
    const refusing = await startTestSmtpServer({ refuseRecipients: true })
    try {
      const { answer, text, account, codes } = await trySending(refusing.url)
      expect(answer.status).toBe(400)
      expect(text).toContain(
        'The mail server refused to deliver to this address, so nothing was sent and nothing was changed.',
      )
      expect(account.email).toBeNull()
      expect(codes).toEqual([])
      expect(refusing.messages).toEqual([])
    } finally {
      await refusing.close()
    }
  })
})

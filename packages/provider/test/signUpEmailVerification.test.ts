import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { openDatabase } from '@passkey-id/store'
import { freePort, TestBrowser } from '@passkey-id/testing/http'
import {
  type ReceivedMail,
  startTestSmtpServer,
  type TestSmtpServer,
} from '@passkey-id/testing/mail'
import {
  LOOPBACK_APP,
  LOOPBACK_REDIRECT_URI,
  startTestProvider,
  type TestProvider,
} from '@passkey-id/testing/provider'
import {
  buildAuthorizationRequest,
  discoverAsApp,
  openInteraction,
  type PasskeyStepAnswer,
  signInWithCodeFlow,
} from '@passkey-id/testing/sign-in'
import type { Kysely } from 'kysely'
import * as client from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ProviderDatabase } from '../src/store/schema.ts'

/** The 6-digit code in a verification message. */
function codeIn(mail: ReceivedMail): string {
  const code = /^\s+(\d{6})$/m.exec(mail.text)?.[1]
  if (code === undefined) throw new Error(`no code in the message:\n${mail.text}`)
  return code
}

/** Another 6-digit code than `code`. */
function otherThan(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0')
}

/** A new browser at the sign-in page of a new authorization request of the loopback app. */
async function openSignIn(provider: TestProvider, browser = new TestBrowser()) {
  const config = await discoverAsApp(provider.url, LOOPBACK_APP)
  const request = await buildAuthorizationRequest(config, {
    redirectUri: LOOPBACK_REDIRECT_URI,
    scope: 'openid email',
  })
  return { browser, interaction: await openInteraction(browser, request.url) }
}

/**
 * Signs a new account up at a new sign-in page, with a new passkey, and stops before resuming:
 * returns the browser, the interaction's base URL and what the sign-up answered.
 */
async function signUpAndStop(provider: TestProvider, signUp: { username: string; email?: string }) {
  const { browser, interaction } = await openSignIn(provider)
  const options = await browser.postJson(`${interaction.base}/sign-up/options`, signUp)
  expect(options.status).toBe(200)
  const passkey = createSoftwareAuthenticator().register(options.body as never, {
    origin: provider.url,
  })
  const done = await browser.postJson<PasskeyStepAnswer>(`${interaction.base}/sign-up`, passkey)
  expect(done.status).toBe(200)
  return { browser, base: interaction.base, answer: done.body }
}

describe('verifying the address right after a sign-up, over a real SMTP server', () => {
  let smtp: TestSmtpServer
  let provider: TestProvider
  let db: Kysely<ProviderDatabase>
  /** The provider's clock for codes: the real time plus `shift`. */
  let shift = 0

  beforeAll(async () => {
    smtp = await startTestSmtpServer()
    provider = await startTestProvider({ SMTP_URL: smtp.url }, undefined, {
      now: () => Date.now() + shift,
    })
    db = openDatabase<ProviderDatabase>(provider.config.databaseUrl)
  })
  afterAll(async () => {
    await db?.destroy()
    await provider?.close()
    await smtp?.close()
  })

  /** Sends a code from the step after a sign-up and returns the message that arrives. */
  async function sendCode(browser: TestBrowser, base: string, email: string) {
    const since = smtp.messages.length
    const sent = await browser.postJson(`${base}/email/send-code`, {})
    expect(sent).toEqual({ status: 200, body: { sent: true, email } })
    return smtp.nextMessage({ since, matches: (mail) => mail.envelopeTo.includes(email) })
  }

  async function accountRow(username: string) {
    return db
      .selectFrom('accounts')
      .select(['id', 'email', 'email_verified_at'])
      .where('username', '=', username)
      .executeTakeFirstOrThrow()
  }

  it('mails nothing until asked, then the code verifies the address: the app gets email_verified: true', async () => {
    const config = await discoverAsApp(provider.url, LOOPBACK_APP)
    const browser = new TestBrowser()
    let base = ''
    let consentPage = ''
    const { tokens, outcome } = await signInWithCodeFlow(
      config,
      browser,
      createSoftwareAuthenticator(),
      {
        redirectUri: LOOPBACK_REDIRECT_URI,
        scope: 'openid email',
        script: {
          signUp: { username: 'newcomer', email: 'newcomer@example.com' },
          beforeResume: async (step) => {
            base = step.base
            expect(step.answer.emailToVerify).toBe('newcomer@example.com')
            expect(smtp.messages).toEqual([])
            const mail = await sendCode(browser, base, 'newcomer@example.com')
            expect(mail.subject).toBe(`Your verification code: ${codeIn(mail)}`)
            const code = codeIn(mail)
            const verified = await browser.postJson(`${base}/email/verify`, {
              code: ` ${code.slice(0, 3)} ${code.slice(3)} `,
            })
            expect(verified).toEqual({ status: 200, body: { verified: true } })
            // Used once.
            const reused = await browser.postJson(`${base}/email/verify`, { code })
            expect(reused.status).toBe(400)
            expect(reused.body.error).toBe('no_pending_code')
            // The consent page shows the address as verified.
            const consent = await openInteraction(browser, new URL(step.answer.redirectTo))
            consentPage = consent.page
            step.answer.redirectTo = consent.base
          },
        },
      },
    )
    expect(outcome.sawConsent).toBe(true)
    expect(consentPage).toContain('newcomer@example.com')
    expect(consentPage).toContain('(verified)')
    // The ID token of a code flow carries no profile claims here: userinfo does.
    const sub = String(tokens.claims()?.sub)
    expect(await client.fetchUserInfo(config, tokens.access_token, sub)).toMatchObject({
      email: 'newcomer@example.com',
      email_verified: true,
    })
    expect(smtp.messages).toHaveLength(1)
    const events = await db
      .selectFrom('security_events')
      .select('kind')
      .where('account_id', '=', (await accountRow('newcomer')).id)
      .orderBy('seq')
      .execute()
    expect(events.map((event) => event.kind)).toEqual(
      expect.arrayContaining(['sign_up', 'email_verification_sent', 'email_verified']),
    )

    // The interaction is done: its steps are gone with it.
    const after = await browser.postJson(`${base}/email/send-code`, {})
    expect(after.status).toBe(400)
    expect(after.body.error).toBe('interaction_expired')
    expect(smtp.messages).toHaveLength(1)
  })

  it('refuses wrong and expired codes, and a code of another new account', async () => {
    const first = await signUpAndStop(provider, { username: 'first', email: 'first@example.com' })
    const second = await signUpAndStop(provider, {
      username: 'second',
      email: 'second@example.com',
    })
    const firstCode = codeIn(await sendCode(first.browser, first.base, 'first@example.com'))
    const secondCode = codeIn(await sendCode(second.browser, second.base, 'second@example.com'))

    const wrong = await first.browser.postJson(`${first.base}/email/verify`, {
      code: otherThan(firstCode),
    })
    expect(wrong).toMatchObject({ status: 400, body: { error: 'wrong_code' } })
    expect(String(wrong.body.message)).toContain('(4 attempts left)')
    const stolen = await first.browser.postJson(`${first.base}/email/verify`, { code: secondCode })
    expect(stolen).toMatchObject({ status: 400, body: { error: 'wrong_code' } })

    shift = 10 * 60 * 1000 + 1000
    try {
      const late = await second.browser.postJson(`${second.base}/email/verify`, {
        code: secondCode,
      })
      expect(late).toMatchObject({ status: 400, body: { error: 'code_expired' } })
    } finally {
      shift = 0
    }
    expect((await accountRow('first')).email_verified_at).toBeNull()
    expect((await accountRow('second')).email_verified_at).toBeNull()
    // A new code works: the step stays open after a refusal.
    const again = codeIn(await sendCode(second.browser, second.base, 'second@example.com'))
    expect(
      (await second.browser.postJson(`${second.base}/email/verify`, { code: again })).status,
    ).toBe(200)
    expect((await accountRow('second')).email_verified_at).not.toBeNull()
  })

  it('refuses other interactions: one not yet signed up, one of another browser, one open beside it', async () => {
    const since = smtp.messages.length
    // A sign-in page where nobody has signed up yet.
    const fresh = await openSignIn(provider)
    const early = await fresh.browser.postJson(`${fresh.interaction.base}/email/send-code`, {})
    expect(early).toMatchObject({ status: 403, body: { error: 'not_a_new_account' } })

    const signedUp = await signUpAndStop(provider, {
      username: 'owner',
      email: 'owner@example.com',
    })
    // Another browser, without the interaction's cookie.
    const stranger = await new TestBrowser().postJson(`${signedUp.base}/email/send-code`, {})
    expect(stranger).toMatchObject({ status: 400, body: { error: 'interaction_expired' } })
    // The same browser, now carrying another interaction's cookie (a second sign-in page opened).
    await openSignIn(provider, fresh.browser)
    const other = await openSignIn(provider, signedUp.browser)
    const mismatch = await signedUp.browser.postJson(`${signedUp.base}/email/send-code`, {})
    expect(mismatch).toMatchObject({ status: 400, body: { error: 'interaction_mismatch' } })
    const guessed = await signedUp.browser.postJson(`${other.interaction.base}/email/verify`, {
      code: '123456',
    })
    expect(guessed).toMatchObject({ status: 403, body: { error: 'not_a_new_account' } })
    // From another site.
    const crossSite = await signedUp.browser.postJson(
      `${other.interaction.base}/email/send-code`,
      {},
      { site: 'cross-site' },
    )
    expect(crossSite).toMatchObject({ status: 403, body: { error: 'cross_site_request' } })
    expect(smtp.messages).toHaveLength(since)
  })

  it('refuses an interaction that signed an account in, and a sign-up without an address', async () => {
    const since = smtp.messages.length
    const noEmail = await signUpAndStop(provider, { username: 'noemail' })
    expect(noEmail.answer.emailToVerify).toBeUndefined()
    const refused = await noEmail.browser.postJson(`${noEmail.base}/email/send-code`, {})
    expect(refused).toMatchObject({ status: 400, body: { error: 'no_address_to_verify' } })

    // A returning account with an address, signing in: not a sign-up, so no step.
    const config = await discoverAsApp(provider.url, LOOPBACK_APP)
    const authenticator = createSoftwareAuthenticator()
    await signInWithCodeFlow(config, new TestBrowser(), authenticator, {
      redirectUri: LOOPBACK_REDIRECT_URI,
      script: { signUp: { username: 'returning', email: 'returning@example.com' } },
    })
    const browser = new TestBrowser()
    await signInWithCodeFlow(config, browser, authenticator, {
      redirectUri: LOOPBACK_REDIRECT_URI,
      script: {
        beforeResume: async ({ base, answer }) => {
          expect(answer.emailToVerify).toBeUndefined()
          const signIn = await browser.postJson(`${base}/email/send-code`, {})
          expect(signIn).toMatchObject({ status: 403, body: { error: 'not_a_new_account' } })
        },
      },
    })
    expect(smtp.messages).toHaveLength(since)
  })

  it('refuses both steps once the operator disables the new account, and mails nothing', async () => {
    const { browser, base } = await signUpAndStop(provider, {
      username: 'disabledsoon',
      email: 'disabledsoon@example.com',
    })
    const code = codeIn(await sendCode(browser, base, 'disabledsoon@example.com'))
    const since = smtp.messages.length
    await db
      .updateTable('accounts')
      .set({ disabled_at: new Date().toISOString() })
      .where('username', '=', 'disabledsoon')
      .execute()
    const send = await browser.postJson(`${base}/email/send-code`, {})
    expect(send).toMatchObject({ status: 403, body: { error: 'account_disabled' } })
    expect(String(send.body.message)).toContain('Ask them to enable it again')
    const verify = await browser.postJson(`${base}/email/verify`, { code })
    expect(verify).toMatchObject({ status: 403, body: { error: 'account_disabled' } })
    expect(smtp.messages).toHaveLength(since)
    expect((await accountRow('disabledsoon')).email_verified_at).toBeNull()
  })

  it('refuses Allow on a consent page shown before the operator disabled the account, and saves nothing', async () => {
    const { browser, answer } = await signUpAndStop(provider, { username: 'disabledatconsent' })
    const consent = await openInteraction(browser, new URL(answer.redirectTo))
    expect(consent.page).toContain('name="decision"')
    const { id } = await accountRow('disabledatconsent')
    await db
      .updateTable('accounts')
      .set({ disabled_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute()
    const allow = await browser.fetch(`${consent.base}/consent`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ decision: 'allow' }),
    })
    expect(allow.status).toBe(403)
    expect(await allow.json()).toMatchObject({ error: 'account_disabled' })
    const reloaded = await browser.fetch(consent.base, { headers: { accept: 'application/json' } })
    expect(reloaded.status).toBe(403)
    expect(await reloaded.json()).toMatchObject({ error: 'account_disabled' })
    const saved = await db.selectFrom('consents').select('client_id').where('account_id', '=', id)
    expect(await saved.execute()).toEqual([])
    const events = await db
      .selectFrom('security_events')
      .select('kind')
      .where('account_id', '=', id)
      .execute()
    expect(events.map((event) => event.kind)).not.toContain('app_allowed')
  })

  it('refuses malformed and oversized codes', async () => {
    const { browser, base } = await signUpAndStop(provider, {
      username: 'malformed',
      email: 'malformed@example.com',
    })
    for (const body of [{}, { code: { digits: '123456' } }, { code: 'x'.repeat(101) }, []]) {
      const refused = await browser.postJson(`${base}/email/verify`, body)
      expect(refused.status).toBe(400)
      expect(refused.body.error).toBe('invalid_request')
    }
    const oversized = await browser.postJson(`${base}/email/send-code`, { pad: 'x'.repeat(2000) })
    expect(oversized.status).toBe(413)
    expect((await accountRow('malformed')).email_verified_at).toBeNull()
  })
})

describe('the limits on the step after a sign-up', () => {
  let smtp: TestSmtpServer
  let provider: TestProvider

  beforeAll(async () => {
    smtp = await startTestSmtpServer()
    provider = await startTestProvider({ SMTP_URL: smtp.url })
  })
  afterAll(async () => {
    await provider?.close()
    await smtp?.close()
  })

  it('allows 5 codes an hour to the new account, and 30 wrong codes in 10 minutes to one client', async () => {
    const { browser, base } = await signUpAndStop(provider, {
      username: 'guesser',
      email: 'guesser@example.com',
    })
    for (let sent = 1; sent <= 5; sent += 1) {
      expect((await browser.postJson(`${base}/email/send-code`, {})).status).toBe(200)
      await smtp.nextMessage({ since: sent - 1 })
    }
    const sixth = await browser.fetch(`${base}/email/send-code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: '{}',
    })
    expect(sixth.status).toBe(429)
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(3000)
    expect(smtp.messages).toHaveLength(5)

    let answer: Response | undefined
    let tries = 0
    while (answer?.status !== 429 && tries < 40) {
      tries += 1
      answer = await browser.fetch(`${base}/email/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ code: '000000' }),
      })
    }
    expect(answer?.status).toBe(429)
    expect(Number(answer?.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(tries).toBe(31)
  })
})

describe('the step after a sign-up when the mail server cannot take the message', () => {
  /** Signs up with an address on a provider mailing through `smtpUrl`, and presses Send. */
  async function trySending(smtpUrl: string) {
    const provider = await startTestProvider({ SMTP_URL: smtpUrl, SMTP_TIMEOUT: '1' })
    const db = openDatabase<ProviderDatabase>(provider.config.databaseUrl)
    try {
      const { browser, base } = await signUpAndStop(provider, {
        username: 'unlucky',
        email: 'unlucky@example.com',
      })
      const sent = await browser.fetch(`${base}/email/send-code`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: '{}',
      })
      const body = (await sent.json()) as { error: string; message: string }
      const codes = await db.selectFrom('email_codes').selectAll().execute()
      // Nothing half-done: no code waits, so Verify finds none, and the step is still there.
      const verify = await browser.postJson(`${base}/email/verify`, { code: '123456' })
      return { sent, body, codes, verify }
    } finally {
      await db.destroy()
      await provider.close()
    }
  }

  it('says so when the server is down, and keeps no code', async () => {
    const { sent, body, codes, verify } = await trySending(`smtp://127.0.0.1:${await freePort()}`)
    expect(sent.status).toBe(503)
    expect(sent.headers.get('retry-after')).toBe('60')
    expect(body.message).toContain(
      'The message could not be sent: the mail server cannot be reached or did not answer in time. Nothing was changed.',
    )
    expect(codes).toEqual([])
    expect(verify).toMatchObject({ status: 400, body: { error: 'no_pending_code' } })
  })

  it('says so when the server refuses the recipient (550)', async () => {
    const refusing = await startTestSmtpServer({ refuseRecipients: true })
    try {
      const { sent, body, codes } = await trySending(refusing.url)
      expect(sent.status).toBe(400)
      expect(body.message).toContain('The mail server refused to deliver to this address')
      expect(codes).toEqual([])
      expect(refusing.messages).toEqual([])
    } finally {
      await refusing.close()
    }
  })
})

import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import { PAGE_ACCEPT, TestBrowser } from '@passkey-id/testing/http'
import { type ProviderProcess, startProviderProcess } from '@passkey-id/testing/processes'
import { openAccountPage } from '@passkey-id/testing/sign-in'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

/** A cold start of the provider's process (up to a minute on a loaded machine), then a sign-up. */
const TEST_MS = 120_000

/** Waits up to 10 s for `output()` to match `pattern`, and returns the match. */
async function waitFor(output: () => string, pattern: RegExp): Promise<RegExpExecArray> {
  const until = Date.now() + 10_000
  for (;;) {
    const match = pattern.exec(output())
    if (match !== null) return match
    if (Date.now() > until) throw new Error(`no ${pattern} in the output:\n${output()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('development mail', () => {
  let database: TestDatabase
  let provider: ProviderProcess | undefined

  beforeEach(async () => {
    database = await testDatabaseUrl()
  })
  afterEach(async () => {
    await provider?.stop()
    provider = undefined
    await database.drop()
  })

  it('prints each message on a loopback PUBLIC_URL without SMTP_URL, whatever the log level, and the code verifies', {
    timeout: TEST_MS,
  }, async () => {
    provider = await startProviderProcess({
      DATABASE_URL: database.url,
      LOG_LEVEL: 'silent',
      SMTP_URL: '',
    })
    const { url, output } = provider
    const browser = new TestBrowser()
    await openAccountPage(browser, createSoftwareAuthenticator(), url, { username: 'offline' })
    const form = (body: Record<string, string>) => ({
      method: 'POST',
      headers: { accept: PAGE_ACCEPT, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body),
    })
    const sent = await browser.fetch(
      `${url}/account/email/send-code`,
      form({ email: 'offline@example.com' }),
    )
    expect(sent.status).toBe(303)
    const [printed, code] = await waitFor(
      output,
      /----- development mail \(SMTP_URL is not set: printed here, not sent\) -----\nFrom: passkey-id <no-reply@localhost>\nTo: offline@example.com\nSubject: Your verification code: (\d{6})\n[\s\S]*?----- end of development mail -----/,
    )
    expect(printed).toContain('to verify this email address')
    const verified = await browser.fetch(
      `${url}/account/email/verify`,
      form({ code: String(code) }),
    )
    expect(verified.status).toBe(303)
    expect(verified.headers.get('location')).toBe('/account?done=email-verified#email')
  })
})

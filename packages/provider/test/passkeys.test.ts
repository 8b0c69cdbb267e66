import { randomBytes } from 'node:crypto'
import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { TestBrowser } from '@passkey-id/testing/http'
import { type ProviderWithAccount, startProviderWithAccount } from '@passkey-id/testing/provider'
import { type OpenInteraction, openInteraction } from '@passkey-id/testing/sign-in'
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { SHARED_CHALLENGE_MIN_LEFT_MS } from '../src/passkeys/startSignIn.ts'
import { openProviderStore } from '../src/store/openProviderStore.ts'

/**
 * What a refusal must not show a person: errors from inside a parser rather than a check, and
 * SimpleWebAuthn's own messages (verifyNewPasskey.test and verifyAssertion.test list them).
 */
const LEAKED_INTERNALS =
  /is not a function|is not valid JSON|Unexpected token|undefined \(reading|Unexpected (registration|authentication) response|ECDSASigValue|ASN1|base64url|fully decoded|expected "/

/**
 * The one sentence of every answer SimpleWebAuthn refuses: its own reason (which check failed) is
 * for the log, and verifyNewPasskey.test and verifyAssertion.test check it.
 */
const PASSKEY_REJECTED = /^The passkey's answer could not be verified, so it was not accepted\. /

type CeremonyAnswer = { status: number; body: { error?: string; message?: string } }

describe('passkey ceremonies refuse forged, replayed and out-of-order answers', () => {
  let fixture: ProviderWithAccount

  beforeAll(async () => {
    fixture = await startProviderWithAccount()
  })
  afterAll(() => fixture.close())

  async function signInOptions(browser: TestBrowser, interaction: OpenInteraction) {
    const options = await browser.postJson<PublicKeyCredentialRequestOptionsJSON>(
      `${interaction.base}/sign-in/options`,
      {},
    )
    expect(options.status).toBe(200)
    return options.body
  }

  async function signUpOptions(
    browser: TestBrowser,
    interaction: OpenInteraction,
    username: string,
  ) {
    const options = await browser.postJson<PublicKeyCredentialCreationOptionsJSON>(
      `${interaction.base}/sign-up/options`,
      { username },
    )
    expect(options.status).toBe(200)
    return options.body
  }

  function post(browser: TestBrowser, url: string, body: unknown): Promise<CeremonyAnswer> {
    return browser.postJson(url, body)
  }

  /** Expects a refusal in the JSON the sign-in page's script shows: a code and a sentence. */
  function expectRefusal(answer: CeremonyAnswer, status: number, error: string, message?: RegExp) {
    expect(answer.status).toBe(status)
    expect(answer.body.error).toBe(error)
    expect(answer.body.message).toMatch(message ?? /\w+.*\./)
  }

  /** Signs alice in on an open interaction with a correct answer; the sign-in is not broken. */
  async function aliceSignsIn(browser: TestBrowser, interaction: OpenInteraction) {
    const options = await signInOptions(browser, interaction)
    const answer = await post(
      browser,
      `${interaction.base}/sign-in`,
      fixture.authenticator.authenticate(options, { origin: fixture.provider.url }),
    )
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({ redirectTo: expect.stringContaining('/openid/authorize/') })
  }

  const forgeries = [
    ['the wrong challenge', { challenge: randomBytes(32).toString('base64url') }, /challenge/],
    ['the wrong origin', { origin: 'https://evil.example.com' }, /origin/],
    ['the wrong RP ID', { rpId: 'evil.example.com' }, /RP ID/],
  ] as const

  describe('registration (sign-up) answers', () => {
    it.each(
      forgeries.map(([name, forged, reason], index) => [name, forged, reason, `mallory${index}`]),
    )(
      'refuse %s, create no account and leave the username free',
      async (_case, forged, reason, username) => {
        const { browser, interaction } = await fixture.openSignInPage()
        const authenticator = createSoftwareAuthenticator()
        const options = await signUpOptions(browser, interaction, username)
        const forgedAnswer = authenticator.register(options, {
          origin: fixture.provider.url,
          ...forged,
        })
        const refused = await post(browser, `${interaction.base}/sign-up`, forgedAnswer)
        expectRefusal(refused, 400, 'passkey_rejected', PASSKEY_REJECTED)
        expect(refused.body.message).not.toMatch(reason)

        // The refused passkey was not stored: signing in with it finds no account.
        const signIn = await signInOptions(browser, interaction)
        const withRefused = authenticator.authenticate(signIn, {
          origin: fixture.provider.url,
          credentialId: forgedAnswer.id,
        })
        expectRefusal(
          await post(browser, `${interaction.base}/sign-in`, withRefused),
          400,
          'unknown_passkey',
        )

        // The username is still free, and the same sign-in can still create the account.
        const again = await signUpOptions(browser, interaction, username)
        const created = await post(
          browser,
          `${interaction.base}/sign-up`,
          authenticator.register(again, { origin: fixture.provider.url }),
        )
        expect(created.status).toBe(200)
      },
    )

    it.each([
      ['without user verification', { userVerified: false }],
      ['with impossible backup flags', { backedUp: true }],
    ])('refuses a passkey made %s', async (_case, settings) => {
      const { browser, interaction } = await fixture.openSignInPage()
      const options = await signUpOptions(browser, interaction, 'flags')
      const answer = createSoftwareAuthenticator(settings).register(options, {
        origin: fixture.provider.url,
      })
      expectRefusal(
        await post(browser, `${interaction.base}/sign-up`, answer),
        400,
        'passkey_rejected',
        PASSKEY_REJECTED,
      )
    })

    it('refuses an answer whose rawId is not its id with a message for people', async () => {
      const { browser, interaction } = await fixture.openSignInPage()
      const options = await signUpOptions(browser, interaction, 'rawid')
      const answer = createSoftwareAuthenticator().register(options, {
        origin: fixture.provider.url,
      })
      // SimpleWebAuthn: "Credential ID was not base64url-encoded".
      answer.rawId = randomBytes(16).toString('base64url')
      const refused = await post(browser, `${interaction.base}/sign-up`, answer)
      expectRefusal(refused, 400, 'passkey_rejected', PASSKEY_REJECTED)
      expect(refused.body.message).not.toMatch(LEAKED_INTERNALS)
    })

    it.each([
      ['crossOrigin: true', { crossOrigin: true }],
      ['a topOrigin', { crossOrigin: true, topOrigin: 'https://evil.example.com' }],
    ])(
      'refuse a passkey made inside another site (%s), creating no account',
      async (_case, framed) => {
        const { browser, interaction } = await fixture.openSignInPage()
        const options = await signUpOptions(browser, interaction, 'framed')
        const answer = createSoftwareAuthenticator().register(options, {
          origin: fixture.provider.url,
          ...framed,
        })
        expectRefusal(
          await post(browser, `${interaction.base}/sign-up`, answer),
          400,
          'passkey_framed',
          /inside a page of another website/,
        )
        // The username is still free.
        expect((await signUpOptions(browser, interaction, 'framed')).user.name).toBe('framed')
      },
    )

    it.each([
      ['attestationObject', 'AAAA'],
      ['clientDataJSON', 'AAAA'],
      ['clientDataJSON', 'e30'],
    ] as const)(
      'refuses a garbage %s (%s) with a message for people, not code',
      async (field, garbage) => {
        const { browser, interaction } = await fixture.openSignInPage()
        const options = await signUpOptions(browser, interaction, 'garbage')
        const answer = createSoftwareAuthenticator().register(options, {
          origin: fixture.provider.url,
        })
        answer.response[field] = garbage
        const refused = await post(browser, `${interaction.base}/sign-up`, answer)
        expectRefusal(refused, 400, 'passkey_rejected', PASSKEY_REJECTED)
        expect(refused.body.message).not.toMatch(LEAKED_INTERNALS)
      },
    )
  })

  describe('authentication (sign-in) answers', () => {
    it.each(forgeries)(
      'refuse %s, and a correct answer still signs in',
      async (_case, forged, reason) => {
        const { browser, interaction } = await fixture.openSignInPage()
        const options = await signInOptions(browser, interaction)
        const refused = await post(
          browser,
          `${interaction.base}/sign-in`,
          fixture.authenticator.authenticate(options, { origin: fixture.provider.url, ...forged }),
        )
        expectRefusal(refused, 400, 'passkey_rejected', PASSKEY_REJECTED)
        expect(refused.body.message).not.toMatch(reason)
        await aliceSignsIn(browser, interaction)
      },
    )

    it('refuse a user handle that is not the passkey account', async () => {
      const { browser, interaction } = await fixture.openSignInPage()
      const options = await signInOptions(browser, interaction)
      const answer = fixture.authenticator.authenticate(options, { origin: fixture.provider.url })
      answer.response.userHandle = randomBytes(32).toString('base64url')
      expectRefusal(
        await post(browser, `${interaction.base}/sign-in`, answer),
        400,
        'passkey_rejected',
        PASSKEY_REJECTED,
      )
    })

    it.each([
      ['signature', 'MEUCIQ'],
      ['signature', 'AAAA'],
      ['clientDataJSON', 'e30'],
      ['clientDataJSON', 'AAAA'],
      ['authenticatorData', 'AAAA'],
    ] as const)('refuse a garbage %s (%s)', async (field, garbage) => {
      const { browser, interaction } = await fixture.openSignInPage()
      const options = await signInOptions(browser, interaction)
      const answer = fixture.authenticator.authenticate(options, { origin: fixture.provider.url })
      answer.response[field] = garbage
      const refused = await post(browser, `${interaction.base}/sign-in`, answer)
      expectRefusal(refused, 400, 'passkey_rejected', PASSKEY_REJECTED)
      expect(refused.body.message).not.toMatch(LEAKED_INTERNALS)
    })

    it('refuse an answer whose rawId is not its id with a message for people', async () => {
      const { browser, interaction } = await fixture.openSignInPage()
      const options = await signInOptions(browser, interaction)
      const answer = fixture.authenticator.authenticate(options, { origin: fixture.provider.url })
      // SimpleWebAuthn: "Credential ID was not base64url-encoded".
      answer.rawId = randomBytes(16).toString('base64url')
      const refused = await post(browser, `${interaction.base}/sign-in`, answer)
      expectRefusal(refused, 400, 'passkey_rejected', PASSKEY_REJECTED)
      expect(refused.body.message).not.toMatch(LEAKED_INTERNALS)
    })

    it.each([
      ['crossOrigin: true', { crossOrigin: true }],
      ['a topOrigin', { crossOrigin: true, topOrigin: 'https://evil.example.com' }],
    ])(
      'refuse an answer made inside another site (%s), and a correct answer still signs in',
      async (_case, framed) => {
        const { browser, interaction } = await fixture.openSignInPage()
        const options = await signInOptions(browser, interaction)
        const answer = fixture.authenticator.authenticate(options, {
          origin: fixture.provider.url,
          ...framed,
        })
        expectRefusal(
          await post(browser, `${interaction.base}/sign-in`, answer),
          400,
          'passkey_framed',
          /inside a page of another website/,
        )
        await aliceSignsIn(browser, interaction)
      },
    )

    it('refuse an answer with an older signature count than the last sign-in (a copied passkey)', async () => {
      const first = await fixture.openSignInPage()
      const second = await fixture.openSignInPage()
      const older = fixture.authenticator.authenticate(
        await signInOptions(first.browser, first.interaction),
        { origin: fixture.provider.url },
      )
      const newer = fixture.authenticator.authenticate(
        await signInOptions(second.browser, second.interaction),
        { origin: fixture.provider.url },
      )
      expect((await post(second.browser, `${second.interaction.base}/sign-in`, newer)).status).toBe(
        200,
      )
      expectRefusal(
        await post(first.browser, `${first.interaction.base}/sign-in`, older),
        400,
        'passkey_cloned',
        /old signature count/,
      )
    })

    // Answers counting n+1 and n+2 posted at the same moment are both checked against the stored
    // n; the update that records one is conditional, so the count never ends at n+1.
    it('leave the signature count at the higher of two answers posted together', async () => {
      const db = await openProviderStore(fixture.provider.config.databaseUrl)
      try {
        const passkeyId = fixture.authenticator.credentials[0]?.id ?? ''
        for (let round = 0; round < 6; round++) {
          const [first, second] = await Promise.all([
            fixture.openSignInPage(),
            fixture.openSignInPage(),
          ])
          const older = fixture.authenticator.authenticate(
            await signInOptions(first.browser, first.interaction),
            { origin: fixture.provider.url },
          )
          const newer = fixture.authenticator.authenticate(
            await signInOptions(second.browser, second.interaction),
            { origin: fixture.provider.url },
          )
          const postOlder = () => post(first.browser, `${first.interaction.base}/sign-in`, older)
          const postNewer = () => post(second.browser, `${second.interaction.base}/sign-in`, newer)
          const [olderAnswer, newerAnswer] =
            round % 2 === 0
              ? await Promise.all([postOlder(), postNewer()])
              : await Promise.all([postNewer(), postOlder()]).then(([n, o]) => [o, n] as const)
          expect(newerAnswer.status).toBe(200)
          if (olderAnswer.status !== 200) expectRefusal(olderAnswer, 400, 'passkey_cloned')
          const stored = await db
            .selectFrom('passkeys')
            .select('counter')
            .where('id', '=', passkeyId)
            .executeTakeFirstOrThrow()
          expect(Number(stored.counter)).toBe(fixture.authenticator.credentials[0]?.signCount)
        }
      } finally {
        await db.destroy()
      }
    })

    it('refuse a passkey the provider never saw (unknown_passkey)', async () => {
      // A second authenticator makes a passkey for this RP ID, but its sign-up is never finished.
      const stranger = createSoftwareAuthenticator()
      const elsewhere = await fixture.openSignInPage()
      stranger.register(await signUpOptions(elsewhere.browser, elsewhere.interaction, 'stranger'), {
        origin: fixture.provider.url,
      })

      const { browser, interaction } = await fixture.openSignInPage()
      const options = await signInOptions(browser, interaction)
      const refused = await post(
        browser,
        `${interaction.base}/sign-in`,
        stranger.authenticate(options, { origin: fixture.provider.url }),
      )
      expectRefusal(refused, 400, 'unknown_passkey', /not registered here/)
      // The page signals the credential as unknown from this code and what it already has (the
      // RP ID of its options, the id of its own answer): the refusal says nothing more.
      expect(Object.keys(refused.body).sort()).toEqual(['error', 'message'])
    })
  })

  describe('replays and order', () => {
    // A provider of their own: the file's refused answers all come from one address, and the
    // provider refuses every sign-in from it after 30 refused in 10 minutes (limits/limitTable.ts).
    // Counted on one provider, the two halves of this file came within one of that limit.
    let forgeries: ProviderWithAccount
    beforeAll(async () => {
      forgeries = fixture
      fixture = await startProviderWithAccount()
    })
    afterAll(async () => {
      await fixture.close()
      fixture = forgeries
    })

    it('give the autofill request and the button one challenge: either answers it, once', async () => {
      const { browser, interaction } = await fixture.openSignInPage()
      // The page asks at load (autofill) and again when the button is pressed.
      const autofill = await signInOptions(browser, interaction)
      const button = await signInOptions(browser, interaction)
      expect(button.challenge).toBe(autofill.challenge)
      expect(button.timeout).toBeLessThanOrEqual(Number(autofill.timeout))
      expect(button.timeout).toBeGreaterThan(SHARED_CHALLENGE_MIN_LEFT_MS)
      // The autofill request's answer still counts after the button's request.
      const answer = fixture.authenticator.authenticate(autofill, { origin: fixture.provider.url })
      expect((await post(browser, `${interaction.base}/sign-in`, answer)).status).toBe(200)
      expectRefusal(
        await post(
          browser,
          `${interaction.base}/sign-in`,
          fixture.authenticator.authenticate(button, { origin: fixture.provider.url }),
        ),
        400,
        'stale_challenge',
      )
    })

    it('make a new challenge once the pending one is answered, nearly expired, or replaced by a sign-up', async () => {
      const { browser, interaction } = await fixture.openSignInPage()
      const first = await signInOptions(browser, interaction)
      // A refused answer takes the challenge as well as an accepted one.
      const other = await fixture.openSignInPage()
      const elsewhere = fixture.authenticator.authenticate(
        await signInOptions(other.browser, other.interaction),
        { origin: fixture.provider.url },
      )
      expectRefusal(
        await post(browser, `${interaction.base}/sign-in`, elsewhere),
        400,
        'passkey_rejected',
      )
      const second = await signInOptions(browser, interaction)
      expect(second.challenge).not.toBe(first.challenge)

      // With less than two minutes left, the person gets a new challenge and the whole five minutes.
      vi.useFakeTimers({ toFake: ['Date'] })
      try {
        vi.setSystemTime(Date.now() + 5 * 60_000 - SHARED_CHALLENGE_MIN_LEFT_MS + 1000)
        const third = await signInOptions(browser, interaction)
        expect(third.challenge).not.toBe(second.challenge)
        expect(third.timeout).toBe(5 * 60_000)
      } finally {
        vi.useRealTimers()
      }

      // A sign-up's options replace it; the sign-in asked for next has a challenge of its own.
      const signUp = await signUpOptions(browser, interaction, 'replacing')
      const fourth = await signInOptions(browser, interaction)
      expect(fourth.challenge).not.toBe(signUp.challenge)
      expect((await signInOptions(browser, interaction)).challenge).toBe(fourth.challenge)
      await aliceSignsIn(browser, interaction)
    })

    it('accept a sign-in answer once: the replay gets stale_challenge', async () => {
      const { browser, interaction } = await fixture.openSignInPage()
      const options = await signInOptions(browser, interaction)
      const answer = fixture.authenticator.authenticate(options, { origin: fixture.provider.url })
      expect((await post(browser, `${interaction.base}/sign-in`, answer)).status).toBe(200)
      expectRefusal(
        await post(browser, `${interaction.base}/sign-in`, answer),
        400,
        'stale_challenge',
        /already used or has expired/,
      )
    })

    it('accept a sign-up answer once: the replay gets stale_challenge', async () => {
      const { browser, interaction } = await fixture.openSignInPage()
      const options = await signUpOptions(browser, interaction, 'replayed')
      const answer = createSoftwareAuthenticator().register(options, {
        origin: fixture.provider.url,
      })
      expect((await post(browser, `${interaction.base}/sign-up`, answer)).status).toBe(200)
      expectRefusal(
        await post(browser, `${interaction.base}/sign-up`, answer),
        400,
        'stale_challenge',
      )
    })

    it('refuse an answer that comes after the five minutes a ceremony has', async () => {
      const { browser, interaction } = await fixture.openSignInPage()
      const options = await signInOptions(browser, interaction)
      const answer = fixture.authenticator.authenticate(options, { origin: fixture.provider.url })
      // Only the clock moves (the provider runs in this process); timers and I/O stay real.
      vi.useFakeTimers({ toFake: ['Date'] })
      try {
        vi.setSystemTime(Date.now() + 5 * 60_000 + 1000)
        expectRefusal(
          await post(browser, `${interaction.base}/sign-in`, answer),
          400,
          'stale_challenge',
          /already used or has expired/,
        )
      } finally {
        vi.useRealTimers()
      }
      await aliceSignsIn(browser, interaction)
    })

    it('refuse a sign-in answer to sign-up options (and the reverse)', async () => {
      const { browser, interaction } = await fixture.openSignInPage()
      await signUpOptions(browser, interaction, 'swapped')
      const other = await fixture.openSignInPage()
      const assertion = fixture.authenticator.authenticate(
        await signInOptions(other.browser, other.interaction),
        { origin: fixture.provider.url },
      )
      expectRefusal(
        await post(browser, `${interaction.base}/sign-in`, assertion),
        400,
        'stale_challenge',
      )

      await signInOptions(browser, interaction)
      const registration = createSoftwareAuthenticator().register(
        await signUpOptions(other.browser, other.interaction, 'swapped'),
        { origin: fixture.provider.url },
      )
      expectRefusal(
        await post(browser, `${interaction.base}/sign-up`, registration),
        400,
        'stale_challenge',
      )
    })

    it('refuse an answer made for another sign-in, and the next answer, which meets no challenge', async () => {
      const other = await fixture.openSignInPage()
      const answerFor = async () =>
        fixture.authenticator.authenticate(await signInOptions(other.browser, other.interaction), {
          origin: fixture.provider.url,
        })
      const { browser, interaction } = await fixture.openSignInPage()
      expectRefusal(
        await post(browser, `${interaction.base}/sign-in`, await answerFor()),
        400,
        'passkey_rejected',
        PASSKEY_REJECTED,
      )
      // The refused answer took the page's challenge as an accepted one would: until new options
      // are asked for, an answer meets none.
      expectRefusal(
        await post(browser, `${interaction.base}/sign-in`, await answerFor()),
        400,
        'stale_challenge',
      )
      await aliceSignsIn(browser, interaction)
    })

    it("refuse steps posted to another browser's sign-in, or without the sign-in cookie", async () => {
      const mine = await fixture.openSignInPage()
      const theirs = await fixture.openSignInPage()
      expectRefusal(
        await post(mine.browser, `${theirs.interaction.base}/sign-in/options`, {}),
        400,
        'interaction_mismatch',
      )
      expectRefusal(
        await post(new TestBrowser(), `${theirs.interaction.base}/sign-in/options`, {}),
        400,
        'interaction_expired',
      )
      expectRefusal(
        await post(
          new TestBrowser(),
          `${fixture.provider.url}/interaction/no-such-uid/sign-up/options`,
          {
            username: 'nobody',
          },
        ),
        400,
        'interaction_expired',
      )
      await aliceSignsIn(theirs.browser, theirs.interaction)
    })

    it('refuse passkey steps once the sign-in is at the consent step (409)', async () => {
      const { browser, interaction } = await fixture.openSignInPage()
      const options = await signUpOptions(browser, interaction, 'erin')
      const authenticator = createSoftwareAuthenticator()
      const created = await browser.postJson<{ redirectTo: string }>(
        `${interaction.base}/sign-up`,
        authenticator.register(options, { origin: fixture.provider.url }),
      )
      expect(created.status).toBe(200)
      const consent = await openInteraction(
        browser,
        new URL(created.body.redirectTo, fixture.provider.url),
      )
      expect(consent.page).toContain('name="decision"')

      expectRefusal(
        await post(browser, `${consent.base}/sign-in/options`, {}),
        409,
        'out_of_order',
        /already done/,
      )
      expectRefusal(
        await post(browser, `${consent.base}/sign-up/options`, { username: 'erin2' }),
        409,
        'out_of_order',
      )
      const elsewhere = await fixture.openSignInPage()
      const assertion = authenticator.authenticate(
        await signInOptions(elsewhere.browser, elsewhere.interaction),
        { origin: fixture.provider.url },
      )
      expectRefusal(await post(browser, `${consent.base}/sign-in`, assertion), 409, 'out_of_order')
    })
  })

  it('still signs the existing account in afterwards, with the same subject', async () => {
    await fixture.expectAccountStillSignsIn()
  })
})

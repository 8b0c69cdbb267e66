import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { TestBrowser } from '@passkey-id/testing/http'
import {
  LOOPBACK_REDIRECT_URI,
  type ProviderWithAccount,
  type SignInPage,
  startProviderWithAccount,
} from '@passkey-id/testing/provider'
import { signInWithCodeFlow } from '@passkey-id/testing/sign-in'
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const USERNAME_RULES =
  'A username has 3 to 30 letters (a to z), digits, and single dots, dashes or underscores, and starts and ends with a letter or digit.'
const EMAIL_ADVICE = 'That email address does not look right; check it, or leave it empty.'

type Answer = { status: number; body: { error?: string; message?: string } }

describe('sign-up refuses taken and malformed names, and keeps no half-made account', () => {
  let fixture: ProviderWithAccount

  beforeAll(async () => {
    fixture = await startProviderWithAccount({
      username: 'alice',
      email: 'alice@example.com',
      scope: 'openid avatar email',
    })
  })
  afterAll(() => fixture.close())

  async function askToSignUp(form: Record<string, unknown>, at?: SignInPage) {
    const { browser, interaction } = at ?? (await fixture.openSignInPage())
    return browser.postJson<PublicKeyCredentialCreationOptionsJSON & Answer['body']>(
      `${interaction.base}/sign-up/options`,
      form,
    )
  }

  describe('usernames', () => {
    it.each(['Alice', 'ALICE', 'aLiCe', '  alice  '])(
      'refuses %j after "alice" at the options step (409 username_taken)',
      async (username) => {
        const answer = await askToSignUp({ username })
        expect(answer.status).toBe(409)
        expect(answer.body).toEqual({
          error: 'username_taken',
          message: `The username "${username.trim()}" is taken. Choose another one.`,
          field: 'username',
        })
      },
    )

    it.each([
      ['empty', ''],
      ['blank', '   '],
      ['missing', undefined],
    ])('asks for a username when it is %s', async (_case, username) => {
      const answer = await askToSignUp(username === undefined ? {} : { username })
      expect(answer.status).toBe(400)
      expect(answer.body).toEqual({
        error: 'invalid_username',
        message: 'Choose a username.',
        field: 'username',
      })
    })

    it.each([
      ['too short', 'ab'],
      ['too long', 'a'.repeat(31)],
      ['a double dot', 'a..b'],
      ['a leading dash', '-alice'],
      ['a trailing dot', 'alice.'],
      ['a space', 'al ice'],
      ['a non-ASCII letter', 'émile'],
      ['a Cyrillic look-alike', 'аlice'],
      ['markup', '<b>bob</b>'],
      ['a slash', 'a/b'],
      ['an at sign', 'bob@example'],
      ['a control character', 'bob\u0000x'],
      ['a number', 42],
    ])('refuses a username with %s (400 invalid_username)', async (_case, username) => {
      const answer = await askToSignUp({ username })
      expect(answer.status).toBe(400)
      expect(answer.body).toEqual({
        error: 'invalid_username',
        message: USERNAME_RULES,
        field: 'username',
      })
    })

    it('refuses a username of the wrong type or size before looking at it (schema)', async () => {
      for (const username of [{ name: 'x' }, 'a'.repeat(201)]) {
        const answer = await askToSignUp({ username })
        expect(answer.status).toBe(400)
        expect(answer.body.error).toBe('invalid_request')
        expect(answer.body.message).toMatch(/^The request is malformed: body\/username /)
      }
    })
  })

  describe('emails', () => {
    it.each([
      ['no at sign', 'alice.example.com'],
      ['no domain dot', 'alice@example'],
      ['a space', 'alice @example.com'],
      ['two at signs', 'a@b@example.com'],
      ['angle brackets', '<alice@example.com>'],
      ['a display name', 'Alice <alice@example.com>'],
      ['more than 254 characters', `${'a'.repeat(250)}@example.com`],
    ])('refuses an email with %s (400 invalid_email)', async (_case, email) => {
      const answer = await askToSignUp({ username: 'newcomer', email })
      expect(answer.status).toBe(400)
      expect(answer.body).toEqual({ error: 'invalid_email', message: EMAIL_ADVICE, field: 'email' })
    })

    it('refuses an email of the wrong type or size before looking at it (schema)', async () => {
      for (const email of [['a@example.com'], { at: 'x' }, `${'a'.repeat(400)}@example.com`]) {
        const answer = await askToSignUp({ username: 'newcomer', email })
        expect(answer.status).toBe(400)
        expect(answer.body.error).toBe('invalid_request')
        expect(answer.body.message).toMatch(/^The request is malformed: body\/email /)
      }
    })

    it('takes an empty or null email as none', async () => {
      for (const email of ['', null, '  ']) {
        const answer = await askToSignUp({ username: 'newcomer', email })
        expect(answer.status).toBe(200)
        expect(answer.body.user?.name).toBe('newcomer')
      }
    })
  })

  describe('no account without a verified passkey', () => {
    it('keeps the username free when the passkey ceremony fails, and for the next sign-up', async () => {
      const first = await fixture.openSignInPage()
      const options = await askToSignUp({ username: 'frank' }, first)
      expect(options.status).toBe(200)
      const failed = await first.browser.postJson(
        `${first.interaction.base}/sign-up`,
        createSoftwareAuthenticator().register(options.body, {
          origin: 'https://evil.example.com',
        }),
      )
      expect(failed.status).toBe(400)

      // Another person (another browser) can take the name: nothing was reserved or created.
      const frank = createSoftwareAuthenticator()
      const { tokens } = await signInWithCodeFlow(fixture.config, new TestBrowser(), frank, {
        redirectUri: LOOPBACK_REDIRECT_URI,
        scope: 'openid avatar',
        script: { signUp: { username: 'Frank' } },
      })
      const userinfo = await oidc.fetchUserInfo(
        fixture.config,
        tokens.access_token,
        oidc.skipSubjectCheck,
      )
      expect(userinfo.preferred_username).toBe('Frank')
      expect((await askToSignUp({ username: 'frank' })).status).toBe(409)
    })

    it('keeps the username free when a sign-up is abandoned after the options', async () => {
      expect((await askToSignUp({ username: 'grace' })).status).toBe(200)
      expect((await askToSignUp({ username: 'grace' })).status).toBe(200)
    })

    it('refuses the slower of two sign-ups racing for one name, and stores neither passkey twice', async () => {
      const one = await fixture.openSignInPage()
      const two = await fixture.openSignInPage()
      const optionsOne = await askToSignUp({ username: 'heidi' }, one)
      const optionsTwo = await askToSignUp({ username: 'Heidi' }, two)
      expect([optionsOne.status, optionsTwo.status]).toEqual([200, 200])
      const first = createSoftwareAuthenticator()
      const second = createSoftwareAuthenticator()
      const won = await one.browser.postJson(
        `${one.interaction.base}/sign-up`,
        first.register(optionsOne.body, { origin: fixture.provider.url }),
      )
      expect(won.status).toBe(200)
      const lost = await two.browser.postJson<Answer['body']>(
        `${two.interaction.base}/sign-up`,
        second.register(optionsTwo.body, { origin: fixture.provider.url }),
      )
      expect(lost.status).toBe(409)
      expect(lost.body).toEqual({
        error: 'username_taken',
        message: 'The username "Heidi" is taken. Choose another one.',
        field: 'username',
      })

      // The loser's passkey was not stored: it signs in to nothing.
      const again = await fixture.openSignInPage()
      const signIn = await again.browser.postJson(`${again.interaction.base}/sign-in/options`, {})
      const refused = await again.browser.postJson<Answer['body']>(
        `${again.interaction.base}/sign-in`,
        second.authenticate(signIn.body as never, { origin: fixture.provider.url }),
      )
      expect(refused.status).toBe(400)
      expect(refused.body.error).toBe('unknown_passkey')
    })
  })

  it('still signs the existing account in afterwards, with the same subject and claims', async () => {
    const tokens = await fixture.expectAccountStillSignsIn()
    const userinfo = await oidc.fetchUserInfo(fixture.config, tokens.access_token, fixture.sub)
    expect(userinfo).toMatchObject({ preferred_username: 'alice', email: 'alice@example.com' })
  })
})

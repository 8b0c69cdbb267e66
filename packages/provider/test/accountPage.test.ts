import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { openDatabase } from '@passkey-id/store'
import { PAGE_ACCEPT, TestBrowser, visibleText } from '@passkey-id/testing/http'
import {
  LOOPBACK_APP,
  type ProviderWithAccount,
  startProviderWithAccount,
} from '@passkey-id/testing/provider'
import { openAccountPage, signOutOfProvider } from '@passkey-id/testing/sign-in'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ProviderDatabase } from '../src/store/schema.ts'

const FORM = { accept: PAGE_ACCEPT, 'content-type': 'application/x-www-form-urlencoded' }

describe('the account page', () => {
  let fixture: ProviderWithAccount
  let url: string
  /** The test's own connection to the provider's database, as another process would have. */
  let db: Kysely<ProviderDatabase>

  beforeAll(async () => {
    fixture = await startProviderWithAccount({ scope: 'openid email' })
    url = fixture.provider.url
    db = openDatabase<ProviderDatabase>(fixture.provider.config.databaseUrl)
  })
  afterAll(async () => {
    await db?.destroy()
    await fixture?.close()
  })

  /** A browser signed in to the provider as the fixture's account, with the account page open. */
  async function signedIn(): Promise<{ browser: TestBrowser; page: string }> {
    const browser = new TestBrowser()
    const page = await openAccountPage(browser, fixture.authenticator, url)
    return { browser, page }
  }

  function post(
    browser: TestBrowser,
    path: string,
    form: Record<string, string>,
    site?: 'cross-site',
  ) {
    return browser.fetch(`${url}${path}`, {
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams(form),
      ...(site === undefined ? {} : { site }),
    })
  }

  /**
   * Pretends the browser's sign-in happened `seconds` earlier, as after a long pause on the page.
   * The payload is changed here rather than in SQL, whose JSON functions differ between SQLite and
   * PostgreSQL.
   */
  async function ageSignIn(seconds: number): Promise<void> {
    const sessions = await db
      .selectFrom('oidc_records')
      .select(['id', 'payload'])
      .where('model', '=', 'Session')
      .execute()
    for (const session of sessions) {
      const payload = JSON.parse(session.payload) as { loginTs: number }
      payload.loginTs -= seconds
      await db
        .updateTable('oidc_records')
        .set({ payload: JSON.stringify(payload) })
        .where('model', '=', 'Session')
        .where('id', '=', session.id)
        .execute()
    }
  }

  it('sends a signed-out browser to sign in, through the authorization endpoint', async () => {
    const browser = new TestBrowser()
    const first = await browser.fetch(`${url}/account`, { headers: { accept: PAGE_ACCEPT } })
    expect(first.status).toBe(303)
    expect(first.headers.get('location')).toBe('/account/sign-in')
    const signIn = await browser.fetch(`${url}/account/sign-in`)
    const authorize = new URL(String(signIn.headers.get('location')))
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${url}/openid/authorize`)
    expect(authorize.searchParams.get('client_id')).toBe(url)
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${url}/account/signed-in`)
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256')
  })

  it('signs in without a consent page and shows the account, its passkey and its apps', async () => {
    const { page } = await signedIn()
    const text = visibleText(page)
    expect(text).toContain('Signed in as alice')
    expect(text).toContain('Passkey 1')
    expect(text).toContain('This is your only passkey')
    expect(text).toContain(LOOPBACK_APP)
    expect(text).toContain('openid, email')
    // The account page is not an app the person allowed.
    expect(page).not.toContain(
      `name="client_id" value="${url}"><button type="submit" class="danger"`,
    )
  })

  it('creates an account from the account page itself', async () => {
    const browser = new TestBrowser()
    const page = await openAccountPage(browser, createSoftwareAuthenticator(), url, {
      username: 'newcomer',
    })
    expect(visibleText(page)).toContain('Signed in as newcomer')
    expect(visibleText(page)).toContain('You have not allowed any app yet.')
  })

  it('serves the page with strict headers and no caching', async () => {
    const { browser } = await signedIn()
    const response = await browser.fetch(`${url}/account`, { headers: { accept: PAGE_ACCEPT } })
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(response.headers.get('content-security-policy')).toContain("form-action 'self'")
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    expect(response.headers.get('referrer-policy')).toBe('no-referrer')
  })

  describe('profile', () => {
    it('saves a valid profile, which the app then receives', async () => {
      const { browser } = await signedIn()
      const saved = await post(browser, '/account/profile', {
        username: 'alice',
        avatar: 'owl',
        email: 'alice@example.com',
        phone_number: '+41 44 668 18 00',
        name: 'Alice Example',
        zoneinfo: 'Europe/Zurich',
      })
      expect(saved.status).toBe(303)
      expect(saved.headers.get('location')).toBe('/account?done=profile#profile')
      const page = await (await browser.fetch(`${url}/account?done=profile`)).text()
      expect(visibleText(page)).toContain('Your profile is saved.')
      expect(page).toContain('value="+41446681800"')
      expect(page).toContain('value="owl" checked')
      const tokens = await fixture.expectAccountStillSignsIn()
      const userinfo = await fetch(`${url}/openid/userinfo`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      })
      expect(await userinfo.json()).toMatchObject({ email: 'alice@example.com' })
    })

    it('refuses malformed values with a message per field and changes nothing', async () => {
      const { browser } = await signedIn()
      const refused = await post(browser, '/account/profile', {
        username: 'alice',
        email: 'alice@example.com',
        phone_number: '0044 123',
        birthdate: '2999-01-01',
        website: 'javascript:alert(1)',
        zoneinfo: 'Mars/Olympus',
        name: '<script>alert(1)</script>',
      })
      expect(refused.status).toBe(400)
      const page = await refused.text()
      const text = visibleText(page)
      expect(text).toContain('The profile was not saved')
      expect(text).toContain('international format')
      expect(text).toContain('time zone')
      expect(page).toContain('aria-invalid="true"')
      expect(page).not.toContain('<script>alert(1)</script>')
      expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
      const again = await openAccountPage(browser, fixture.authenticator, url)
      expect(again).toContain('value="+41446681800"')
    })

    it('refuses another account’s username with 409', async () => {
      const other = new TestBrowser()
      await openAccountPage(other, createSoftwareAuthenticator(), url, { username: 'bob' })
      const { browser } = await signedIn()
      const refused = await post(browser, '/account/profile', { username: 'BOB' })
      expect(refused.status).toBe(409)
      expect(visibleText(await refused.text())).toContain('The username "BOB" is taken')
    })

    it('saves long values in a script that percent-encodes to many bytes', async () => {
      const browser = new TestBrowser()
      await openAccountPage(browser, createSoftwareAuthenticator(), url, { username: 'kenji' })
      const form = {
        username: 'kenji',
        name: '山'.repeat(100),
        given_name: '田'.repeat(50),
        family_name: '川'.repeat(50),
        address_street: ['東京都', '千代田区', '丸の内'].map((line) => line.repeat(16)).join('\n'),
        address_locality: '東'.repeat(100),
        address_region: '京'.repeat(100),
      }
      expect(new URLSearchParams(form).toString().length).toBeGreaterThan(4 * 1024)
      const saved = await post(browser, '/account/profile', form)
      expect(saved.status, visibleText(await saved.clone().text()).slice(0, 600)).toBe(303)
    })

    it('refuses a body with too many fields', async () => {
      const { browser } = await signedIn()
      const form = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}`, 'x']))
      const refused = await post(browser, '/account/profile', form)
      expect(refused.status).toBe(400)
    })
  })

  describe('passkeys', () => {
    it('adds a second passkey, which then signs in; a replayed answer is refused', async () => {
      const { browser } = await signedIn()
      const options = await browser.postJson(`${url}/account/passkeys/options`, {})
      expect(options.status).toBe(200)
      const second = createSoftwareAuthenticator()
      const answer = second.register(options.body as never, { origin: url })
      const added = await browser.postJson(`${url}/account/passkeys`, answer)
      expect(added).toEqual({ status: 200, body: { added: true } })
      const replayed = await browser.postJson(`${url}/account/passkeys`, answer)
      expect(replayed.status).toBe(400)
      expect(replayed.body.error).toBe('stale_challenge')

      const page = visibleText(await openAccountPage(browser, fixture.authenticator, url))
      expect(page).toContain('Passkey 2')
      const withSecond = visibleText(await openAccountPage(new TestBrowser(), second, url))
      expect(withSecond).toContain('Signed in as alice')
    })

    it('refuses a new passkey whose credential id is registered already, and adds nothing', async () => {
      const { browser } = await signedIn()
      const options = await browser.postJson(`${url}/account/passkeys/options`, {})
      const answer = createSoftwareAuthenticator().register(options.body as never, { origin: url })
      // The same credential id, registered to another account in the meantime.
      const carol = await db
        .selectFrom('accounts')
        .select('id')
        .where('username', '=', 'carol')
        .executeTakeFirst()
      const owner =
        carol?.id ??
        (await db.selectFrom('accounts').select('id').limit(1).executeTakeFirstOrThrow()).id
      await db
        .insertInto('passkeys')
        .values({
          id: answer.id,
          account_id: owner,
          public_key: 'pk',
          counter: 0,
          transports: '[]',
          device_type: 'singleDevice',
          backed_up: 0,
          aaguid: 'x',
          created_at: '2024-01-01',
        })
        .execute()
      const refused = await browser.postJson(`${url}/account/passkeys`, answer)
      expect(refused).toMatchObject({ status: 409, body: { error: 'passkey_exists' } })
      const rows = await db
        .selectFrom('passkeys')
        .select('account_id')
        .where('id', '=', answer.id)
        .execute()
      expect(rows).toEqual([{ account_id: owner }])
    })

    it('excludes the account’s passkeys when adding one', async () => {
      const { browser } = await signedIn()
      const options = await browser.postJson<{ excludeCredentials: { id: string }[] }>(
        `${url}/account/passkeys/options`,
        {},
      )
      const ids = options.body.excludeCredentials.map((credential) => credential.id)
      expect(ids).toContain(fixture.authenticator.credentials[0]?.id)
      expect(() => fixture.authenticator.register(options.body as never, { origin: url })).toThrow(
        /excluded credential/,
      )
    })

    it('renames a passkey, and refuses an empty name or another account’s passkey', async () => {
      const { browser } = await signedIn()
      const id = String(fixture.authenticator.credentials[0]?.id)
      const renamed = await post(browser, '/account/passkeys/rename', { id, name: 'Work laptop' })
      expect(renamed.status).toBe(303)
      expect(visibleText(await openAccountPage(browser, fixture.authenticator, url))).toContain(
        'Work laptop',
      )
      const empty = await post(browser, '/account/passkeys/rename', { id, name: '  ' })
      expect(empty.status).toBe(400)
      expect(visibleText(await empty.text())).toContain('Give the passkey a name')
      for (const name of ['Work\u202Egol', 'Work\u200Blaptop', 'Work\u200F', 'x'.repeat(61)]) {
        const refused = await post(browser, '/account/passkeys/rename', { id, name })
        expect(refused.status, name).toBe(400)
      }
      const persian = 'لپ\u200Cتاپ کار'
      expect((await post(browser, '/account/passkeys/rename', { id, name: persian })).status).toBe(
        303,
      )
      expect(visibleText(await openAccountPage(browser, fixture.authenticator, url))).toContain(
        persian,
      )

      const stranger = createSoftwareAuthenticator()
      await openAccountPage(new TestBrowser(), stranger, url, { username: 'carol' })
      const foreign = await post(browser, '/account/passkeys/rename', {
        id: String(stranger.credentials[0]?.id),
        name: 'mine now',
      })
      expect(foreign.status).toBe(404)
      expect(visibleText(await foreign.text())).toContain('Your account has no such passkey')
      const removeForeign = await post(browser, '/account/passkeys/remove', {
        id: String(stranger.credentials[0]?.id),
      })
      expect(removeForeign.status).toBe(404)
      // Carol still signs in with it.
      expect(visibleText(await openAccountPage(new TestBrowser(), stranger, url))).toContain(
        'Signed in as carol',
      )
    })

    it('removes a passkey only after a recent sign-in, and the removed one no longer signs in', async () => {
      const browser = new TestBrowser()
      const first = createSoftwareAuthenticator()
      await openAccountPage(browser, first, url, { username: 'dave' })
      const options = await browser.postJson(`${url}/account/passkeys/options`, {})
      const second = createSoftwareAuthenticator()
      await browser.postJson(
        `${url}/account/passkeys`,
        second.register(options.body as never, { origin: url }),
      )

      await ageSignIn(3600)
      const stale = await post(browser, '/account/passkeys/remove', {
        id: String(second.credentials[0]?.id),
      })
      expect(stale.status).toBe(403)
      expect(visibleText(await stale.text())).toContain('confirm it is you by signing in again')

      const fresh = new TestBrowser()
      await openAccountPage(fresh, first, url)
      const removed = await post(fresh, '/account/passkeys/remove', {
        id: String(second.credentials[0]?.id),
      })
      expect(removed.status).toBe(303)
      await expect(openAccountPage(new TestBrowser(), second, url)).rejects.toThrow(
        /not registered here/,
      )
    })

    it('warns before removing the last passkey, and removes it only when confirmed', async () => {
      const browser = new TestBrowser()
      const only = createSoftwareAuthenticator()
      await openAccountPage(browser, only, url, { username: 'erin' })
      const id = String(only.credentials[0]?.id)
      const warned = await post(browser, '/account/passkeys/remove', { id })
      expect(warned.status).toBe(409)
      const text = visibleText(await warned.text())
      expect(text).toContain('This is your only passkey, so it was not removed')
      const confirmed = await post(browser, '/account/passkeys/remove', { id, confirm_last: 'yes' })
      expect(confirmed.status).toBe(303)
      await expect(openAccountPage(new TestBrowser(), only, url)).rejects.toThrow(
        /not registered here/,
      )
    })
  })

  describe('apps', () => {
    it('revokes an app: its tokens stop working and its next sign-in asks for consent again', async () => {
      const { tokens } = await fixture.signIn()
      const userinfo = () =>
        fetch(`${url}/openid/userinfo`, {
          headers: { authorization: `Bearer ${tokens.access_token}` },
        })
      expect((await userinfo()).status).toBe(200)

      const { browser } = await signedIn()
      const revoked = await post(browser, '/account/apps/revoke', { client_id: LOOPBACK_APP })
      expect(revoked.status).toBe(303)
      expect((await userinfo()).status).toBe(401)
      const landing = await browser.fetch(new URL(String(revoked.headers.get('location')), url))
      const page = visibleText(await landing.text())
      expect(page).toContain('The app can no longer see your account')
      expect(page).not.toContain(`${LOOPBACK_APP} Allowed`)

      const again = await fixture.signIn()
      expect(again.outcome.sawConsent).toBe(true)
      const twice = await post(browser, '/account/apps/revoke', {
        client_id: 'https://never.example',
      })
      expect(twice.status).toBe(404)
      // The account page itself is no app the person can revoke.
      const own = await post(browser, '/account/apps/revoke', { client_id: url })
      expect(own.status).toBe(404)
    })
  })

  it('asks for consent again when the consent is gone, even if the session still holds a grant', async () => {
    const browser = new TestBrowser()
    await fixture.signIn({ browser })
    await db.deleteFrom('consents').where('client_id', '=', LOOPBACK_APP).execute()
    const again = await fixture.signIn({ browser })
    expect(again.outcome.sawConsent).toBe(true)
  })

  describe('requests that must be refused', () => {
    it('refuses cross-site posts to every action and changes nothing', async () => {
      const { browser } = await signedIn()
      const id = String(fixture.authenticator.credentials[0]?.id)
      for (const [path, form] of [
        ['/account/profile', { username: 'mallory' }],
        ['/account/passkeys/rename', { id, name: 'owned' }],
        ['/account/passkeys/remove', { id, confirm_last: 'yes' }],
        ['/account/apps/revoke', { client_id: LOOPBACK_APP }],
        ['/account/delete', { confirm: 'alice' }],
        ['/account/passkeys/options', {}],
      ] as const) {
        const response = await post(browser, path, form, 'cross-site')
        expect(response.status, path).toBe(403)
        expect(visibleText(await response.text())).toContain('did not come from your account page')
      }
      await fixture.expectAccountStillSignsIn()
      expect(visibleText(await openAccountPage(browser, fixture.authenticator, url))).toContain(
        'Signed in as alice',
      )
    })

    it('refuses actions from a signed-out browser with 401', async () => {
      const browser = new TestBrowser()
      const response = await post(browser, '/account/profile', { username: 'x' })
      expect(response.status).toBe(401)
      expect(visibleText(await response.text())).toContain('You are signed out')
      const json = await browser.postJson(`${url}/account/passkeys/options`, {})
      expect(json.status).toBe(401)
    })

    it('refuses malformed forms with 400, not 500', async () => {
      const { browser } = await signedIn()
      expect((await post(browser, '/account/passkeys/rename', { name: 'x' })).status).toBe(400)
      expect((await post(browser, '/account/passkeys/remove', {})).status).toBe(400)
      expect(
        (await post(browser, '/account/apps/revoke', { client_id: 'x'.repeat(400) })).status,
      ).toBe(400)
      for (const client_id of [`${LOOPBACK_APP}\u0000`, `${LOOPBACK_APP}\n`]) {
        const controlled = await post(browser, '/account/apps/revoke', { client_id })
        expect(controlled.status).toBe(400)
        expect(visibleText(await controlled.text())).toContain('The request is malformed')
      }
      expect((await post(browser, '/account/delete', {})).status).toBe(400)
      const garbage = await browser.postJson(`${url}/account/passkeys`, { id: 'x', rawId: 'x' })
      expect(garbage.status).toBe(400)
      const noCeremony = await browser.postJson(
        `${url}/account/passkeys`,
        createSoftwareAuthenticator().register(
          (await browser.postJson(`${url}/account/passkeys/options`, {})).body as never,
          { origin: 'https://evil.example' },
        ),
      )
      expect(noCeremony.status).toBe(400)
      expect(noCeremony.body.error).toBe('passkey_rejected')
    })

    it('refuses every use of the account page client_id but its own sign-in, without a redirect', async () => {
      const { browser } = await signedIn()
      const callback = `${url}/account/signed-in`
      const cases: Record<string, string>[] = [
        { response_type: 'id_token token', nonce: 'n', redirect_uri: callback },
        { response_type: 'id_token', nonce: 'n', redirect_uri: callback },
        { response_type: 'token', redirect_uri: callback },
        { response_type: 'code', response_mode: 'fragment', redirect_uri: callback },
        { response_type: 'code', response_mode: 'form_post', redirect_uri: callback },
        {
          response_type: 'code',
          redirect_uri: `${url}/openid/authorize?client_id=https://evil.example`,
        },
        { response_type: 'code', redirect_uri: `${url}/account` },
        { response_type: 'code', redirect_uri: callback, scope: 'openid email' },
      ]
      for (const params of cases) {
        const authorize = new URL(`${url}/openid/authorize`)
        authorize.search = new URLSearchParams({
          client_id: url,
          scope: 'openid',
          prompt: 'none',
          code_challenge: 'x'.repeat(43),
          code_challenge_method: 'S256',
          ...params,
        }).toString()
        // oidc-provider decodes parameter names: client%5Fid is client_id, and gets no other answer.
        const encodedName = new URL(authorize)
        encodedName.search = authorize.search.replace('client_id=', 'client%5Fid=')
        for (const address of [authorize, encodedName]) {
          const response = await browser.fetch(address, { headers: { accept: PAGE_ACCEPT } })
          const label = `${address.search.slice(0, 12)} ${JSON.stringify(params)}`
          expect(response.status, label).toBe(400)
          expect(response.headers.get('location'), label).toBeNull()
          expect(visibleText(await response.text()), label).toContain(
            "belongs to this provider's own account page",
          )
        }
      }
      const hidden = await db
        .selectFrom('consents')
        .select('account_id')
        .where('client_id', '=', url)
        .execute()
      expect(hidden).toEqual([])
    })

    it('asks for a recent sign-in before adding a passkey, and the page offers one', async () => {
      const browser = new TestBrowser()
      await openAccountPage(browser, createSoftwareAuthenticator(), url, { username: 'gina' })
      await ageSignIn(3600)
      const refused = await browser.postJson(`${url}/account/passkeys/options`, {})
      expect(refused.status).toBe(403)
      expect(refused.body).toMatchObject({ error: 'sign_in_again' })
      const page = await (
        await browser.fetch(`${url}/account`, { headers: { accept: PAGE_ACCEPT } })
      ).text()
      expect(page).toContain('href="/account/sign-in?confirm=1"')
      const again = await browser.fetch(`${url}/account/sign-in?confirm=1`)
      expect(new URL(String(again.headers.get('location'))).searchParams.get('prompt')).toBe(
        'login',
      )
    })

    it('removes at most one of two passkeys when both removals race without confirmation', async () => {
      const browser = new TestBrowser()
      const first = createSoftwareAuthenticator()
      await openAccountPage(browser, first, url, { username: 'hank' })
      const options = await browser.postJson(`${url}/account/passkeys/options`, {})
      const second = createSoftwareAuthenticator()
      await browser.postJson(
        `${url}/account/passkeys`,
        second.register(options.body as never, { origin: url }),
      )
      const ids = [first, second].map((authenticator) => String(authenticator.credentials[0]?.id))
      const statuses = await Promise.all(
        ids.map(async (id) => (await post(browser, '/account/passkeys/remove', { id })).status),
      )
      expect(statuses.sort()).toEqual([303, 409])
      const left = await db.selectFrom('passkeys').select('id').where('id', 'in', ids).execute()
      expect(left).toHaveLength(1)
    })

    it('shows a notice only from its fixed list', async () => {
      const { browser } = await signedIn()
      const page = await browser.fetch(`${url}/account?done=%3Cscript%3E`, {
        headers: { accept: PAGE_ACCEPT },
      })
      expect(await page.text()).not.toContain('<script>')
    })
  })

  describe('signing out and deleting', () => {
    it('signs out of the provider: the account page and apps ask for the passkey again', async () => {
      const { browser } = await signedIn()
      await signOutOfProvider(browser, url, { client_id: url })
      const page = await browser.fetch(`${url}/account`, { headers: { accept: PAGE_ACCEPT } })
      expect(page.status).toBe(303)
    })

    it('deletes the account and everything about it after a typed confirmation', async () => {
      const browser = new TestBrowser()
      const authenticator = createSoftwareAuthenticator()
      await openAccountPage(browser, authenticator, url, { username: 'frank' })
      const wrong = await post(browser, '/account/delete', { confirm: 'Frank!' })
      expect(wrong.status).toBe(400)
      expect(visibleText(await wrong.text())).toContain('Nothing was deleted')

      const deleted = await post(browser, '/account/delete', { confirm: 'frank' })
      expect(deleted.status).toBe(200)
      expect(visibleText(await deleted.text())).toContain('Account deleted')
      const after = await browser.fetch(`${url}/account`, { headers: { accept: PAGE_ACCEPT } })
      expect(after.status).toBe(303)
      await expect(openAccountPage(new TestBrowser(), authenticator, url)).rejects.toThrow(
        /not registered here/,
      )
      const accounts = await db
        .selectFrom('accounts')
        .select('id')
        .where('username', '=', 'frank')
        .execute()
      const passkeys = await db
        .selectFrom('passkeys')
        .select('id')
        .where('id', '=', String(authenticator.credentials[0]?.id))
        .execute()
      expect({ accounts, passkeys }).toEqual({ accounts: [], passkeys: [] })
    })
  })
})

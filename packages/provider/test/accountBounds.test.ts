import { randomBytes } from 'node:crypto'
import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { openDatabase } from '@passkey-id/store'
import { TestBrowser, visibleText } from '@passkey-id/testing/http'
import { type ProviderWithAccount, startProviderWithAccount } from '@passkey-id/testing/provider'
import {
  buildAuthorizationRequest,
  discoverAsApp,
  openAccountPage,
  signInThroughProvider,
  signInWithCodeFlow,
} from '@passkey-id/testing/sign-in'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { APPS_PER_ACCOUNT } from '../src/oidc/consent/consentStore.ts'
import { PASSKEYS_PER_ACCOUNT } from '../src/passkeys/passkeyStore.ts'
import type { ProviderDatabase } from '../src/store/schema.ts'
import { storeApprovals } from './support/storeApprovals.ts'

/** Sentence of `too_many_passkeys`. */
const TOO_MANY_PASSKEYS = new RegExp(
  `^Your account has ${PASSKEYS_PER_ACCOUNT} passkeys, the most it can have, so no passkey was added\\.`,
)

describe('what one account keeps is bounded', () => {
  let fixture: ProviderWithAccount
  let url: string
  /** The test's own connection to the provider's database, as another process would have. */
  let db: Kysely<ProviderDatabase>
  let accountId: string

  beforeAll(async () => {
    fixture = await startProviderWithAccount()
    url = fixture.provider.url
    db = openDatabase<ProviderDatabase>(fixture.provider.config.databaseUrl)
    const account = await db
      .selectFrom('accounts')
      .select('id')
      .where('username', '=', 'alice')
      .executeTakeFirstOrThrow()
    accountId = account.id
  })
  afterAll(async () => {
    await db?.destroy()
    await fixture?.close()
  })

  async function passkeyCount(): Promise<number> {
    const { n } = await db
      .selectFrom('passkeys')
      .select((eb) => eb.fn.countAll<number | bigint | string>().as('n'))
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow()
    return Number(n)
  }

  /** Stores passkey rows directly until the account has `count`: the bound, not the ceremony, is tested. */
  async function fillTo(count: number): Promise<void> {
    const missing = count - (await passkeyCount())
    if (missing <= 0) return
    await db
      .insertInto('passkeys')
      .values(
        Array.from({ length: missing }, (_, i) => ({
          id: randomBytes(16).toString('base64url'),
          account_id: accountId,
          public_key: randomBytes(77).toString('base64url'),
          counter: 0,
          transports: '[]',
          device_type: 'singleDevice',
          backed_up: 0,
          aaguid: '00000000-0000-0000-0000-000000000000',
          created_at: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
        })),
      )
      .execute()
  }

  /** Removes passkey rows directly, all but the fixture's own, until the account has `count`. */
  async function trimTo(count: number): Promise<void> {
    const extra = await db
      .selectFrom('passkeys')
      .select('id')
      .where('account_id', '=', accountId)
      .where('id', '!=', String(fixture.authenticator.credentials[0]?.id))
      .limit((await passkeyCount()) - count)
      .execute()
    await db
      .deleteFrom('passkeys')
      .where(
        'id',
        'in',
        extra.map((row) => row.id),
      )
      .execute()
    expect(await passkeyCount()).toBe(count)
  }

  /** A browser signed in on the account page, and the options to add a passkey there. */
  async function startAdding(browser = new TestBrowser()) {
    await openAccountPage(browser, fixture.authenticator, url)
    const options = await browser.postJson(`${url}/account/passkeys/options`, {})
    return { browser, options }
  }

  it(`adds the ${PASSKEYS_PER_ACCOUNT}th passkey with a real ceremony, and refuses the next one before it is made`, async () => {
    await fillTo(PASSKEYS_PER_ACCOUNT - 1)
    const last = await startAdding()
    expect(last.options.status).toBe(200)
    const answer = createSoftwareAuthenticator().register(last.options.body as never, {
      origin: url,
    })
    expect(await last.browser.postJson(`${url}/account/passkeys`, answer)).toEqual({
      status: 200,
      body: { added: true },
    })
    expect(await passkeyCount()).toBe(PASSKEYS_PER_ACCOUNT)

    const refused = await startAdding(last.browser)
    expect(refused.options.status).toBe(409)
    expect(refused.options.body).toMatchObject({ error: 'too_many_passkeys' })
    expect((refused.options.body as { message: string }).message).toMatch(TOO_MANY_PASSKEYS)
    expect(await passkeyCount()).toBe(PASSKEYS_PER_ACCOUNT)
    // The account page still lists them all, and the account still signs in.
    const page = visibleText(await openAccountPage(last.browser, fixture.authenticator, url))
    expect(page).toContain(`Passkey ${PASSKEYS_PER_ACCOUNT}`)
    await fixture.expectAccountStillSignsIn()
  })

  it('refuses a passkey whose options were given before others filled the account', async () => {
    await trimTo(PASSKEYS_PER_ACCOUNT - 1)
    const { browser, options } = await startAdding()
    expect(options.status).toBe(200)
    await fillTo(PASSKEYS_PER_ACCOUNT)
    const answer = createSoftwareAuthenticator().register(options.body as never, { origin: url })
    const refused = await browser.postJson<{ error: string; message: string }>(
      `${url}/account/passkeys`,
      answer,
    )
    expect(refused.status).toBe(409)
    expect(refused.body.error).toBe('too_many_passkeys')
    expect(refused.body.message).toMatch(TOO_MANY_PASSKEYS)
    expect(
      await db.selectFrom('passkeys').select('id').where('id', '=', answer.id).execute(),
    ).toEqual([])
    expect(await passkeyCount()).toBe(PASSKEYS_PER_ACCOUNT)
  })

  it('adds one of two passkeys finished at once for the last place', async () => {
    await trimTo(PASSKEYS_PER_ACCOUNT - 1)
    const first = await startAdding()
    const second = await startAdding()
    const answers = [first, second].map(({ options }) =>
      createSoftwareAuthenticator().register(options.body as never, { origin: url }),
    )
    const outcomes = await Promise.all([
      first.browser.postJson(`${url}/account/passkeys`, answers[0]),
      second.browser.postJson(`${url}/account/passkeys`, answers[1]),
    ])
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual([200, 409])
    expect(await passkeyCount()).toBe(PASSKEYS_PER_ACCOUNT)
  })

  async function approvedApps(): Promise<string[]> {
    const rows = await db
      .selectFrom('consents')
      .select('client_id')
      .where('account_id', '=', accountId)
      .execute()
    return rows.map((row) => row.client_id)
  }

  it(`allows the ${APPS_PER_ACCOUNT}th app at consent, refuses the next one, and keeps the others`, async () => {
    await storeApprovals(db, accountId, APPS_PER_ACCOUNT - (await approvedApps()).length - 1)
    const browser = new TestBrowser()
    const last = 'http://localhost:9001'
    const { outcome } = await signInWithCodeFlow(
      await discoverAsApp(url, last),
      browser,
      fixture.authenticator,
      { redirectUri: `${last}/cb` },
    )
    expect(outcome.sawConsent).toBe(true)
    expect(await approvedApps()).toHaveLength(APPS_PER_ACCOUNT)

    const refusedApp = 'http://localhost:9002'
    const request = await buildAuthorizationRequest(await discoverAsApp(url, refusedApp), {
      redirectUri: `${refusedApp}/cb`,
    })
    await expect(
      signInThroughProvider(browser, fixture.authenticator, request.url),
    ).rejects.toThrow(
      new RegExp(
        `consent answered 409: .*Your account has allowed ${APPS_PER_ACCOUNT} apps, the most it can, so this app was not allowed\\.`,
      ),
    )
    const apps = await approvedApps()
    expect(apps).toHaveLength(APPS_PER_ACCOUNT)
    expect(apps).not.toContain(refusedApp)
    expect(apps).toContain(last)
    // No grant was stored for the refused app, and the apps allowed before still sign in at once.
    const grants = await db
      .selectFrom('oidc_records')
      .select('payload')
      .where('model', '=', 'Grant')
      .execute()
    expect(grants.filter((grant) => grant.payload.includes(refusedApp))).toEqual([])
    await fixture.expectAccountStillSignsIn()
    expect(visibleText(await openAccountPage(browser, fixture.authenticator, url))).toContain(last)
  })
})

import { TestBrowser, visibleText } from '@passkey-id/testing/http'
import { type ProviderWithAccount, startProviderWithAccount } from '@passkey-id/testing/provider'
import {
  buildAuthorizationRequest,
  discoverAsApp,
  openInteraction,
  signInWithCodeFlow,
} from '@passkey-id/testing/sign-in'
import type { Kysely } from 'kysely'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AccountStore, createAccountStore } from '../src/accounts/accountStore.ts'
import { validateProfile } from '../src/profile/validateProfile.ts'
import { openProviderStore } from '../src/store/openProviderStore.ts'
import type { ProviderDatabase } from '../src/store/schema.ts'

const ALL_SCOPES = 'openid avatar email phone profile address'
/** A second app, which the account has not allowed anything yet. */
const OTHER_APP = 'http://localhost:9000'
/** What a code-flow ID token carries besides `sub`: the protocol's own claims, nothing of the profile. */
const ID_TOKEN_PROTOCOL_CLAIMS = ['aud', 'auth_time', 'exp', 'iat', 'iss', 'nonce', 'sub']

describe('Passwordless.ID scopes and their claims', () => {
  let fixture: ProviderWithAccount
  let db: Kysely<ProviderDatabase>
  let accounts: AccountStore
  let accountId: string

  beforeAll(async () => {
    fixture = await startProviderWithAccount({ scope: ALL_SCOPES })
    // The test's own connection to the provider's database, as a second process would have.
    db = await openProviderStore(fixture.provider.config.databaseUrl)
    accounts = createAccountStore(db)
    const row = await db
      .selectFrom('accounts')
      .select('id')
      .where('username_key', '=', 'alice')
      .executeTakeFirstOrThrow()
    accountId = row.id
  })
  afterAll(async () => {
    await db?.destroy()
    await fixture?.close()
  })

  /** Stores a profile as the account page does: through validateProfile, then updateProfile. */
  async function fillProfile(form: Record<string, string>): Promise<void> {
    const result = validateProfile(form)
    if (!result.ok) throw new Error(JSON.stringify(result.errors))
    await accounts.updateProfile(accountId, result.profile)
  }

  async function userinfo(tokens: { access_token: string }) {
    return oidc.fetchUserInfo(fixture.config, tokens.access_token, oidc.skipSubjectCheck)
  }

  /** The consent page `OTHER_APP` gets for `scope`, in a browser where the account is signed in. */
  async function otherAppConsentPage(scope: string): Promise<string> {
    const browser = new TestBrowser()
    await fixture.signIn({ browser })
    const config = await discoverAsApp(fixture.provider.url, OTHER_APP)
    const request = await buildAuthorizationRequest(config, {
      redirectUri: `${OTHER_APP}/cb`,
      scope,
    })
    const { page } = await openInteraction(browser, request.url)
    expect(page).toContain('name="decision"')
    return page
  }

  it('lists all six scopes and their claims in discovery', async () => {
    const discovery = (await (
      await fetch(`${fixture.provider.url}/.well-known/openid-configuration`)
    ).json()) as { scopes_supported: string[]; claims_supported: string[] }
    expect(discovery.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'avatar', 'email', 'phone', 'profile', 'address']),
    )
    expect(discovery.claims_supported).toEqual(
      expect.arrayContaining([
        'sub',
        'nickname',
        'preferred_username',
        'picture',
        'email',
        'email_verified',
        'phone_number',
        'phone_number_verified',
        'name',
        'given_name',
        'family_name',
        'birthdate',
        'gender',
        'locale',
        'zoneinfo',
        'website',
        'updated_at',
        'address',
      ]),
    )
  })

  it('sends an account with nothing filled in no empty claims, and its consent page says so', async () => {
    const { tokens } = await fixture.signIn({ scope: ALL_SCOPES })
    expect(await userinfo(tokens)).toEqual({
      sub: fixture.sub,
      nickname: 'alice',
      preferred_username: 'alice',
      picture: expect.stringMatching(/\/avatars\/[a-z]+\.svg$/),
    })

    const page = await otherAppConsentPage(ALL_SCOPES)
    const text = visibleText(page)
    const nothingYet =
      'Nothing is filled in yet, so the app gets nothing for this until you add it on your account page at /account'
    expect(text).toContain(`email See your email address, and whether it is verified ${nothingYet}`)
    expect(text.split(nothingYet)).toHaveLength(5) // email, phone, profile, address
    expect(text).toContain('Your username: alice')
    expect(page).toMatch(/<img class="avatar" src="http:\/\/localhost:\d+\/avatars\/[a-z]+\.svg"/)
  })

  it('sends a filled-in profile: every claim in userinfo, none in the ID token', async () => {
    await fillProfile({
      email: 'alice@example.com',
      phone_number: '+41 44 668 18 00',
      name: 'Alice Example',
      given_name: 'Alice',
      family_name: 'Example',
      birthdate: '1990-07-31',
      gender: 'female',
      locale: 'de-CH',
      zoneinfo: 'Europe/Zurich',
      website: 'https://alice.example',
      address_street: 'Bahnhofstrasse 1',
      address_locality: 'Zürich',
      address_postal_code: '8001',
      address_country: 'Switzerland',
    })
    const stored = await accounts.findById(accountId)
    const updatedAt = Math.floor(Date.parse(String(stored?.profile_updated_at)) / 1000)

    const { tokens } = await fixture.signIn({ scope: ALL_SCOPES })
    expect(await userinfo(tokens)).toEqual({
      sub: fixture.sub,
      nickname: 'alice',
      preferred_username: 'alice',
      picture: `${fixture.provider.url}/avatars/${stored?.avatar}.svg`,
      email: 'alice@example.com',
      email_verified: false,
      phone_number: '+41446681800',
      phone_number_verified: false,
      name: 'Alice Example',
      given_name: 'Alice',
      family_name: 'Example',
      birthdate: '1990-07-31',
      gender: 'female',
      locale: 'de-CH',
      zoneinfo: 'Europe/Zurich',
      website: 'https://alice.example/',
      updated_at: updatedAt,
      address: {
        formatted: 'Bahnhofstrasse 1\n8001 Zürich\nSwitzerland',
        street_address: 'Bahnhofstrasse 1',
        locality: 'Zürich',
        postal_code: '8001',
        country: 'Switzerland',
      },
    })
    // oidc-provider conforms ID tokens of the code flow: the scopes' claims are at userinfo only.
    const idToken: Record<string, unknown> = tokens.claims() ?? {}
    expect(idToken.sub).toBe(fixture.sub)
    expect(
      Object.keys(idToken).filter((claim) => !ID_TOKEN_PROTOCOL_CLAIMS.includes(claim)),
    ).toEqual([])
  })

  it('releases only what a narrower grant covers', async () => {
    const { tokens } = await fixture.signIn({ scope: 'openid phone' })
    expect(await userinfo(tokens)).toEqual({
      sub: fixture.sub,
      phone_number: '+41446681800',
      phone_number_verified: false,
    })
  })

  it('ignores an unknown scope: not granted, not echoed, no claim', async () => {
    const { tokens, outcome } = await fixture.signIn({ scope: 'openid email shoe_size' })
    expect(outcome.sawConsent).toBe(false)
    expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'openid'])
    const claims = await userinfo(tokens)
    expect(claims).toEqual({ sub: fixture.sub, email: 'alice@example.com', email_verified: false })
    expect(JSON.stringify(claims)).not.toContain('shoe_size')
    expect(JSON.stringify(tokens.claims())).not.toContain('shoe_size')
  })

  it('shows the values on the consent page as text, never as markup', async () => {
    await fillProfile({ name: '<script>alert("x")</script> & <b>Alice</b>' })
    const page = await otherAppConsentPage(`${ALL_SCOPES} shoe_size`)
    expect(page).not.toContain('<script>alert')
    expect(page).not.toContain('<b>Alice')
    expect(page).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;Alice&lt;/b&gt;',
    )
    const text = visibleText(page)
    expect(text).toContain('Your name: <script>alert("x")</script> & <b>Alice</b>')
    expect(text).toContain('Your email address: alice@example.com')
    expect(text).toContain('Your phone number: +41446681800')
    expect(text).toContain('Your website: https://alice.example/')
    expect(text).toContain('Your address: Bahnhofstrasse 1 8001 Zürich Switzerland')
    expect(text).not.toContain('shoe_size')
    expect(text).not.toContain('Nothing is filled in yet')
  })

  it('gives an app granted only email the email and nothing of the profile', async () => {
    const config = await discoverAsApp(fixture.provider.url, OTHER_APP)
    const { tokens, outcome } = await signInWithCodeFlow(
      config,
      new TestBrowser(),
      fixture.authenticator,
      { redirectUri: `${OTHER_APP}/cb`, scope: 'openid email' },
    )
    expect(outcome.sawConsent).toBe(true)
    const claims = await oidc.fetchUserInfo(config, tokens.access_token, oidc.skipSubjectCheck)
    expect(claims).toEqual({
      sub: expect.any(String),
      email: 'alice@example.com',
      email_verified: false,
    })
  })
})

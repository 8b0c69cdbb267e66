import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import type { TestBrowser } from '@passkey-id/testing/http'
import { type ProviderWithAccount, startProviderWithAccount } from '@passkey-id/testing/provider'
import { type OpenInteraction, readInteractionPage } from '@passkey-id/testing/sign-in'
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { SHARED_CHALLENGE_MIN_LEFT_MS } from '../src/passkeys/startSignIn.ts'

/** The sign-in options an interaction's page carries. */
function carriedOptions(interaction: OpenInteraction): PublicKeyCredentialRequestOptionsJSON {
  expect(interaction.signInOptions).toBeDefined()
  return interaction.signInOptions as unknown as PublicKeyCredentialRequestOptionsJSON
}

describe('the sign-in page carries its sign-in options', () => {
  let fixture: ProviderWithAccount

  beforeAll(async () => {
    fixture = await startProviderWithAccount()
  })
  afterAll(() => fixture.close())

  async function signIn(browser: TestBrowser, interaction: OpenInteraction, options: unknown) {
    const answer = fixture.authenticator.authenticate(options as never, {
      origin: fixture.provider.url,
    })
    return browser.postJson(`${interaction.base}/sign-in`, answer)
  }

  it('with the pending challenge, so that a sign-in asks for no options first', async () => {
    const { browser, interaction } = await fixture.openSignInPage()
    // JSON in an attribute, escaped as every value the pages interpolate.
    expect(interaction.page).toContain('data-sign-in-options="{&quot;')
    const carried = carriedOptions(interaction)
    expect(carried).toMatchObject({
      rpId: new URL(fixture.provider.url).hostname,
      userVerification: 'required',
      timeout: 5 * 60_000,
    })
    // Options asked for meanwhile (by a page whose own are nearly spent) share its challenge.
    const asked = await browser.postJson<PublicKeyCredentialRequestOptionsJSON>(
      `${interaction.base}/sign-in/options`,
      {},
    )
    expect(asked.body.challenge).toBe(carried.challenge)
    expect((await signIn(browser, interaction, carried)).status).toBe(200)
  })

  it('with a new challenge and the whole five minutes, loaded again once its own is nearly spent', async () => {
    const { browser, interaction } = await fixture.openSignInPage()
    let reloaded: OpenInteraction
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(Date.now() + 5 * 60_000 - SHARED_CHALLENGE_MIN_LEFT_MS + 1000)
      reloaded = await readInteractionPage(
        new URL(interaction.base),
        await browser.fetch(interaction.base),
      )
      expect(carriedOptions(reloaded).challenge).not.toBe(carriedOptions(interaction).challenge)
      expect(carriedOptions(reloaded).timeout).toBe(5 * 60_000)
      expect((await signIn(browser, reloaded, carriedOptions(reloaded))).status).toBe(200)
    } finally {
      vi.useRealTimers()
    }
  })

  it('with none once the interaction has signed someone in (a page loaded again before resuming)', async () => {
    const { browser, interaction } = await fixture.openSignInPage()
    expect((await signIn(browser, interaction, carriedOptions(interaction))).status).toBe(200)
    const again = await readInteractionPage(
      new URL(interaction.base),
      await browser.fetch(interaction.base),
    )
    expect(again.page).toContain('id="sign-in"')
    expect(again.signInOptions).toBeUndefined()
  })

  it('with one challenge for two loads at once, none pending before', async () => {
    const { browser, interaction } = await fixture.openSignInPage()
    const other = await fixture.openSignInPage()
    // A refused answer takes the page's challenge: the next loads must make one.
    expect((await signIn(browser, interaction, carriedOptions(other.interaction))).status).toBe(400)
    const load = async () =>
      carriedOptions(
        await readInteractionPage(new URL(interaction.base), await browser.fetch(interaction.base)),
      )
    const [first, second] = await Promise.all([load(), load()])
    expect(second.challenge).toBe(first.challenge)
    expect((await signIn(browser, interaction, first)).status).toBe(200)
  })

  it('with none while a sign-up begun on the page is pending, which a reload leaves alone', async () => {
    const { browser, interaction } = await fixture.openSignInPage()
    const options = await browser.postJson<PublicKeyCredentialCreationOptionsJSON>(
      `${interaction.base}/sign-up/options`,
      { username: 'reloader' },
    )
    expect(options.status).toBe(200)
    const reloaded = await readInteractionPage(
      new URL(interaction.base),
      await browser.fetch(interaction.base),
    )
    expect(reloaded.page).toContain('id="sign-in"')
    expect(reloaded.signInOptions).toBeUndefined()
    const created = await browser.postJson(
      `${interaction.base}/sign-up`,
      createSoftwareAuthenticator().register(options.body, { origin: fixture.provider.url }),
    )
    expect(created.status).toBe(200)
  })
})

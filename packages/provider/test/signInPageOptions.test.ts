import type { TestBrowser } from '@passkey-id/testing/http'
import { type ProviderWithAccount, startProviderWithAccount } from '@passkey-id/testing/provider'
import { type OpenInteraction, readInteractionPage } from '@passkey-id/testing/sign-in'
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server'
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
})

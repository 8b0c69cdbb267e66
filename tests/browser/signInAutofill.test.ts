import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  accessibilityViolations,
  addVirtualAuthenticator,
  exportCredentials,
  importCredentials,
  launchChromium,
  type PageProblems,
  type VirtualAuthenticator,
  type VirtualCredential,
  watchProblems,
  withoutPasskeyAutofill,
} from '@passkey-id/testing/chromium'
import { startTestProvider, type TestProvider } from '@passkey-id/testing/provider'
import { buildAuthorizationRequest, discoverAsApp } from '@passkey-id/testing/sign-in'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/** A WebAuthn call the page made, as the init script of `openContext` records it. */
interface Call {
  call: 'get' | 'create' | 'signal'
  /** For `get`: 'conditional' (autofill) or 'modal' (the browser's own prompt). */
  mediation?: string
  /** 'pending', 'resolved', or the name of the error it ended with. */
  outcome: string
  /** For `signal`: the function and what it was given. */
  name?: string
  options?: Record<string, unknown>
}

/** CDP's credential ids and user handles are base64; pages and the provider speak base64url. */
function base64url(base64: string): string {
  return Buffer.from(base64, 'base64').toString('base64url')
}

// The sign-in page's passkey autofill and the WebAuthn Signal API in real headless Chromium 156 with
// a CDP virtual authenticator. How far the virtual authenticator goes (measured here): a conditional
// request it sees while holding a discoverable passkey for the RP resolves at once with that passkey,
// as if the person had picked it in the suggestions; with an empty authenticator it is refused at
// once (NotAllowedError); started before any authenticator is attached, it stays pending until
// aborted. It shows no suggestion list: which passkey the person picks is not tested. Each signal
// really changes what the authenticator holds: signalUnknownCredential and
// signalAllAcceptedCredentials delete the passkey (CDP's credentialDeleted), signalCurrentUserDetails
// renames it (credentialUpdated).
describe('passkey autofill and signals on the sign-in and account pages in Chromium', () => {
  let provider: TestProvider
  let browser: Browser
  /** The app: its redirect URI answers with a plain page. */
  let app: Server
  let appUrl: string
  const problems: PageProblems = { cspViolations: [], pageErrors: [], consoleErrors: [] }
  const contexts: BrowserContext[] = []
  const logs = new WeakMap<Page, Call[]>()
  /** The passkey of the account `autofill`, made by the first test. */
  let passkey: VirtualCredential

  beforeAll(async () => {
    provider = await startTestProvider()
    browser = await launchChromium()
    app = createServer((_request, response) => response.end('the app got the sign-in result'))
    await new Promise<void>((resolve) => app.listen(0, 'localhost', resolve))
    appUrl = `http://localhost:${(app.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await browser?.close()
    app?.close()
    await provider?.close()
  })

  /**
   * A new browser profile whose pages record their WebAuthn calls (`calls`), and, with
   * `conditional: false`, a browser without conditional mediation.
   */
  async function openContext({ conditional = true } = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 520, height: 820 } })
    contexts.push(context)
    context.setDefaultTimeout(15_000)
    await watchProblems(context, problems)
    // Kept on this side, so the calls of a page that has navigated away are still there.
    const log: Call[] = []
    const byId = new Map<string, Call>()
    await context.exposeBinding(
      '__recordWebauthn',
      (_source, { id, ...entry }: Call & { id: string }) => {
        log.push(entry)
        byId.set(id, entry)
      },
    )
    await context.exposeBinding('__settleWebauthn', (_source, id: string, outcome: string) => {
      const entry = byId.get(id)
      if (entry !== undefined) entry.outcome = outcome
    })
    await context.addInitScript(() => {
      const binding = window as unknown as {
        __recordWebauthn(entry: Call & { id: string }): Promise<void>
        __settleWebauthn(id: string, outcome: string): Promise<void>
      }
      // about:blank, where every page starts, is no secure context and has no WebAuthn.
      const credentials = navigator.credentials
      if (credentials === undefined || typeof PublicKeyCredential === 'undefined') return
      // Both messages leave at once (no await): a page that navigates right after still sends both.
      const record = <T>(entry: Call, promise: Promise<T>): Promise<T> => {
        const id = crypto.randomUUID()
        void binding.__recordWebauthn({ ...entry, id })
        promise.then(
          () => binding.__settleWebauthn(id, 'resolved'),
          (error: Error) => binding.__settleWebauthn(id, error.name),
        )
        return promise
      }
      const get = credentials.get.bind(credentials)
      const create = credentials.create.bind(credentials)
      credentials.get = (options) =>
        record(
          { call: 'get', mediation: options?.mediation ?? 'modal', outcome: 'pending' },
          get(options),
        )
      credentials.create = (options) =>
        record({ call: 'create', outcome: 'pending' }, create(options))
      const api = PublicKeyCredential as unknown as Record<
        string,
        (options: Record<string, unknown>) => Promise<void>
      >
      for (const name of [
        'signalUnknownCredential',
        'signalAllAcceptedCredentials',
        'signalCurrentUserDetails',
      ]) {
        const signal = api[name]?.bind(PublicKeyCredential)
        if (signal === undefined) continue
        api[name] = (options) =>
          record({ call: 'signal', name, options, outcome: 'pending' }, signal(options))
      }
    })
    if (!conditional) await withoutPasskeyAutofill(context)
    const page = await context.newPage()
    logs.set(page, log)
    return page
  }

  /** The WebAuthn calls made in `page` so far, from every document it showed. */
  async function calls(page: Page): Promise<Call[]> {
    return structuredClone(logs.get(page) ?? [])
  }

  /** The challenges of the `sign-in/options` answers the page got (beyond its own), in order. */
  function watchChallenges(page: Page): string[] {
    const challenges: string[] = []
    page.on('response', async (response) => {
      if (!response.url().endsWith('/sign-in/options')) return
      const body = (await response.json()) as { challenge: string }
      challenges.push(body.challenge)
    })
    return challenges
  }

  /** Goes to the provider's sign-in page for a fresh authorization request of the app. */
  async function openSignIn(page: Page): Promise<void> {
    const config = await discoverAsApp(provider.url, appUrl)
    const request = await buildAuthorizationRequest(config, {
      redirectUri: `${appUrl}/cb`,
      scope: 'openid',
    })
    await page.goto(request.url.href)
    expect(new URL(page.url()).origin).toBe(provider.url)
  }

  async function untilEnabled(page: Page, name: string): Promise<void> {
    const button = page.getByRole('button', { name })
    await button.waitFor()
    await expect.poll(() => button.isEnabled()).toBe(true)
  }

  /** Waits until the page has started its autofill request (a conditional `get`) and it is pending. */
  async function untilAutofillPending(page: Page): Promise<void> {
    await expect
      .poll(async () => (await calls(page)).filter((call) => call.mediation === 'conditional'))
      .toEqual([{ call: 'get', mediation: 'conditional', outcome: 'pending' }])
  }

  /** A discoverable passkey for this RP that no provider registered (a key made here). */
  function strangerPasskey(): VirtualCredential {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    return {
      credentialId: randomBytes(32).toString('base64'),
      isResidentCredential: true,
      rpId: 'localhost',
      privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      userHandle: randomBytes(32).toString('base64'),
      signCount: 0,
    }
  }

  it('signs up with the one Username field, and autofill signs in with the passkey on load', async () => {
    const first = await openContext()
    const authenticator = await addVirtualAuthenticator(first)
    await openSignIn(first)
    await untilEnabled(first, 'Create account')
    await first.getByLabel('Username').fill('autofill')
    await first.getByRole('button', { name: 'Create account' }).click()
    await first.getByRole('button', { name: 'Allow' }).click()
    await first.waitForURL((url) => url.origin === appUrl)
    const [made] = await exportCredentials(authenticator)
    expect(made).toMatchObject({ rpId: 'localhost', isResidentCredential: true })
    passkey = made as VirtualCredential

    // Another browser whose passkey manager holds the passkey: nothing to click.
    const page = await openContext()
    const challenges = watchChallenges(page)
    await importCredentials(await addVirtualAuthenticator(page), [passkey])
    await openSignIn(page)
    await page.waitForURL((url) => url.origin === appUrl)
    expect((await calls(page)).filter((call) => call.call === 'get')).toEqual([
      { call: 'get', mediation: 'conditional', outcome: 'resolved' },
    ])
    // The page carried its options: no request came before the passkey's prompt.
    expect(challenges).toEqual([])
    passkey = { ...passkey, signCount: passkey.signCount + 1 }
  })

  it('the button shares the pending autofill request’s challenge and aborts that request', async () => {
    const page = await openContext()
    const challenges = watchChallenges(page)
    // No authenticator yet: Chromium keeps the autofill request pending.
    await openSignIn(page)
    await untilAutofillPending(page)
    await importCredentials(await addVirtualAuthenticator(page), [passkey])
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
    await page.waitForURL((url) => url.origin === appUrl)
    expect((await calls(page)).filter((call) => call.call === 'get')).toEqual([
      { call: 'get', mediation: 'conditional', outcome: 'AbortError' },
      { call: 'get', mediation: 'modal', outcome: 'resolved' },
    ])
    // Both used the options the page carried (one pending challenge, answered by the button's
    // request): no request for options came first.
    expect(challenges).toEqual([])
    passkey = { ...passkey, signCount: passkey.signCount + 1 }
  })

  it('starting a sign-up aborts the autofill request before the passkey is made', async () => {
    const page = await openContext()
    await openSignIn(page)
    await untilAutofillPending(page)
    const authenticator = await addVirtualAuthenticator(page)
    await page.getByLabel('Username').fill('newcomer')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByRole('button', { name: 'Allow' }).waitFor()
    expect(await calls(page)).toEqual([
      { call: 'get', mediation: 'conditional', outcome: 'AbortError' },
      { call: 'create', outcome: 'resolved' },
    ])
    expect(await exportCredentials(authenticator)).toHaveLength(1)
  })

  it('without conditional mediation the page makes no autofill request and the button signs in', async () => {
    const page = await openContext({ conditional: false })
    // The passkey is there from the start: with autofill, the page would sign in on its own.
    await importCredentials(await addVirtualAuthenticator(page), [passkey])
    await openSignIn(page)
    await untilEnabled(page, 'Sign in with a passkey')
    expect(await page.getByLabel('Username').getAttribute('autocomplete')).toBe('username webauthn')
    expect(await page.getByRole('link', { name: 'Lost your passkey?' }).getAttribute('href')).toBe(
      '/recovery',
    )
    expect(await accessibilityViolations(page)).toEqual([])
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
    await page.waitForURL((url) => url.origin === appUrl)
    expect(await calls(page)).toEqual([{ call: 'get', mediation: 'modal', outcome: 'resolved' }])
    passkey = { ...passkey, signCount: passkey.signCount + 1 }
  })

  it('asks the provider for new options when the page’s own are nearly spent', async () => {
    const page = await openContext({ conditional: false })
    const challenges = watchChallenges(page)
    // The page's clock only: the provider's stays real, so its pending challenge is still fresh.
    await page.clock.install()
    await importCredentials(await addVirtualAuthenticator(page), [passkey])
    await openSignIn(page)
    await untilEnabled(page, 'Sign in with a passkey')
    await page.clock.fastForward('03:30')
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
    await page.waitForURL((url) => url.origin === appUrl)
    expect(challenges).toHaveLength(1)
    passkey = { ...passkey, signCount: passkey.signCount + 1 }
  })

  it('a passkey the provider does not know is refused, and signalled as unknown so it goes', async () => {
    const page = await openContext()
    const authenticator = await addVirtualAuthenticator(page)
    const stranger = strangerPasskey()
    await importCredentials(authenticator, [stranger])
    await openSignIn(page)
    await expect
      .poll(() => page.locator('#message').textContent())
      .toBe(
        'This passkey is not registered here (it may have been removed). Use another passkey, or create an account.',
      )
    await expect
      .poll(async () => (await calls(page)).filter((call) => call.call === 'signal'))
      .toEqual([
        {
          call: 'signal',
          name: 'signalUnknownCredential',
          options: { rpId: 'localhost', credentialId: base64url(stranger.credentialId) },
          outcome: 'resolved',
        },
      ])
    // The real effect: the virtual authenticator deleted it.
    expect(await exportCredentials(authenticator)).toEqual([])
    // A refused autofill answer does not start another request on its own.
    expect((await calls(page)).filter((call) => call.call === 'get')).toHaveLength(1)
    expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//)
  })

  it('the account page signals the passkeys it accepts and the username, after a removal, a rename and the deletion', async () => {
    const page = await openContext()
    let authenticator: VirtualAuthenticator = await addVirtualAuthenticator(page)
    await page.goto(`${provider.url}/account`)
    await page.getByLabel('Username').fill('signals')
    await page.getByLabel('Username').press('Enter')
    await page.waitForURL(`${provider.url}/account`)
    const [first] = await exportCredentials(authenticator)
    if (first === undefined) throw new Error('no passkey was made at sign-up')
    const userId = base64url(String(first.userHandle))
    const firstId = base64url(first.credentialId)
    let seen = 0
    /** The signals sent since the last call, once each has settled, as [function, options]. */
    async function newSignals(): Promise<Array<[string, unknown]>> {
      await page.locator('#passkey-signals').waitFor({ state: 'attached' })
      await expect
        .poll(async () => (await calls(page)).slice(seen).some((c) => c.outcome === 'pending'))
        .toBe(false)
      const all = await calls(page)
      const sent = all.slice(seen).filter((call) => call.call === 'signal')
      seen = all.length
      for (const call of sent) expect(call.outcome, String(call.name)).toBe('resolved')
      return sent.map((call) => [String(call.name), call.options])
    }
    expect(await newSignals()).toEqual([
      [
        'signalAllAcceptedCredentials',
        { rpId: 'localhost', userId, allAcceptedCredentialIds: [firstId] },
      ],
      [
        'signalCurrentUserDetails',
        { rpId: 'localhost', userId, name: 'signals', displayName: 'signals' },
      ],
    ])

    // A second passkey from a second device. An authenticator keeps one passkey per account (user
    // handle), so each device is an authenticator of its own.
    async function switchDevice(holding: VirtualCredential[]): Promise<void> {
      await authenticator.session.send('WebAuthn.removeVirtualAuthenticator', {
        authenticatorId: authenticator.authenticatorId,
      })
      authenticator = await addVirtualAuthenticator(page)
      await importCredentials(authenticator, holding)
    }
    await switchDevice([])
    await page.getByRole('button', { name: 'Add a passkey' }).click()
    await page.waitForURL(/done=passkey-added/)
    const [second] = await exportCredentials(authenticator)
    if (second === undefined) throw new Error('no passkey was added')
    const secondId = base64url(second.credentialId)
    await newSignals()

    // Back on the first device, the first passkey is removed: its passkey manager drops it.
    await switchDevice([first])
    await page
      .locator('li.passkey', { has: page.locator(`input[name="id"][value="${firstId}"]`) })
      .getByRole('button', { name: 'Remove' })
      .click()
    await page.waitForURL(/done=passkey-removed/)
    expect((await newSignals())[0]).toEqual([
      'signalAllAcceptedCredentials',
      { rpId: 'localhost', userId, allAcceptedCredentialIds: [secondId] },
    ])
    expect(await exportCredentials(authenticator)).toEqual([])

    // On the second device, a new username: its passkey manager lists the passkey under it.
    await switchDevice([second])
    await page.locator('#field-username').fill('signals2')
    await page.locator('#field-username').press('Enter')
    await page.waitForURL(/done=profile/)
    expect((await newSignals())[1]).toEqual([
      'signalCurrentUserDetails',
      { rpId: 'localhost', userId, name: 'signals2', displayName: 'signals2' },
    ])
    expect(
      (await exportCredentials(authenticator)).map((credential) => ({
        id: base64url(credential.credentialId),
        userName: (credential as { userName?: string }).userName,
        userDisplayName: (credential as { userDisplayName?: string }).userDisplayName,
      })),
    ).toEqual([{ id: secondId, userName: 'signals2', userDisplayName: 'signals2' }])

    // Deleting the account: none of its passkeys is accepted any more.
    await page.getByLabel('Type your username').fill('signals2')
    await page.getByRole('button', { name: 'Delete my account' }).click()
    await page.getByRole('heading', { name: 'Account deleted' }).waitFor()
    expect(await newSignals()).toEqual([
      ['signalAllAcceptedCredentials', { rpId: 'localhost', userId, allAcceptedCredentialIds: [] }],
    ])
    expect(await exportCredentials(authenticator)).toEqual([])
  })

  it('had no page errors or CSP violations on any page', async () => {
    await Promise.all(contexts.map((context) => context.close()))
    expect(problems.pageErrors).toEqual([])
    expect(problems.cspViolations).toEqual([])
  })
})

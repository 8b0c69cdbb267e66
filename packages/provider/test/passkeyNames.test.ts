import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { TestBrowser, visibleText } from '@passkey-id/testing/http'
import {
  PROVIDER_AAGUIDS,
  startTestProvider,
  TEST_PASSKEY_PROVIDER_LIST,
  type TestProvider,
} from '@passkey-id/testing/provider'
import { openAccountPage } from '@passkey-id/testing/sign-in'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readPasskeyProviderList } from '../src/passkeys/readPasskeyProviderList.ts'

/** An AAGUID as the 16 bytes an authenticator puts in its attested credential data. */
function aaguidBytes(aaguid: string): Uint8Array {
  return Uint8Array.from(Buffer.from(aaguid.replaceAll('-', ''), 'hex'))
}

const GOOGLE_PASSWORD_MANAGER = PROVIDER_AAGUIDS.googlePasswordManager
const ONE_PASSWORD = PROVIDER_AAGUIDS.onePassword
/** No provider has this AAGUID. */
const UNKNOWN = '00010203-0405-0607-0809-0a0b0c0d0e0f'

/** The passkey headings of the account page, in order, without the icon before each name. */
function passkeyNames(page: string): string[] {
  return [
    ...page.matchAll(
      /<li class="passkey">\s*<h3>(?:<picture>.*?<\/picture>|<img [^>]*>)?([^<]*)<\/h3>/g,
    ),
  ].map((match) => String(match[1]))
}

/** Adds a passkey of an authenticator with `aaguid` on the account page open in `browser`. */
async function addPasskeyOf(provider: TestProvider, browser: TestBrowser, aaguid: string) {
  const options = await browser.postJson(`${provider.url}/account/passkeys/options`, {})
  expect(options.status).toBe(200)
  const authenticator = createSoftwareAuthenticator({ aaguid: aaguidBytes(aaguid) })
  const answer = authenticator.register(options.body as never, { origin: provider.url })
  expect(await browser.postJson(`${provider.url}/account/passkeys`, answer)).toEqual({
    status: 200,
    body: { added: true },
  })
}

describe('a new passkey is named after its provider, from its AAGUID', () => {
  let provider: TestProvider

  beforeAll(async () => {
    provider = await startTestProvider()
  })
  afterAll(() => provider?.close())

  const addPasskey = (browser: TestBrowser, aaguid: string) =>
    addPasskeyOf(provider, browser, aaguid)

  it('on sign-up and on add; an unknown AAGUID keeps the default label', async () => {
    const browser = new TestBrowser()
    const gpm = createSoftwareAuthenticator({ aaguid: aaguidBytes(GOOGLE_PASSWORD_MANAGER) })
    const page = await openAccountPage(browser, gpm, provider.url, { username: 'gina' })
    expect(passkeyNames(page)).toEqual(['Google Password Manager'])

    await addPasskey(browser, ONE_PASSWORD)
    await addPasskey(browser, UNKNOWN)
    const after = await openAccountPage(browser, gpm, provider.url)
    expect(passkeyNames(after)).toEqual(['Google Password Manager', '1Password', 'Passkey 3'])
    // The rename field holds the name, so the person can keep or change it.
    expect(after).toContain('value="1Password"')
    expect(visibleText(after)).toContain('Signed in as gina')
  })

  it('an authenticator without an AAGUID (all zero) keeps the default label', async () => {
    const page = await openAccountPage(
      new TestBrowser(),
      createSoftwareAuthenticator(),
      provider.url,
      { username: 'zed' },
    )
    expect(passkeyNames(page)).toEqual(['Passkey 1'])
  })
})

describe("the account page shows each passkey's provider icon, from the provider's own address", () => {
  let provider: TestProvider
  const list = readPasskeyProviderList(TEST_PASSKEY_PROVIDER_LIST)

  beforeAll(async () => {
    provider = await startTestProvider({}, undefined, { passkeyProviders: list })
  })
  afterAll(() => provider?.close())

  /** The markup of the passkey heading that ends with `name`. */
  function heading(page: string, name: string): string {
    const found = [...page.matchAll(/<h3>.*?<\/h3>/g)].find((match) =>
      match[0].endsWith(`${name}</h3>`),
    )
    if (found === undefined) throw new Error(`no heading for ${name}`)
    return found[0]
  }

  it('a picture for each color scheme, one image for one icon, none for an unknown AAGUID', async () => {
    const browser = new TestBrowser()
    const gpm = createSoftwareAuthenticator({ aaguid: aaguidBytes(GOOGLE_PASSWORD_MANAGER) })
    await openAccountPage(browser, gpm, provider.url, { username: 'ivy' })
    await addPasskeyOf(provider, browser, ONE_PASSWORD)
    await addPasskeyOf(provider, browser, UNKNOWN)
    const page = await openAccountPage(browser, gpm, provider.url)
    expect(passkeyNames(page)).toEqual(['Google Password Manager', '1Password', 'Passkey 3'])

    const google = `/assets/passkey-icons/${GOOGLE_PASSWORD_MANAGER}`
    expect(heading(page, 'Google Password Manager')).toBe(
      `<h3><picture><source media="(prefers-color-scheme: dark)" srcset="${google}/dark"><img class="passkey-icon" src="${google}/light" alt="" width="24" height="24"></picture>Google Password Manager</h3>`,
    )
    expect(heading(page, '1Password')).toBe(
      `<h3><img class="passkey-icon" src="/assets/passkey-icons/${ONE_PASSWORD}/light" alt="" width="24" height="24">1Password</h3>`,
    )
    expect(heading(page, 'Passkey 3')).toBe('<h3>Passkey 3</h3>')
  })

  it('serves each icon as what it is, under a policy that runs nothing, to anyone', async () => {
    const google = list.get(GOOGLE_PASSWORD_MANAGER)
    for (const [theme, icon] of [
      ['light', google?.light],
      ['dark', google?.dark],
    ] as const) {
      // No cookie: an AAGUID names a kind of passkey, not anyone's.
      const response = await fetch(
        `${provider.url}/assets/passkey-icons/${GOOGLE_PASSWORD_MANAGER}/${theme}`,
      )
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('image/svg+xml')
      expect(response.headers.get('content-security-policy')).toBe(
        "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      )
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin')
      expect(Buffer.from(await response.arrayBuffer()).equals(icon?.bytes ?? Buffer.alloc(0))).toBe(
        true,
      )
    }
    // 1Password has one icon: the dark page gets it too.
    const dark = await fetch(`${provider.url}/assets/passkey-icons/${ONE_PASSWORD}/dark`)
    expect(dark.status).toBe(200)
    expect(
      Buffer.from(await dark.arrayBuffer()).equals(
        list.get(ONE_PASSWORD)?.light?.bytes ?? Buffer.alloc(0),
      ),
    ).toBe(true)
  })

  it("keeps the pages' image policy to the provider's own addresses", async () => {
    const browser = new TestBrowser()
    const page = await browser.fetch(`${provider.url}/account/sign-in`, {
      headers: { accept: 'text/html' },
    })
    const policy = page.headers.get('content-security-policy') ?? ''
    expect(policy).toContain("img-src 'self';")
    expect(policy).not.toContain('data:')
    await page.body?.cancel()
  })

  it('answers 404 for an unknown AAGUID, a theme or address it does not have, and a malformed one', async () => {
    for (const path of [
      `${UNKNOWN}/light`,
      '00000000-0000-0000-0000-000000000000/light',
      `${GOOGLE_PASSWORD_MANAGER}/blue`,
      `${GOOGLE_PASSWORD_MANAGER}/light.svg`,
      `${GOOGLE_PASSWORD_MANAGER}`,
      `${GOOGLE_PASSWORD_MANAGER}/light/extra`,
      '__proto__/light',
      `..%2F..%2Fpackage.json/light`,
    ]) {
      const response = await fetch(`${provider.url}/assets/passkey-icons/${path}`, {
        headers: { accept: 'application/json' },
      })
      expect(response.status, path.slice(0, 60)).toBe(404)
      const body = (await response.json()) as { error: string }
      expect(body.error).toBe('not_found')
    }
    // An address longer than any route's parameter is refused before any lookup.
    const long = await fetch(`${provider.url}/assets/passkey-icons/${'a'.repeat(5000)}/light`)
    expect(long.status).toBe(414)
    await long.body?.cancel()
  })
})

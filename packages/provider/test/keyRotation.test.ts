import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { TestBrowser } from '@passkey-id/testing/http'
import {
  LOOPBACK_APP,
  LOOPBACK_REDIRECT_URI,
  startTestProvider,
  type TestProvider,
} from '@passkey-id/testing/provider'
import { discoverAsApp, signInWithCodeFlow } from '@passkey-id/testing/sign-in'
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runKeysCommand } from '../src/keys/runKeysCommand.ts'

describe('rotating the signing keys of a running provider (add-next, restart, promote, restart)', () => {
  let provider: TestProvider
  const authenticator = createSoftwareAuthenticator()

  beforeAll(async () => {
    provider = await startTestProvider()
  })
  afterAll(() => provider.close())

  async function idToken(signUp?: { username: string }) {
    const config = await discoverAsApp(provider.url, LOOPBACK_APP)
    const { tokens } = await signInWithCodeFlow(config, new TestBrowser(), authenticator, {
      redirectUri: LOOPBACK_REDIRECT_URI,
      script: { signUp },
    })
    return String(tokens.id_token)
  }
  const jwks = async () =>
    (await (await fetch(`${provider.url}/openid/jwks`)).json()) as JSONWebKeySet
  const quiet = () => {}

  it('publishes the next keys first, signs with them after promotion, and still verifies old tokens', async () => {
    const before = await idToken({ username: 'rotator' })
    const oldKid = decodeProtectedHeader(before).kid

    expect(await runKeysCommand(['add-next'], provider.config, quiet)).toBe(0)
    provider = await provider.restart()
    expect((await jwks()).keys).toHaveLength(4)
    expect(decodeProtectedHeader(await idToken()).kid).toBe(oldKid)

    expect(await runKeysCommand(['promote'], provider.config, quiet)).toBe(0)
    provider = await provider.restart()
    const after = await idToken()
    const newKid = decodeProtectedHeader(after).kid
    expect(newKid).not.toBe(oldKid)

    const published = await jwks()
    expect(published.keys.map((key) => key.kid)).toEqual(expect.arrayContaining([oldKid, newKid]))
    const keys = createLocalJWKSet(published)
    for (const token of [before, after]) {
      await expect(
        jwtVerify(token, keys, { issuer: provider.url, audience: LOOPBACK_APP }),
      ).resolves.toBeDefined()
    }
  })
})

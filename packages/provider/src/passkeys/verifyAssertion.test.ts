import { randomBytes } from 'node:crypto'
import { createSoftwareAuthenticator, type SoftwareAuthenticator } from '@passkey-id/authenticator'
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
} from '@simplewebauthn/server'
import { beforeAll, describe, expect, it } from 'vitest'
import { rewriteClientData } from '../../test/support/rewriteClientData.ts'
import { ProviderError } from '../errors/ProviderError.ts'
import { passkeyCreationOptions } from './passkeyCreationOptions.ts'
import type { StoredPasskey } from './passkeyStore.ts'
import { verifyAssertion } from './verifyAssertion.ts'
import { verifyNewPasskey } from './verifyNewPasskey.ts'

const relyingParty = { origin: 'https://id.example.com', rpId: 'id.example.com', rpName: 'id' }

describe('verifyAssertion', () => {
  let authenticator: SoftwareAuthenticator
  let stored: StoredPasskey & { user_handle: string }

  beforeAll(async () => {
    authenticator = createSoftwareAuthenticator()
    const handle = new Uint8Array(randomBytes(32))
    const options = await passkeyCreationOptions(relyingParty, { handle, name: 'alice' })
    const answer = authenticator.register(options, { origin: relyingParty.origin })
    const passkey = await verifyNewPasskey(relyingParty, options.challenge, answer)
    stored = {
      id: passkey.id,
      account_id: 'account-1',
      public_key: Buffer.from(passkey.publicKey).toString('base64url'),
      counter: passkey.counter,
      transports: JSON.stringify(passkey.transports),
      device_type: passkey.deviceType,
      backed_up: 0,
      aaguid: passkey.aaguid,
      created_at: new Date().toISOString(),
      last_used_at: null,
      name: null,
      user_handle: Buffer.from(handle).toString('base64url'),
    }
  })

  /** A sign-in answer from the authenticator, and the challenge it was asked for. */
  async function signIn(
    forged: {
      challenge?: string
      origin?: string
      rpId?: string
      crossOrigin?: boolean
      topOrigin?: string
    } = {},
  ) {
    const options = await generateAuthenticationOptions({ rpID: relyingParty.rpId })
    const answer = authenticator.authenticate(options, { origin: relyingParty.origin, ...forged })
    return { answer, challenge: options.challenge }
  }

  /** What `verifyAssertion` throws for the answer. */
  async function refusal(signedIn: Awaited<ReturnType<typeof signIn>>, passkey = stored) {
    const error = await verifyAssertion(
      relyingParty,
      signedIn.challenge,
      passkey,
      signedIn.answer,
    ).catch((e) => e)
    expect(error).toBeInstanceOf(ProviderError)
    return error as ProviderError
  }

  it('returns the new signature counter of a correct answer', async () => {
    const { answer, challenge } = await signIn()
    const counter = await verifyAssertion(relyingParty, challenge, stored, answer)
    expect(counter).toBeGreaterThan(0)
  })

  it.each([
    ['the wrong challenge', { challenge: randomBytes(32).toString('base64url') }, /challenge/],
    ['the wrong origin', { origin: 'https://evil.example.com' }, /origin/],
    ['the wrong RP ID', { rpId: 'evil.example.com' }, /RP ID/],
  ])(
    'refuses %s as passkey_rejected, with the library reason as cause only',
    async (_case, forged, reason) => {
      const error = await refusal(await signIn(forged))
      expect(error).toMatchObject({ code: 'passkey_rejected', statusCode: 400 })
      expect(error.message).not.toMatch(reason)
      expect((error.cause as Error).message).toMatch(reason)
    },
  )

  it.each([
    ['crossOrigin: true', { crossOrigin: true }],
    ['a topOrigin', { crossOrigin: true, topOrigin: 'https://evil.example.com' }],
  ])('refuses a signed answer made in a frame (%s) as passkey_framed', async (_case, framed) => {
    const error = await refusal(await signIn(framed))
    expect(error).toMatchObject({ code: 'passkey_framed', statusCode: 400 })
  })

  it('refuses a user handle that is not the passkey account', async () => {
    const signedIn = await signIn()
    signedIn.answer.response.userHandle = randomBytes(32).toString('base64url')
    expect(await refusal(signedIn)).toMatchObject({ code: 'passkey_rejected' })
  })

  it.each([
    ['signature', 'MEUCIQ'],
    ['signature', 'AAAA'],
    ['clientDataJSON', 'e30'],
    ['authenticatorData', 'AAAA'],
  ] as const)('refuses a garbage %s (%s) as passkey_rejected', async (field, garbage) => {
    const signedIn = await signIn()
    signedIn.answer.response[field] = garbage
    expect(await refusal(signedIn)).toMatchObject({ code: 'passkey_rejected' })
  })

  // Each SimpleWebAuthn message that a forged answer provokes stays the refusal's cause, for the
  // log: what the person reads is the catalogue's sentence, which names no check and no value.
  it.each([
    [
      /^Data does not match to ECDSASigValue ASN1 schema/,
      (answer: AuthenticationResponseJSON) => {
        answer.response.signature = 'AAAA'
      },
    ],
    [
      /^End of input reached before message was fully decoded/,
      (answer: AuthenticationResponseJSON) => {
        answer.response.signature = 'MEUCIQ'
      },
    ],
    [
      /^Credential ID was not base64url-encoded$/,
      (answer: AuthenticationResponseJSON) => {
        answer.rawId = randomBytes(16).toString('base64url')
      },
    ],
    [
      /^Unexpected credential type/,
      (answer: AuthenticationResponseJSON) => {
        answer.type = 'password' as 'public-key'
      },
    ],
    [
      /^Unexpected authentication response type/,
      (answer: AuthenticationResponseJSON) =>
        rewriteClientData(answer, { type: 'webauthn.create' }),
    ],
    [
      /^Unexpected authentication response challenge "/,
      (answer: AuthenticationResponseJSON) => rewriteClientData(answer, { challenge: 'forged' }),
    ],
    [
      /^Unexpected authentication response origin "/,
      (answer: AuthenticationResponseJSON) =>
        rewriteClientData(answer, { origin: 'https://evil.example.com' }),
    ],
    [
      /^Unexpected RP ID hash/,
      (answer: AuthenticationResponseJSON) => {
        const data = Buffer.from(answer.response.authenticatorData, 'base64url')
        data.fill(0, 0, 32)
        answer.response.authenticatorData = data.toString('base64url')
      },
    ],
  ])('refuses with the catalogue sentence what the library calls %s', async (message, forge) => {
    const signedIn = await signIn()
    forge(signedIn.answer)
    const error = await refusal(signedIn)
    expect(error.code).toBe('passkey_rejected')
    expect(error.message).toBe(new ProviderError('passkey_rejected').message)
    expect((error.cause as Error).message).toMatch(message)
  })

  it('refuses a signed answer whose count is not above the stored one as passkey_cloned', async () => {
    const signedIn = await signIn()
    const count = await verifyAssertion(relyingParty, signedIn.challenge, stored, signedIn.answer)
    const copied = await refusal(signedIn, { ...stored, counter: count })
    expect(copied).toMatchObject({ code: 'passkey_cloned', statusCode: 400 })
    expect(copied.cause).toBeUndefined()
  })

  it('calls a badly signed answer with a stale count rejected, not cloned', async () => {
    const signedIn = await signIn()
    signedIn.answer.response.signature = (await signIn()).answer.response.signature
    const error = await refusal(signedIn, { ...stored, counter: 1_000_000 })
    expect(error).toMatchObject({ code: 'passkey_rejected' })
  })
})

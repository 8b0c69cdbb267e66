import { randomBytes } from 'node:crypto'
import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import type { RegistrationResponseJSON } from '@simplewebauthn/server'
import { describe, expect, it } from 'vitest'
import { rewriteClientData } from '../../test/support/rewriteClientData.ts'
import { ProviderError } from '../errors/ProviderError.ts'
import { passkeyCreationOptions } from './passkeyCreationOptions.ts'
import { verifyNewPasskey } from './verifyNewPasskey.ts'

const relyingParty = { origin: 'https://id.example.com', rpId: 'id.example.com', rpName: 'id' }
const user = { handle: new Uint8Array(randomBytes(32)), name: 'alice' }

/** What `verifyNewPasskey` throws for the answer, which must be a `passkey_rejected` refusal. */
async function refusal(response: RegistrationResponseJSON, challenge: string) {
  const error = await verifyNewPasskey(relyingParty, challenge, response).catch((e) => e)
  expect(error).toBeInstanceOf(ProviderError)
  expect(error).toMatchObject({ code: 'passkey_rejected', statusCode: 400 })
  return error as ProviderError
}

describe('verifyNewPasskey', () => {
  it('returns the new passkey of a correct answer', async () => {
    const options = await passkeyCreationOptions(relyingParty, user)
    const answer = createSoftwareAuthenticator().register(options, { origin: relyingParty.origin })
    const passkey = await verifyNewPasskey(relyingParty, options.challenge, answer)
    expect(passkey).toMatchObject({ id: answer.id, counter: 0, backedUp: false })
  })

  it.each([
    ['the wrong challenge', { challenge: randomBytes(32).toString('base64url') }, /challenge/],
    ['the wrong origin', { origin: 'https://evil.example.com' }, /origin/],
    ['the wrong RP ID', { rpId: 'evil.example.com' }, /RP ID/],
  ])(
    'refuses %s, with the catalogue sentence and the library reason as cause',
    async (_case, forged, reason) => {
      const options = await passkeyCreationOptions(relyingParty, user)
      const answer = createSoftwareAuthenticator().register(options, {
        origin: relyingParty.origin,
        ...forged,
      })
      const error = await refusal(answer, options.challenge)
      expect(error.message).toBe(new ProviderError('passkey_rejected').message)
      expect(error.message).not.toMatch(reason)
      expect((error.cause as Error).message).toMatch(reason)
    },
  )

  it.each([
    ['crossOrigin: true', { crossOrigin: true }],
    ['a topOrigin', { crossOrigin: true, topOrigin: 'https://evil.example.com' }],
  ])('refuses a passkey made in a frame (%s) as passkey_framed', async (_case, framed) => {
    const options = await passkeyCreationOptions(relyingParty, user)
    const answer = createSoftwareAuthenticator().register(options, {
      origin: relyingParty.origin,
      ...framed,
    })
    const error = await verifyNewPasskey(relyingParty, options.challenge, answer).catch((e) => e)
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toMatchObject({ code: 'passkey_framed', statusCode: 400 })
  })

  it.each([
    ['without user verification', { userVerified: false }, /user could not be verified/i],
    ['with impossible backup flags', { backedUp: true }, /backed up/],
  ])('refuses a passkey made %s', async (_case, settings, reason) => {
    const options = await passkeyCreationOptions(relyingParty, user)
    const answer = createSoftwareAuthenticator(settings).register(options, {
      origin: relyingParty.origin,
    })
    const error = await refusal(answer, options.challenge)
    expect((error.cause as Error).message).toMatch(reason)
  })

  // Each SimpleWebAuthn message that a forged answer provokes stays the refusal's cause, for the
  // log: what the person reads is the catalogue's sentence, which names no check and no value.
  it.each([
    [
      /^Unexpected registration response challenge "/,
      (answer: RegistrationResponseJSON) => rewriteClientData(answer, { challenge: 'forged' }),
    ],
    [
      /^Unexpected registration response origin "/,
      (answer: RegistrationResponseJSON) =>
        rewriteClientData(answer, { origin: 'https://evil.example.com' }),
    ],
    [
      /^Unexpected registration response type/,
      (answer: RegistrationResponseJSON) => rewriteClientData(answer, { type: 'webauthn.get' }),
    ],
    [
      /^Credential ID was not base64url-encoded$/,
      (answer: RegistrationResponseJSON) => {
        answer.rawId = randomBytes(16).toString('base64url')
      },
    ],
    [
      /^Missing credential ID$/,
      (answer: RegistrationResponseJSON) => {
        answer.id = ''
      },
    ],
    [
      /^Unexpected credential type/,
      (answer: RegistrationResponseJSON) => {
        answer.type = 'password' as 'public-key'
      },
    ],
  ])('refuses with the catalogue sentence what the library calls %s', async (message, forge) => {
    const creation = await passkeyCreationOptions(relyingParty, user)
    const answer = createSoftwareAuthenticator().register(creation, { origin: relyingParty.origin })
    forge(answer)
    const error = await refusal(answer, creation.challenge)
    expect(error.message).toBe(new ProviderError('passkey_rejected').message)
    expect((error.cause as Error).message).toMatch(message)
  })

  it.each([
    ['attestationObject', 'AAAA'],
    ['clientDataJSON', 'AAAA'],
    ['clientDataJSON', 'e30'],
  ] as const)(
    'refuses a garbage %s (%s), keeping the parser failure as the cause',
    async (field, garbage) => {
      const options = await passkeyCreationOptions(relyingParty, user)
      const answer = createSoftwareAuthenticator().register(options, {
        origin: relyingParty.origin,
      })
      answer.response[field] = garbage
      const error = await refusal(answer, options.challenge)
      expect(error.cause).toBeInstanceOf(Error)
    },
  )
})

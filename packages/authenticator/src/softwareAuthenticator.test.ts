import { createPublicKey } from 'node:crypto'
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialRequestOptionsJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type WebAuthnCredential,
} from '@simplewebauthn/server'
import { describe, expect, it } from 'vitest'
import { createSoftwareAuthenticator, type SoftwareAuthenticator } from './softwareAuthenticator.ts'

const rpID = 'example.com'
const origin = 'https://example.com'
// What the provider names too: left to its default, SimpleWebAuthn probes the runtime for ML-DSA,
// which prints two ExperimentalWarnings on Node 24 and 26.
const ALGORITHMS = [-7, -8, -257]

/** Registers a passkey for `userName` the way a server would, and returns what it would store. */
async function registerPasskey(
  authenticator: SoftwareAuthenticator,
  userName = 'ada',
): Promise<WebAuthnCredential> {
  const options = await generateRegistrationOptions({
    supportedAlgorithmIDs: ALGORITHMS,
    rpName: 'Example',
    rpID,
    userName,
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  })
  const response = authenticator.register(options, { origin })
  const { verified, registrationInfo } = await verifyRegistrationResponse({
    supportedAlgorithmIDs: ALGORITHMS,
    response,
    expectedChallenge: options.challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    requireUserVerification: true,
  })
  if (!verified) throw new Error('registration was not verified')
  return registrationInfo.credential
}

/** Verifies an assertion as the server would, with the stored credential. */
function verifyAssertion(
  response: AuthenticationResponseJSON,
  options: PublicKeyCredentialRequestOptionsJSON,
  credential: WebAuthnCredential,
) {
  return verifyAuthenticationResponse({
    response,
    expectedChallenge: options.challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    credential,
    requireUserVerification: true,
  })
}

/** Runs `action` and returns the error it throws, so tests can check its name. */
function thrownBy(action: () => unknown): unknown {
  try {
    action()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}

describe('createSoftwareAuthenticator: registration', () => {
  it('makes a credential @simplewebauthn/server verifies with user verification required', async () => {
    const authenticator = createSoftwareAuthenticator()
    const options = await generateRegistrationOptions({
      supportedAlgorithmIDs: ALGORITHMS,
      rpName: 'Example',
      rpID,
      userName: 'ada',
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    })
    const response = authenticator.register(options, { origin })

    const { verified, registrationInfo } = await verifyRegistrationResponse({
      supportedAlgorithmIDs: ALGORITHMS,
      response,
      expectedChallenge: options.challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: true,
    })

    expect(verified).toBe(true)
    expect(registrationInfo).toMatchObject({
      fmt: 'none',
      aaguid: '00000000-0000-0000-0000-000000000000',
      userVerified: true,
      credentialDeviceType: 'singleDevice',
      credentialBackedUp: false,
      origin,
      rpID,
      credential: { id: response.id, counter: 0, transports: ['internal'] },
    })
    expect(Buffer.from(response.id, 'base64url')).toHaveLength(32)
    expect(response).toMatchObject({ type: 'public-key', authenticatorAttachment: 'platform' })
    expect(response.response.publicKeyAlgorithm).toBe(-7)
    const spki = createPublicKey({
      key: Buffer.from(response.response.publicKey ?? '', 'base64url'),
      format: 'der',
      type: 'spki',
    })
    expect(spki.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' })
    expect(authenticator.credentials).toEqual([
      { id: response.id, rpId: rpID, userHandle: options.user.id, signCount: 0 },
    ])
  })

  it('writes the configured AAGUID, backup flags and starting counter', async () => {
    const aaguid = Uint8Array.from({ length: 16 }, (_, index) => index)
    const authenticator = createSoftwareAuthenticator({
      aaguid,
      backupEligible: true,
      backedUp: true,
      counterStartsAt: 41,
    })
    const options = await generateRegistrationOptions({
      rpName: 'Example',
      rpID,
      userName: 'ada',
      supportedAlgorithmIDs: ALGORITHMS,
    })
    const { registrationInfo } = await verifyRegistrationResponse({
      supportedAlgorithmIDs: ALGORITHMS,
      response: authenticator.register(options, { origin }),
      expectedChallenge: options.challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
    })

    expect(registrationInfo).toMatchObject({
      aaguid: '00010203-0405-0607-0809-0a0b0c0d0e0f',
      credentialDeviceType: 'multiDevice',
      credentialBackedUp: true,
      credential: { counter: 41 },
    })
  })

  it('produces responses the library rejects for a wrong origin, RP ID or challenge, or without UV', async () => {
    const options = await generateRegistrationOptions({
      rpName: 'Example',
      rpID,
      userName: 'ada',
      supportedAlgorithmIDs: ALGORITHMS,
    })
    const expected = {
      expectedChallenge: options.challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
    }
    const authenticator = createSoftwareAuthenticator()
    const otherChallenge = Buffer.from('not the challenge').toString('base64url')

    await expect(
      verifyRegistrationResponse({
        supportedAlgorithmIDs: ALGORITHMS,
        ...expected,
        response: authenticator.register(options, { origin: 'https://evil.example' }),
      }),
    ).rejects.toThrow(/origin/)
    await expect(
      verifyRegistrationResponse({
        supportedAlgorithmIDs: ALGORITHMS,
        ...expected,
        response: authenticator.register(options, { origin, rpId: 'evil.example' }),
      }),
    ).rejects.toThrow(/RP ID/)
    await expect(
      verifyRegistrationResponse({
        supportedAlgorithmIDs: ALGORITHMS,
        ...expected,
        response: authenticator.register(options, { origin, challenge: otherChallenge }),
      }),
    ).rejects.toThrow(/challenge/)
    const unverified = createSoftwareAuthenticator({ userVerified: false })
    await expect(
      verifyRegistrationResponse({
        supportedAlgorithmIDs: ALGORITHMS,
        ...expected,
        response: unverified.register(options, { origin }),
        requireUserVerification: true,
      }),
    ).rejects.toThrow(/User verification was required/)
  })

  it('refuses options that do not offer ES256', async () => {
    const options = await generateRegistrationOptions({
      rpName: 'Example',
      rpID,
      userName: 'ada',
      supportedAlgorithmIDs: [-8, -257],
    })
    const authenticator = createSoftwareAuthenticator()

    const error = thrownBy(() => authenticator.register(options, { origin }))

    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({ name: 'NotSupportedError' })
    expect(authenticator.credentials).toEqual([])
  })

  it('honours excludeCredentials for the same RP ID only, like a browser', async () => {
    const authenticator = createSoftwareAuthenticator()
    const existing = await registerPasskey(authenticator)
    const options = await generateRegistrationOptions({
      supportedAlgorithmIDs: ALGORITHMS,
      rpName: 'Example',
      rpID,
      userName: 'ada',
      excludeCredentials: [{ id: existing.id }],
    })

    const error = thrownBy(() => authenticator.register(options, { origin }))

    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({ name: 'InvalidStateError' })
    expect(authenticator.credentials).toHaveLength(1)

    // The same credential ID excluded by another RP does not block registration there.
    const elsewhere = await generateRegistrationOptions({
      supportedAlgorithmIDs: ALGORITHMS,
      rpName: 'Other',
      rpID: 'other.example',
      userName: 'ada',
      excludeCredentials: [{ id: existing.id }],
    })
    authenticator.register(elsewhere, { origin: 'https://other.example' })
    expect(authenticator.credentials.map((credential) => credential.rpId)).toEqual([
      rpID,
      'other.example',
    ])
  })

  it('overwrites the credential for the same RP and user, as a discoverable credential is', async () => {
    const authenticator = createSoftwareAuthenticator()
    const options = await generateRegistrationOptions({
      rpName: 'Example',
      rpID,
      userName: 'ada',
      supportedAlgorithmIDs: ALGORITHMS,
    })

    authenticator.register(options, { origin })
    const second = authenticator.register({ ...options, challenge: 'c2Vjb25k' }, { origin })

    expect(authenticator.credentials.map((credential) => credential.id)).toEqual([second.id])
  })
})

describe('createSoftwareAuthenticator: authentication', () => {
  it('signs discoverable assertions the library verifies, with the counter going up', async () => {
    const authenticator = createSoftwareAuthenticator()
    const stored = await registerPasskey(authenticator)
    const userHandle = authenticator.credentials[0]?.userHandle

    const first = await generateAuthenticationOptions({ rpID, userVerification: 'required' })
    const firstResponse = authenticator.authenticate(first, { origin })
    const firstResult = await verifyAssertion(firstResponse, first, stored)

    expect(first.allowCredentials).toBeUndefined()
    expect(firstResponse.id).toBe(stored.id)
    expect(firstResponse.response.userHandle).toBe(userHandle)
    expect(firstResult.verified).toBe(true)
    expect(firstResult.authenticationInfo).toMatchObject({
      newCounter: 1,
      userVerified: true,
      origin,
      rpID,
    })

    const second = await generateAuthenticationOptions({ rpID })
    const secondResult = await verifyAssertion(
      authenticator.authenticate(second, { origin }),
      second,
      {
        ...stored,
        counter: firstResult.authenticationInfo.newCounter,
      },
    )

    expect(secondResult.verified).toBe(true)
    expect(secondResult.authenticationInfo.newCounter).toBe(2)
    expect(authenticator.credentials[0]?.signCount).toBe(2)
  })

  it('counts on from counterStartsAt', async () => {
    const authenticator = createSoftwareAuthenticator({ counterStartsAt: 41 })
    const stored = await registerPasskey(authenticator)
    const options = await generateAuthenticationOptions({ rpID })

    const result = await verifyAssertion(
      authenticator.authenticate(options, { origin }),
      options,
      stored,
    )

    expect(result.authenticationInfo.newCounter).toBe(42)
  })

  it('produces assertions the library rejects for a wrong origin, RP ID or challenge', async () => {
    const authenticator = createSoftwareAuthenticator()
    const stored = await registerPasskey(authenticator)
    const options = await generateAuthenticationOptions({ rpID })
    const otherChallenge = Buffer.from('not the challenge').toString('base64url')

    await expect(
      verifyAssertion(
        authenticator.authenticate(options, { origin: 'https://evil.example' }),
        options,
        stored,
      ),
    ).rejects.toThrow(/origin/)
    await expect(
      verifyAssertion(
        authenticator.authenticate(options, { origin, rpId: 'evil.example' }),
        options,
        stored,
      ),
    ).rejects.toThrow(/RP ID/)
    await expect(
      verifyAssertion(
        authenticator.authenticate(options, { origin, challenge: otherChallenge }),
        options,
        stored,
      ),
    ).rejects.toThrow(/challenge/)
  })

  it('produces a replayed assertion the library rejects once it stored a higher counter', async () => {
    const authenticator = createSoftwareAuthenticator()
    const stored = await registerPasskey(authenticator)
    const options = await generateAuthenticationOptions({ rpID })
    const stale = authenticator.authenticate(options, { origin })
    const fresh = authenticator.authenticate(options, { origin })

    const { authenticationInfo } = await verifyAssertion(fresh, options, stored)
    expect(authenticationInfo.newCounter).toBe(2)

    await expect(
      verifyAssertion(stale, options, { ...stored, counter: authenticationInfo.newCounter }),
    ).rejects.toThrow(/counter/)
  })

  it('produces an assertion the library rejects without user verification when it is required', async () => {
    const authenticator = createSoftwareAuthenticator({ userVerified: false })
    const options = await generateRegistrationOptions({
      rpName: 'Example',
      rpID,
      userName: 'ada',
      supportedAlgorithmIDs: ALGORITHMS,
    })
    const { registrationInfo } = await verifyRegistrationResponse({
      supportedAlgorithmIDs: ALGORITHMS,
      response: authenticator.register(options, { origin }),
      expectedChallenge: options.challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: false,
    })
    if (registrationInfo === undefined) throw new Error('registration was not verified')
    const request = await generateAuthenticationOptions({ rpID, userVerification: 'required' })

    await expect(
      verifyAssertion(
        authenticator.authenticate(request, { origin }),
        request,
        registrationInfo.credential,
      ),
    ).rejects.toThrow(/User verification required/)
  })

  it('uses only allowCredentials when given, and the newest credential otherwise', async () => {
    const authenticator = createSoftwareAuthenticator()
    const older = await registerPasskey(authenticator, 'ada')
    const newer = await registerPasskey(authenticator, 'grace')

    const discoverable = await generateAuthenticationOptions({ rpID })
    expect(authenticator.authenticate(discoverable, { origin }).id).toBe(newer.id)

    const allowOlder = await generateAuthenticationOptions({
      rpID,
      allowCredentials: [{ id: older.id }],
    })
    const response = authenticator.authenticate(allowOlder, { origin })
    expect(response.id).toBe(older.id)
    expect((await verifyAssertion(response, allowOlder, older)).verified).toBe(true)

    const unknown = Buffer.alloc(32, 7).toString('base64url')
    const allowUnknown = await generateAuthenticationOptions({
      rpID,
      allowCredentials: [{ id: unknown }],
    })
    expect(thrownBy(() => authenticator.authenticate(allowUnknown, { origin }))).toMatchObject({
      name: 'NotAllowedError',
    })
  })

  it('refuses with NotAllowedError when it holds no credential for the RP ID', async () => {
    const authenticator = createSoftwareAuthenticator()
    await registerPasskey(authenticator)
    const options = await generateAuthenticationOptions({ rpID: 'other.example' })

    const error = thrownBy(() =>
      authenticator.authenticate(options, { origin: 'https://other.example' }),
    )

    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({ name: 'NotAllowedError' })
  })

  it('signs with ceremony.credentialId whatever allowCredentials says', async () => {
    const authenticator = createSoftwareAuthenticator()
    const older = await registerPasskey(authenticator, 'ada')
    const newer = await registerPasskey(authenticator, 'grace')
    const options = await generateAuthenticationOptions({
      rpID,
      allowCredentials: [{ id: newer.id }],
    })

    expect(authenticator.authenticate(options, { origin, credentialId: older.id }).id).toBe(
      older.id,
    )
    expect(
      thrownBy(() =>
        authenticator.authenticate(options, {
          origin,
          credentialId: Buffer.alloc(32).toString('base64url'),
        }),
      ),
    ).toMatchObject({ name: 'NotAllowedError' })
  })

  it('lets a second authenticator stand in for a credential the server does not know', async () => {
    const stored = await registerPasskey(createSoftwareAuthenticator())
    const stranger = createSoftwareAuthenticator()
    await registerPasskey(stranger)
    const options = await generateAuthenticationOptions({ rpID })

    const response = stranger.authenticate(options, { origin })
    expect(response.id).not.toBe(stored.id)

    // Checked against the key the server holds, the stranger's signature does not verify.
    expect((await verifyAssertion(response, options, stored)).verified).toBe(false)
  })
})

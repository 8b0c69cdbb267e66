import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto'
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialDescriptorJSON,
  PublicKeyCredentialParameters,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server'
import { type CBORMap, encodeCBOR } from './cbor.ts'

/** How a software authenticator behaves; every field is optional. */
export interface SoftwareAuthenticatorOptions {
  /** Sets the UV flag (default `true`), as if the user gave a PIN or biometric. */
  userVerified?: boolean
  /** Sets the BE flag (default `false`): the credential may be synced, as a passkey can be. */
  backupEligible?: boolean
  /** Sets the BS flag (default `false`). Setting it without `backupEligible` is invalid, which a server must refuse. */
  backedUp?: boolean
  /** The 16-byte AAGUID written at registration (default all zeros, as with attestation 'none'). */
  aaguid?: Uint8Array
  /** The signature counter of each new credential (default 0); each assertion adds one first. */
  counterStartsAt?: number
}

/** The browser's part of a registration: what it would know and the test may falsify. */
export interface RegistrationCeremony {
  /** The page's origin, written into clientDataJSON. */
  origin: string
  /** The RP ID hashed into authenticator data (default `options.rp.id`, else the origin's host). */
  rpId?: string
  /** The challenge written into clientDataJSON (default `options.challenge`). */
  challenge?: string
  /** clientDataJSON.crossOrigin (default `false`). */
  crossOrigin?: boolean
  /** clientDataJSON.topOrigin, the top page's origin when framed (default absent). */
  topOrigin?: string
}

/** The browser's part of an authentication: what it would know and the test may falsify. */
export interface AuthenticationCeremony {
  /** The page's origin, written into clientDataJSON. */
  origin: string
  /** The RP ID hashed into authenticator data (default `options.rpId`, else the origin's host). */
  rpId?: string
  /** The challenge written into clientDataJSON (default `options.challenge`). */
  challenge?: string
  /** clientDataJSON.crossOrigin (default `false`). */
  crossOrigin?: boolean
  /** clientDataJSON.topOrigin, the top page's origin when framed (default absent). */
  topOrigin?: string
  /**
   * Signs with this credential (base64url ID) whatever `allowCredentials` and the RP ID say, for
   * negative tests. It must be one this authenticator holds; for a credential the server does not
   * know, register one with a second authenticator.
   */
  credentialId?: string
}

/** What a software authenticator shows of a credential it holds (never the private key). */
export interface SoftwareCredential {
  /** Credential ID, base64url. */
  id: string
  /** The RP ID the credential is scoped to. */
  rpId: string
  /** The user handle (`options.user.id`), base64url. */
  userHandle: string
  /** The signature counter as of the last registration or assertion. */
  signCount: number
}

/** A WebAuthn authenticator in memory, with the browser steps around it, for tests without a browser. */
export interface SoftwareAuthenticator {
  /**
   * Creates a discoverable ES256 credential, like `navigator.credentials.create()` with attestation
   * 'none'. Throws a `NotSupportedError` if the options do not offer ES256 (-7) and an
   * `InvalidStateError` if it already holds one of `excludeCredentials` for the RP ID.
   */
  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    ceremony: RegistrationCeremony,
  ): RegistrationResponseJSON
  /**
   * Signs an assertion with a stored credential, like `navigator.credentials.get()`. Without
   * `allowCredentials` it picks the most recent discoverable credential for the RP ID, as a passkey
   * does. Throws a `NotAllowedError` when no credential qualifies.
   */
  authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    ceremony: AuthenticationCeremony,
  ): AuthenticationResponseJSON
  /** The credentials it holds, oldest first; a fresh snapshot on every read. */
  readonly credentials: ReadonlyArray<SoftwareCredential>
}

/** A credential as held inside the authenticator. */
interface StoredCredential extends SoftwareCredential {
  privateKey: KeyObject
}

/** COSE algorithm identifier of ECDSA with P-256 and SHA-256, the only kind of key made here. */
const ES256 = -7

// Authenticator data flags, https://www.w3.org/TR/webauthn-3/#authdata-flags
const FLAG_UP = 0x01
const FLAG_UV = 0x04
const FLAG_BE = 0x08
const FLAG_BS = 0x10
const FLAG_AT = 0x40

/**
 * Creates an empty software authenticator: an in-memory platform authenticator that makes
 * discoverable ES256 credentials with attestation 'none' and answers the way a browser would, so
 * that server code can be tested against real WebAuthn bytes without a browser.
 *
 * Credentials are scoped to the RP ID a browser would use (`rp.id` / `rpId`, else the origin's
 * host). `ceremony.rpId`, `ceremony.origin` and `ceremony.challenge` only change what goes into the
 * signed data, so a test can forge wrong-RP-ID, wrong-origin and wrong-challenge responses with a
 * credential the server knows.
 */
export function createSoftwareAuthenticator(
  options: SoftwareAuthenticatorOptions = {},
): SoftwareAuthenticator {
  const aaguid = options.aaguid ?? new Uint8Array(16)
  if (aaguid.byteLength !== 16) {
    throw new RangeError(`An AAGUID is 16 bytes, not ${aaguid.byteLength}`)
  }
  const counterStartsAt = options.counterStartsAt ?? 0
  // The counter is a big-endian uint32 in authenticator data.
  if (!Number.isInteger(counterStartsAt) || counterStartsAt < 0 || counterStartsAt > 0xffff_ffff) {
    throw new RangeError(
      `counterStartsAt must be an integer from 0 to 2^32 - 1, not ${counterStartsAt}`,
    )
  }
  const flags = flagsFor(options)
  const held: StoredCredential[] = []

  return {
    register(creationOptions, ceremony) {
      if (!offersES256(creationOptions.pubKeyCredParams)) {
        throw webAuthnError(
          'NotSupportedError',
          'None of pubKeyCredParams is ES256 (-7), the only algorithm supported',
        )
      }
      const scope = creationOptions.rp.id ?? hostOf(ceremony.origin)
      const excluded = idsOf(creationOptions.excludeCredentials)
      if (held.some((credential) => credential.rpId === scope && excluded.has(credential.id))) {
        throw webAuthnError(
          'InvalidStateError',
          `The authenticator already holds an excluded credential for ${scope}`,
        )
      }

      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      const credentialId = randomBytes(32)
      const credential: StoredCredential = {
        id: credentialId.toString('base64url'),
        rpId: scope,
        userHandle: creationOptions.user.id,
        signCount: counterStartsAt,
        privateKey,
      }
      // A discoverable credential overwrites one for the same RP and user (CTAP2
      // authenticatorMakeCredential), so "the most recent credential" stays well defined.
      const replaced = held.findIndex(
        (other) => other.rpId === scope && other.userHandle === credential.userHandle,
      )
      if (replaced !== -1) held.splice(replaced, 1)
      held.push(credential)

      const authData = authenticatorData(
        ceremony.rpId ?? scope,
        flags | FLAG_AT,
        credential.signCount,
        attestedCredentialData(aaguid, credentialId, coseES256Key(publicKey)),
      )
      const attestationObject = encodeCBOR(
        new Map<string, Uint8Array | string | CBORMap>([
          ['fmt', 'none'],
          ['attStmt', new Map()],
          ['authData', authData],
        ]),
      )
      const clientData = clientDataJSON(
        'webauthn.create',
        ceremony.challenge ?? creationOptions.challenge,
        ceremony.origin,
        ceremony,
      )
      return {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key',
        response: {
          clientDataJSON: base64url(clientData),
          attestationObject: base64url(attestationObject),
          transports: ['internal'],
          publicKeyAlgorithm: ES256,
          publicKey: base64url(publicKey.export({ type: 'spki', format: 'der' })),
          authenticatorData: base64url(authData),
        },
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
      }
    },

    authenticate(requestOptions, ceremony) {
      const scope = requestOptions.rpId ?? hostOf(ceremony.origin)
      const credential = chooseCredential(
        held,
        scope,
        requestOptions.allowCredentials,
        ceremony.credentialId,
      )
      credential.signCount += 1

      const authData = authenticatorData(ceremony.rpId ?? scope, flags, credential.signCount)
      const clientData = clientDataJSON(
        'webauthn.get',
        ceremony.challenge ?? requestOptions.challenge,
        ceremony.origin,
        ceremony,
      )
      // Node signs EC keys as DER by default, which is what WebAuthn expects for ES256.
      const signature = sign(
        'sha256',
        Buffer.concat([authData, sha256(clientData)]),
        credential.privateKey,
      )
      return {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key',
        response: {
          clientDataJSON: base64url(clientData),
          authenticatorData: base64url(authData),
          signature: base64url(signature),
          userHandle: credential.userHandle,
        },
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
      }
    },

    get credentials() {
      return held.map(({ id, rpId, userHandle, signCount }) => ({
        id,
        rpId,
        userHandle,
        signCount,
      }))
    },
  }
}

/** The flags every response carries: UP always (the test is the user), the rest as configured. */
function flagsFor(options: SoftwareAuthenticatorOptions): number {
  let flags = FLAG_UP
  if (options.userVerified ?? true) flags |= FLAG_UV
  if (options.backupEligible) flags |= FLAG_BE
  if (options.backedUp) flags |= FLAG_BS
  return flags
}

/** Whether the RP accepts ES256; an empty list means the spec's default, which includes it. */
function offersES256(params: PublicKeyCredentialParameters[]): boolean {
  return (
    params.length === 0 ||
    params.some((param) => param.type === 'public-key' && param.alg === ES256)
  )
}

/** The credential a browser would use, or a `NotAllowedError` where it would find none. */
function chooseCredential(
  held: StoredCredential[],
  rpId: string,
  allowCredentials: PublicKeyCredentialDescriptorJSON[] | undefined,
  forcedId: string | undefined,
): StoredCredential {
  if (forcedId !== undefined) {
    const forced = held.find((credential) => credential.id === forcedId)
    if (forced === undefined) {
      throw webAuthnError('NotAllowedError', `The authenticator holds no credential ${forcedId}`)
    }
    return forced
  }
  const allowed = idsOf(allowCredentials)
  const candidates = held.filter(
    (credential) => credential.rpId === rpId && (allowed.size === 0 || allowed.has(credential.id)),
  )
  // Held credentials are oldest first; a passkey picker would offer the newest on top.
  const chosen = candidates.at(-1)
  if (chosen === undefined) {
    throw webAuthnError('NotAllowedError', `No credential is available for ${rpId}`)
  }
  return chosen
}

function idsOf(descriptors: PublicKeyCredentialDescriptorJSON[] | undefined): Set<string> {
  return new Set((descriptors ?? []).map((descriptor) => descriptor.id))
}

/** The RP ID a browser defaults to: the origin's effective domain. */
function hostOf(origin: string): string {
  return new URL(origin).hostname
}

/** The JSON-serialized client data; the members come in the order browsers write them. */
function clientDataJSON(
  type: string,
  challenge: string,
  origin: string,
  { crossOrigin = false, topOrigin }: { crossOrigin?: boolean; topOrigin?: string },
): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin, topOrigin }), 'utf8')
}

/** Authenticator data: rpIdHash, flags, counter and, at registration, attested credential data. */
function authenticatorData(
  rpId: string,
  flags: number,
  signCount: number,
  attestedCredential: Uint8Array = new Uint8Array(),
): Buffer {
  const flagsAndCounter = Buffer.alloc(5)
  flagsAndCounter[0] = flags
  flagsAndCounter.writeUInt32BE(signCount, 1)
  return Buffer.concat([sha256(Buffer.from(rpId, 'utf8')), flagsAndCounter, attestedCredential])
}

/** AAGUID, credential ID length (uint16) and ID, then the COSE public key. */
function attestedCredentialData(
  aaguid: Uint8Array,
  credentialId: Uint8Array,
  coseKey: CBORMap,
): Buffer {
  const idLength = Buffer.alloc(2)
  idLength.writeUInt16BE(credentialId.byteLength)
  return Buffer.concat([aaguid, idLength, credentialId, encodeCBOR(coseKey)])
}

/** The public key as a COSE EC2 key, labels in CTAP2 canonical order (1, 3, -1, -2, -3). */
function coseES256Key(publicKey: KeyObject): CBORMap {
  const { x, y } = publicKey.export({ format: 'jwk' })
  if (x === undefined || y === undefined) throw new Error('The EC public key has no coordinates')
  return new Map<number, number | Uint8Array>([
    [1, 2], // kty: EC2
    [3, ES256], // alg
    [-1, 1], // crv: P-256
    [-2, Buffer.from(x, 'base64url')],
    [-3, Buffer.from(y, 'base64url')],
  ])
}

/** The error a browser would reject with: a DOMException, which is an `Error` in Node 20. */
function webAuthnError(
  name: 'InvalidStateError' | 'NotAllowedError' | 'NotSupportedError',
  message: string,
): Error {
  return new DOMException(message, name)
}

function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest()
}

function base64url(data: Uint8Array): string {
  return Buffer.from(data).toString('base64url')
}

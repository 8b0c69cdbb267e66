/**
 * JSON Schemas for what the sign-in page's script sends. They bound every string, so a malformed or
 * oversized answer is refused with 400 before any WebAuthn parsing.
 */
const base64url = (maxLength: number) =>
  ({ type: 'string', pattern: '^[A-Za-z0-9_-]*$', minLength: 1, maxLength }) as const

const credentialEnvelope = {
  id: base64url(1400),
  rawId: base64url(1400),
  type: { const: 'public-key' },
  clientExtensionResults: { type: 'object', maxProperties: 20 },
  authenticatorAttachment: { type: 'string', maxLength: 32 },
} as const

/** The sign-up form: a username and an optional email. Checked further by `validateSignUp`. */
export const signUpFormSchema = {
  type: 'object',
  properties: {
    username: { type: 'string', maxLength: 200 },
    email: { type: ['string', 'null'], maxLength: 400 },
  },
  additionalProperties: false,
} as const

/** `RegistrationResponseJSON` from `startRegistration`. */
export const registrationResponseSchema = {
  type: 'object',
  required: ['id', 'rawId', 'type', 'response'],
  properties: {
    ...credentialEnvelope,
    response: {
      type: 'object',
      required: ['clientDataJSON', 'attestationObject'],
      properties: {
        clientDataJSON: base64url(4096),
        attestationObject: base64url(8192),
        authenticatorData: base64url(4096),
        publicKey: base64url(2048),
        publicKeyAlgorithm: { type: 'integer' },
        transports: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 32 } },
      },
    },
  },
} as const

/** `AuthenticationResponseJSON` from `startAuthentication`. */
export const authenticationResponseSchema = {
  type: 'object',
  required: ['id', 'rawId', 'type', 'response'],
  properties: {
    ...credentialEnvelope,
    response: {
      type: 'object',
      required: ['clientDataJSON', 'authenticatorData', 'signature'],
      properties: {
        clientDataJSON: base64url(4096),
        authenticatorData: base64url(4096),
        signature: base64url(1024),
        userHandle: base64url(128),
      },
    },
  },
} as const

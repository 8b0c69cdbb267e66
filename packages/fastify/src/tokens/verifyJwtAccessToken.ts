import { errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose'
import { IssuerUnavailableError } from './IssuerUnavailableError.ts'

/** Why a JWT was refused; `refuse.ts` holds the sentence an app reads for each. */
export type JwtProblem =
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_audience'
  | 'wrong_issuer'
  | 'bad_claim'
  | 'malformed'
  | 'id_token'
  | 'no_subject'

/** What local verification of a JWT access token concluded. */
export type JwtCheck =
  | { kind: 'valid'; sub: string; scopes: string[]; expiresAt: Date | undefined }
  | { kind: 'invalid'; problem: JwtProblem }
  /** Not signed by a key of the issuer's JWKS with an allowed algorithm: ask the issuer instead. */
  | { kind: 'unverifiable' }

/** What a JWT access token must satisfy besides its signature. */
export interface JwtRules {
  /** The `iss` it must carry: the issuer as its discovery document names itself. */
  issuer: string
  /** The `aud` it must carry. */
  audience: string
  /** Seconds of clock skew tolerated on `exp` and `nbf`. */
  clockToleranceSeconds: number
}

/** Asymmetric algorithms only: never `none`, never HMAC (an HS256 "signature" made with a public key). */
const ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]

/** jose's errors that mean "these keys cannot verify this token", as opposed to "it is bad". */
const UNVERIFIABLE = new Set([
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JWS_INVALID',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
])

/**
 * Verifies a JWT access token with the issuer's published keys (`keys`, which fetches them): an
 * asymmetric algorithm, `iss`, `aud`, `exp` and `nbf` with `clockToleranceSeconds` of skew, and a
 * subject. ID tokens are refused: they are signed by the same keys for the same audience, but prove
 * a sign-in to the app, not access to the API. Throws `IssuerUnavailableError` when the keys cannot
 * be fetched.
 */
export async function verifyJwtAccessToken(
  token: string,
  keys: JWTVerifyGetKey,
  rules: JwtRules,
): Promise<JwtCheck> {
  let payload: JWTPayload
  let typ: string | undefined
  try {
    const verified = await jwtVerify(token, keys, {
      issuer: rules.issuer,
      audience: rules.audience,
      algorithms: ALGORITHMS,
      clockTolerance: rules.clockToleranceSeconds,
    })
    payload = verified.payload
    typ = verified.protectedHeader.typ
  } catch (error) {
    const code = (error as { code?: string }).code ?? ''
    if (UNVERIFIABLE.has(code)) return { kind: 'unverifiable' }
    // Other ERR_JWKS_ codes (a timeout, a malformed key set) and anything not from jose are the
    // provider failing to serve its keys, not the token being bad.
    if (error instanceof errors.JOSEError && !code.startsWith('ERR_JWKS_'))
      return { kind: 'invalid', problem: problemOf(error) }
    throw new IssuerUnavailableError(rules.issuer, error)
  }
  const scope =
    typeof payload.scope === 'string'
      ? payload.scope
      : Array.isArray(payload.scp)
        ? payload.scp.join(' ')
        : undefined
  const accessTokenType =
    typ?.toLowerCase() === 'at+jwt' || typ?.toLowerCase() === 'application/at+jwt'
  if (!accessTokenType && (payload.nonce !== undefined || scope === undefined))
    return { kind: 'invalid', problem: 'id_token' }
  if (typeof payload.sub !== 'string') return { kind: 'invalid', problem: 'no_subject' }
  return {
    kind: 'valid',
    sub: payload.sub,
    scopes: (scope ?? '').split(' ').filter(Boolean),
    expiresAt: payload.exp === undefined ? undefined : new Date(payload.exp * 1000),
  }
}

/** Our name for what jose found wrong with a token (its messages never reach an app). */
function problemOf(error: errors.JOSEError): JwtProblem {
  if (error instanceof errors.JWTExpired) return 'expired'
  if (!(error instanceof errors.JWTClaimValidationFailed)) return 'malformed'
  if (error.claim === 'iss') return 'wrong_issuer'
  if (error.claim === 'aud') return 'wrong_audience'
  if (error.claim === 'nbf' && error.reason === 'check_failed') return 'not_yet_valid'
  return 'bad_claim'
}

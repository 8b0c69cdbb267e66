import { createRemoteJWKSet, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose'
import * as oidc from 'openid-client'

/** The provider could not be reached or answered nonsense: the API cannot check tokens right now. */
export class IssuerUnavailableError extends Error {
  override name = 'IssuerUnavailableError'
}

/** What the issuer says about an access token. */
export type TokenCheck =
  | { active: false }
  | { active: true; sub: string; scopes: string[]; expiresAt: Date | undefined }

/** The issuer as discovery describes it. */
interface Discovered {
  configuration: oidc.Configuration
  metadata: oidc.ServerMetadata
}

/** What local verification of a JWT access token concluded. */
export type JwtCheck =
  | { kind: 'valid'; sub: string; scopes: string[]; expiresAt: Date | undefined }
  | { kind: 'invalid'; reason: string }
  /** Not signed by a key of the issuer's JWKS with an allowed algorithm: ask the issuer instead. */
  | { kind: 'unverifiable' }

/** Asymmetric algorithms only: never `none`, never HMAC (an HS256 "signature" made with a public key). */
const JWT_ALGORITHMS = [
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
 * Talks to the OpenID provider for the API: discovery (fetched on first use, retried after a
 * failure, so an API starts even while its provider is down), token checks and userinfo.
 * Every call has a timeout, so a provider that hangs costs the caller seconds, not forever.
 */
export class IssuerClient {
  private discovered: Promise<Discovered> | undefined
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined

  constructor(
    private readonly issuer: string,
    private readonly clientId: string,
    private readonly timeoutSeconds: number,
  ) {}

  /** Asks the issuer whether `token` is active: introspection (RFC 7662) where offered, else userinfo. */
  async check(token: string): Promise<TokenCheck> {
    const { configuration, metadata } = await this.discover()
    const rejected = (error: unknown): undefined => {
      if (isTokenRejection(error)) return undefined
      throw error
    }
    if (metadata.introspection_endpoint === undefined) {
      const userinfo = await this.userinfo(token).catch(rejected)
      return userinfo === undefined
        ? { active: false }
        : { active: true, sub: String(userinfo.sub), scopes: [], expiresAt: undefined }
    }
    const introspection = await this.call(() =>
      oidc.tokenIntrospection(configuration, token),
    ).catch(rejected)
    if (introspection?.active !== true || typeof introspection.sub !== 'string')
      return { active: false }
    return {
      active: true,
      sub: introspection.sub,
      scopes:
        typeof introspection.scope === 'string'
          ? introspection.scope.split(' ').filter(Boolean)
          : [],
      expiresAt:
        typeof introspection.exp === 'number' ? new Date(introspection.exp * 1000) : undefined,
    }
  }

  /**
   * Verifies a JWT access token with the issuer's published keys, without a round trip once the keys
   * are fetched (jose refetches them when a token names an unknown `kid`). `iss`, `aud`, `exp` and
   * `nbf` are checked with `clockToleranceSeconds` of skew. ID tokens are refused: they are signed by
   * the same keys for the same audience, but prove a sign-in to the app, not access to the API.
   */
  async verifyJwt(
    token: string,
    audience: string,
    clockToleranceSeconds: number,
  ): Promise<JwtCheck> {
    const { metadata } = await this.discover()
    if (metadata.jwks_uri === undefined) return { kind: 'unverifiable' }
    this.jwks ??= createRemoteJWKSet(new URL(metadata.jwks_uri), {
      timeoutDuration: this.timeoutSeconds * 1000,
    })
    let payload: JWTPayload
    let typ: string | undefined
    try {
      const verified = await jwtVerify(token, this.jwks, {
        issuer: metadata.issuer,
        audience,
        algorithms: JWT_ALGORITHMS,
        clockTolerance: clockToleranceSeconds,
      })
      payload = verified.payload
      typ = verified.protectedHeader.typ
    } catch (error) {
      const code = (error as { code?: string }).code ?? ''
      if (UNVERIFIABLE.has(code)) return { kind: 'unverifiable' }
      if (error instanceof joseErrors.JOSEError && !code.startsWith('ERR_JWKS_')) {
        return { kind: 'invalid', reason: error.message }
      }
      throw this.unavailable(error)
    }
    const scope =
      typeof payload.scope === 'string'
        ? payload.scope
        : Array.isArray(payload.scp)
          ? payload.scp.join(' ')
          : undefined
    const accessTokenType =
      typ?.toLowerCase() === 'at+jwt' || typ?.toLowerCase() === 'application/at+jwt'
    if (!accessTokenType && (payload.nonce !== undefined || scope === undefined)) {
      return { kind: 'invalid', reason: 'an ID token is not an access token' }
    }
    if (typeof payload.sub !== 'string')
      return { kind: 'invalid', reason: 'the token names no subject' }
    return {
      kind: 'valid',
      sub: payload.sub,
      scopes: (scope ?? '').split(' ').filter(Boolean),
      expiresAt: payload.exp === undefined ? undefined : new Date(payload.exp * 1000),
    }
  }

  /** The profile the issuer releases for `token` (and the scopes it was granted). */
  async userinfo(token: string, expectedSubject?: string): Promise<Record<string, unknown>> {
    const { configuration } = await this.discover()
    return this.call(() =>
      oidc.fetchUserInfo(configuration, token, expectedSubject ?? oidc.skipSubjectCheck),
    )
  }

  /**
   * The issuer's configuration and metadata, discovered once. The metadata is read once too:
   * openid-client's `serverMetadata()` copies it on every call, which shows on the per-token path.
   */
  private discover(): Promise<Discovered> {
    this.discovered ??= this.call(() =>
      oidc.discovery(new URL(this.issuer), this.clientId, undefined, oidc.None(), {
        timeout: this.timeoutSeconds,
        execute: new URL(this.issuer).protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
      }),
    ).then(
      (configuration) => ({ configuration, metadata: configuration.serverMetadata() }),
      (error: unknown) => {
        this.discovered = undefined
        throw error
      },
    )
    return this.discovered
  }

  /** Runs an outbound call, turning network failures and server errors into `IssuerUnavailableError`. */
  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request()
    } catch (error) {
      if (isTokenRejection(error)) throw error
      throw this.unavailable(error)
    }
  }

  private unavailable(error: unknown): IssuerUnavailableError {
    const reason =
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error)
    return new IssuerUnavailableError(
      `the sign-in provider ${this.issuer} cannot be reached or gave an unusable answer (${reason})`,
      { cause: error },
    )
  }
}

/**
 * Whether the issuer refused the token itself (a 401 from userinfo, or a 4xx OAuth error such as
 * `unsupported_token_type` for a JWT it does not introspect), as opposed to failing. `invalid_client`
 * is not about the token but about this API's client_id, so it counts as a failure to report.
 */
function isTokenRejection(error: unknown): boolean {
  if (error instanceof oidc.WWWAuthenticateChallengeError) return true
  return (
    error instanceof oidc.ResponseBodyError &&
    error.status >= 400 &&
    error.status < 500 &&
    error.error !== 'invalid_client'
  )
}

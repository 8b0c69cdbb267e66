import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose'
import * as oidc from 'openid-client'
import { IssuerUnavailableError } from './IssuerUnavailableError.ts'

/** What the issuer says about an access token. */
export type TokenCheck =
  | { active: false }
  | { active: true; sub: string; scopes: string[]; expiresAt: Date | undefined }

/** The issuer's signing keys, and the issuer name that tokens they sign must carry in `iss`. */
export interface SigningKeys {
  issuer: string
  keys: JWTVerifyGetKey
}

/** The issuer as discovery describes it. */
interface Discovered {
  configuration: oidc.Configuration
  metadata: oidc.ServerMetadata
}

/**
 * Talks to the OpenID provider for the API: discovery (fetched on first use, retried after a
 * failure, so an API starts even while its provider is down), token checks, userinfo and the
 * signing keys. It only talks HTTP: what makes a JWT acceptable is `verifyJwtAccessToken`'s business.
 * Every call has a timeout, so a provider that hangs costs the caller seconds, not forever.
 */
export class IssuerClient {
  private discovered: Promise<Discovered> | undefined
  private keys: SigningKeys | undefined
  private readonly issuer: string
  private readonly clientId: string
  private readonly timeoutSeconds: number

  constructor(issuer: string, clientId: string, timeoutSeconds: number) {
    this.issuer = issuer
    this.clientId = clientId
    this.timeoutSeconds = timeoutSeconds
  }

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
   * The issuer's published keys (its JWKS), fetched on first use; jose fetches them again when a token
   * names an unknown `kid`, at most every 30 s. Undefined when the issuer publishes none.
   */
  async signingKeys(): Promise<SigningKeys | undefined> {
    const { metadata } = await this.discover()
    if (metadata.jwks_uri === undefined) return undefined
    this.keys ??= {
      issuer: metadata.issuer,
      keys: createRemoteJWKSet(new URL(metadata.jwks_uri), {
        timeoutDuration: this.timeoutSeconds * 1000,
      }),
    }
    return this.keys
  }

  /**
   * Asks the issuer afresh whether it answers: its discovery (fetched once, or again after a failure)
   * and its published keys, fetched now. Throws `IssuerUnavailableError` when it does not, within
   * the timeout. The readiness probe (`/readyz`) calls it, so an API is taken out of service while
   * it cannot check tokens.
   */
  async reachable(): Promise<void> {
    const { metadata } = await this.discover()
    if (metadata.jwks_uri === undefined) return
    const jwksUri = metadata.jwks_uri
    await this.call(async () => {
      const response = await fetch(jwksUri, {
        signal: AbortSignal.timeout(this.timeoutSeconds * 1000),
      })
      await response.body?.cancel()
      if (!response.ok) throw new Error(`${jwksUri} answered ${response.status}`)
    })
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
      throw new IssuerUnavailableError(this.issuer, error)
    }
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

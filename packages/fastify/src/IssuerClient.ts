import * as oidc from 'openid-client'

/** The provider could not be reached or answered nonsense: the API cannot check tokens right now. */
export class IssuerUnavailableError extends Error {
  override name = 'IssuerUnavailableError'
}

/** What the issuer says about an access token. */
export type TokenCheck =
  | { active: false }
  | { active: true; sub: string; scopes: string[]; expiresAt: Date | undefined }

/**
 * Talks to the OpenID provider for the API: discovery (fetched on first use, retried after a
 * failure, so an API starts even while its provider is down), token checks and userinfo.
 * Every call has a timeout, so a provider that hangs costs the caller seconds, not forever.
 */
export class IssuerClient {
  private configuration: Promise<oidc.Configuration> | undefined

  constructor(
    private readonly issuer: string,
    private readonly clientId: string,
    private readonly timeoutSeconds: number,
  ) {}

  /** Asks the issuer whether `token` is active: introspection (RFC 7662) where offered, else userinfo. */
  async check(token: string): Promise<TokenCheck> {
    const configuration = await this.discover()
    const rejected = (error: unknown): undefined => {
      if (isTokenRejection(error)) return undefined
      throw error
    }
    if (configuration.serverMetadata().introspection_endpoint === undefined) {
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

  /** The profile the issuer releases for `token` (and the scopes it was granted). */
  async userinfo(token: string, expectedSubject?: string): Promise<Record<string, unknown>> {
    const configuration = await this.discover()
    return this.call(() =>
      oidc.fetchUserInfo(configuration, token, expectedSubject ?? oidc.skipSubjectCheck),
    )
  }

  private discover(): Promise<oidc.Configuration> {
    this.configuration ??= this.call(() =>
      oidc.discovery(new URL(this.issuer), this.clientId, undefined, oidc.None(), {
        timeout: this.timeoutSeconds,
        execute: new URL(this.issuer).protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
      }),
    ).catch((error: unknown) => {
      this.configuration = undefined
      throw error
    })
    return this.configuration
  }

  /** Runs an outbound call, turning network failures and server errors into `IssuerUnavailableError`. */
  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request()
    } catch (error) {
      if (isTokenRejection(error)) throw error
      const reason =
        error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error)
      throw new IssuerUnavailableError(
        `the sign-in provider ${this.issuer} cannot be reached or gave an unusable answer (${reason})`,
        {
          cause: error,
        },
      )
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

import type { IssuerClient } from './IssuerClient.ts'
import { LruCache } from './LruCache.ts'
import { type JwtProblem, verifyJwtAccessToken } from './verifyJwtAccessToken.ts'

/** A token the issuer vouches for, with what the API needs to know about it. */
export interface VerifiedToken {
  sub: string
  scopes: string[]
  expiresAt: Date | undefined
  /** The profile from the issuer's userinfo endpoint, fetched once per token and cached with it. */
  userinfo(): Promise<Record<string, unknown>>
}

/** Why a token was refused: a JWT rule it breaks, or `inactive` when the issuer does not vouch for it. */
export type TokenProblem = JwtProblem | 'inactive'

/** The verdict on a bearer token: valid, or refused for a problem that the refusal names. */
export type Verdict =
  | { valid: true; token: VerifiedToken }
  | { valid: false; problem: TokenProblem }

/** How tokens are verified and how long a verdict is trusted. */
export interface TokenVerifierOptions {
  /** The `aud` a JWT access token must carry. */
  audience: string
  /** Seconds of clock skew tolerated on `exp` and `nbf`. */
  clockToleranceSeconds: number
  /**
   * At most how long a token the issuer confirmed (introspection or userinfo) is trusted without
   * asking again: a token revoked at the issuer stops working within this many seconds.
   */
  revalidateAfterSeconds: number
  /** How many verified tokens are remembered (least recently used go first). */
  cacheSize: number
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

/**
 * Verifies bearer tokens as cheaply as correctness allows: a verdict is cached until shortly before
 * the token expires (bounded by `revalidateAfterSeconds` where the issuer could revoke it), requests
 * that arrive together with one new token share one verification, and a JWT the issuer's keys can
 * verify never leaves the process. Everything else is checked by the issuer.
 */
export class TokenVerifier {
  private readonly verified: LruCache<string, VerifiedToken>
  private readonly pending = new Map<string, Promise<Verdict>>()
  private readonly issuer: IssuerClient
  private readonly options: TokenVerifierOptions

  constructor(issuer: IssuerClient, options: TokenVerifierOptions) {
    this.issuer = issuer
    this.options = options
    this.verified = new LruCache(options.cacheSize)
  }

  /** The token, if it was verified before and is still trusted: no I/O, no promise. */
  cached(token: string): VerifiedToken | undefined {
    return this.verified.get(token)
  }

  /** The verdict on `token`. Throws `IssuerUnavailableError` when the issuer cannot be asked. */
  verify(token: string): Promise<Verdict> {
    const cached = this.cached(token)
    if (cached !== undefined) return Promise.resolve({ valid: true, token: cached })
    let pending = this.pending.get(token)
    if (pending === undefined) {
      pending = this.verifyUncached(token).finally(() => this.pending.delete(token))
      this.pending.set(token, pending)
    }
    return pending
  }

  private async verifyUncached(token: string): Promise<Verdict> {
    const now = Date.now()
    const signing = JWT_SHAPE.test(token) ? await this.issuer.signingKeys() : undefined
    if (signing !== undefined) {
      const jwt = await verifyJwtAccessToken(token, signing.keys, {
        issuer: signing.issuer,
        audience: this.options.audience,
        clockToleranceSeconds: this.options.clockToleranceSeconds,
      })
      if (jwt.kind === 'invalid') return { valid: false, problem: jwt.problem }
      if (jwt.kind === 'valid') return this.remember(token, jwt, jwt.expiresAt?.getTime() ?? now)
    }
    const check = await this.issuer.check(token)
    if (!check.active) return { valid: false, problem: 'inactive' }
    const revalidateAt = now + this.options.revalidateAfterSeconds * 1000
    const expiresAt = check.expiresAt?.getTime() ?? revalidateAt
    return this.remember(token, check, Math.min(expiresAt, revalidateAt))
  }

  private remember(
    token: string,
    facts: Omit<VerifiedToken, 'userinfo'>,
    trustedUntil: number,
  ): Verdict {
    let profile: Promise<Record<string, unknown>> | undefined
    const verified: VerifiedToken = {
      ...facts,
      userinfo: () => {
        profile ??= this.issuer.userinfo(token, facts.sub).catch((error: unknown) => {
          profile = undefined
          throw error
        })
        return profile
      },
    }
    this.verified.set(token, verified, trustedUntil)
    return { valid: true, token: verified }
  }
}

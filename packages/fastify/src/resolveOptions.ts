import { ConfigError } from '@passkey-id/runtime'
import type { DocsSettings } from './docs/registerDocs.ts'
import type { SessionSettings } from './sessions/cookieSessions.ts'
import type { SessionStore } from './sessions/SessionStore.ts'
import type { TokenVerifierOptions } from './tokens/TokenVerifier.ts'

/** Options of the `passkeyId` plugin. */
export interface PasskeyIdOptions {
  /** The OpenID provider's issuer URL, such as http://localhost:8080 or https://api.passwordless.id. */
  issuer: string
  /** This API's public origin, as people open it; with Passwordless.ID-style providers it is the client_id. */
  appUrl: string
  /** The client_id, when the provider registered one (Google, Keycloak); default `appUrl`. */
  clientId?: string
  /** Serve the OpenAPI docs with a working Authorize button (default `{ routePrefix: '/docs' }`), or not. */
  docs?: false | { routePrefix?: string; title?: string; version?: string; description?: string }
  /** Scopes preselected in the docs' sign-in dialog (default `openid avatar email`), besides those routes need. */
  scopes?: string[]
  /** Timeout of each call to the provider, in seconds (default 5). */
  timeoutSeconds?: number
  /** The `aud` that JWT access tokens must carry (default `clientId`). */
  audience?: string
  /**
   * A token the provider confirmed, and a session's token, is trusted this long before asking the
   * provider again, in seconds (default 60, at most 60): the most a revoked token or session keeps working.
   */
  revalidateAfterSeconds?: number
  /** How many verified tokens, and as many sessions' opened tokens, are remembered (default 10,000). */
  cacheSize?: number
  /** Clock skew tolerated on a JWT's `exp` and `nbf`, in seconds (default 30). */
  clockToleranceSeconds?: number
  /** The API's own cookie sessions (`POST`/`GET`/`DELETE /session`), off by default. */
  sessions?: boolean | SessionOptions
  /**
   * `GET /healthz` and `GET /readyz` for a load balancer or orchestrator, off by default. Ready means
   * the provider's discovery and keys answer, and the session database does when sessions are on.
   */
  health?: boolean
}

/** Options of the API's own sessions (the `sessions` option of the plugin). */
export interface SessionOptions {
  /** Where sessions live (default: a SQLite file, `sqlite:./data/sessions.db`). */
  databaseUrl?: string
  /** A store of your own instead of the database. */
  store?: SessionStore
  /**
   * How long a session lasts at most, in seconds (default 8 hours). It ends sooner when its access
   * token expires, or within `revalidateAfterSeconds` when the provider stops vouching for it.
   */
  ttlSeconds?: number
  /** Path of the session routes (default `/session`). */
  routePrefix?: string
}

/** Every option with its default filled in. */
export interface Settings {
  /** The issuer URL without a trailing slash. */
  issuer: string
  /** The app's origin (`appUrl` without path). */
  appUrl: string
  clientId: string
  timeoutSeconds: number
  verification: TokenVerifierOptions
  docs: DocsSettings | false
  sessions: SessionSettings | false
  health: boolean
}

/** The plugin's options with every default filled in: the one place defaults are decided. */
export function resolveOptions(options: PasskeyIdOptions): Settings {
  const appUrl = new URL(options.appUrl).origin
  const clientId = options.clientId ?? appUrl
  const sessions = options.sessions === true ? {} : options.sessions
  const cacheSize = options.cacheSize ?? 10_000
  return {
    issuer: options.issuer.replace(/\/+$/, ''),
    appUrl,
    clientId,
    timeoutSeconds: options.timeoutSeconds ?? 5,
    verification: {
      audience: options.audience ?? clientId,
      clockToleranceSeconds: options.clockToleranceSeconds ?? 30,
      revalidateAfterSeconds: revalidateAfterSeconds(options.revalidateAfterSeconds),
      cacheSize,
    },
    docs:
      options.docs === false
        ? false
        : {
            routePrefix: options.docs?.routePrefix ?? '/docs',
            title: options.docs?.title ?? 'API',
            version: options.docs?.version ?? '0.1.0',
            description: options.docs?.description,
            scopes: options.scopes ?? ['openid', 'avatar', 'email'],
          },
    health: options.health ?? false,
    sessions:
      sessions === undefined || sessions === false
        ? false
        : {
            store: sessions.store,
            databaseUrl: sessions.databaseUrl ?? 'sqlite:./data/sessions.db',
            ttlSeconds: sessions.ttlSeconds ?? 8 * 3600,
            routePrefix: sessions.routePrefix ?? '/session',
            cacheSize,
          },
  }
}

/** The longest a revoked token or session may keep working at the API, in seconds. */
const MAX_REVALIDATE_AFTER_SECONDS = 60

/**
 * `revalidateAfterSeconds`, at most 60: beyond that, revoking an app at the provider would leave
 * its tokens and sessions working at the API for longer than this plugin promises.
 */
function revalidateAfterSeconds(value: number | undefined): number {
  if (value === undefined) return MAX_REVALIDATE_AFTER_SECONDS
  if (!Number.isFinite(value) || value < 0 || value > MAX_REVALIDATE_AFTER_SECONDS)
    throw new ConfigError(
      `passkeyId option revalidateAfterSeconds must be a number of seconds from 0 to ${MAX_REVALIDATE_AFTER_SECONDS} (the most a revoked token keeps working), not ${String(value)}`,
    )
  return value
}

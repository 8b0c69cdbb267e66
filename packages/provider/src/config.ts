import { isIP } from 'node:net'
import {
  ConfigError,
  type LogLevel,
  readBoolean,
  readChoice,
  readInteger,
  readLogLevel,
  readOrigin,
  readPort,
} from '@passkey-id/runtime'

/** Everything the provider needs to know about its deployment, read once at start. */
export interface ProviderConfig {
  /** TCP port to listen on (0 picks a free one). */
  port: number
  /** Interface to bind; `localhost` keeps a development provider off the network. */
  host: string
  /** The issuer: the provider's public origin, as browsers and apps reach it. */
  publicUrl: string
  /** The WebAuthn relying-party ID that passkeys are bound to. */
  rpId: string
  /** Where the database lives (see `@passkey-id/store`'s `parseDatabaseUrl`). */
  databaseUrl: string
  /** Trust `X-Forwarded-*` headers from a TLS-terminating proxy in front. */
  trustProxy: boolean
  /** Lifetimes, in seconds, of what the provider issues. */
  lifetimes: Lifetimes
  /** Whether loopback clients (http://localhost:*) may skip PKCE, as unmodified FastAPI apps do. */
  pkceOptionalForLoopback: boolean
  /** Which apps may use the implicit flows (LEGACY_FLOWS); see `LegacyFlows`. */
  legacyFlows: LegacyFlows
  /** Pino log level. */
  logLevel: LogLevel
}

/**
 * The implicit flows, where tokens come straight back from the sign-in in the redirect's fragment:
 *
 * - `loopback` (default): `id_token` and `id_token token` (with a nonce) for every app; a bare
 *   `response_type=token`, as Swagger UI's and FastAPI's docs pages send it, only for apps on this
 *   machine (http://localhost, 127.0.0.1, [::1]), so that unmodified docs pages work in development.
 * - `on`: the bare `token` for every app too.
 * - `off`: no implicit flow at all; the authorization-code flow only.
 */
export type LegacyFlows = 'loopback' | 'on' | 'off'

/** Lifetimes, in seconds: short for what travels (codes, tokens), long for the sign-in session. */
export interface Lifetimes {
  accessToken: number
  authorizationCode: number
  idToken: number
  /** How long a person stays signed in to the provider in one browser. */
  session: number
}

function readSeconds(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  return readInteger(name, value, fallback, { min, max, unit: 'of seconds' })
}

/**
 * Reads the provider's configuration from environment variables and checks every value, so that a
 * bad one stops the start with a message naming the variable instead of failing later in a browser.
 */
export function loadProviderConfig(env: NodeJS.ProcessEnv = process.env): ProviderConfig {
  const port = readPort('PORT', env.PORT, 8080)
  const publicUrl = readOrigin('PUBLIC_URL', env.PUBLIC_URL, `http://localhost:${port}`)
  return {
    port,
    host: env.HOST?.trim() || 'localhost',
    publicUrl,
    rpId: readRpId(env.RP_ID, new URL(publicUrl).hostname),
    databaseUrl: env.DATABASE_URL?.trim() || 'sqlite:./data/passkey-id.db',
    trustProxy: readBoolean('TRUST_PROXY', env.TRUST_PROXY, false),
    lifetimes: {
      accessToken: readSeconds('ACCESS_TOKEN_TTL', env.ACCESS_TOKEN_TTL, 600, 60, 86_400),
      authorizationCode: readSeconds('CODE_TTL', env.CODE_TTL, 60, 10, 600),
      idToken: readSeconds('ID_TOKEN_TTL', env.ID_TOKEN_TTL, 3600, 60, 86_400),
      session: readSeconds('SESSION_TTL', env.SESSION_TTL, 14 * 86_400, 300, 400 * 86_400),
    },
    pkceOptionalForLoopback:
      readChoice(
        'PKCE_FOR_LOOPBACK',
        env.PKCE_FOR_LOOPBACK,
        ['optional', 'required'],
        'optional',
      ) === 'optional',
    legacyFlows: readChoice(
      'LEGACY_FLOWS',
      env.LEGACY_FLOWS,
      ['loopback', 'on', 'off'],
      'loopback',
    ),
    logLevel: readLogLevel('LOG_LEVEL', env.LOG_LEVEL, 'info'),
  }
}

/**
 * WebAuthn binds a passkey to a domain: the page's host or a parent domain of it, never an IP
 * address. Checking here turns a browser's silent "SecurityError" into a message at start.
 */
function readRpId(value: string | undefined, hostname: string): string {
  const rpId = (value ?? hostname).trim().toLowerCase()
  if (isIP(rpId) !== 0 || rpId.startsWith('[')) {
    throw new ConfigError(
      `RP_ID must be a domain name, and passkeys cannot use an IP address (${rpId}): use a host name such as localhost in PUBLIC_URL`,
    )
  }
  if (rpId === '' || !(hostname === rpId || hostname.endsWith(`.${rpId}`))) {
    throw new ConfigError(
      `RP_ID must be the host of PUBLIC_URL (${hostname}) or a parent domain of it, not "${value}"`,
    )
  }
  return rpId
}

import { isIP } from 'node:net'
import {
  ConfigError,
  type LogLevel,
  readBoolean,
  readChoice,
  readEncryptionKeys,
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
  /** PostgreSQL connections per instance at most (DATABASE_POOL_SIZE); SQLite has one. */
  databasePoolSize: number
  /**
   * ENCRYPTION_KEY: the keys that seal signing keys, cookie keys and the pairwise salt in the
   * database, the first one sealing (`new,old` while rotating); none stores them in clear.
   */
  encryptionKeys: Buffer[]
  /**
   * TRUST_PROXY: which peers' `X-Forwarded-*` headers are believed: none (`false`), the last `n`
   * hops, or the proxies at these addresses or CIDRs. The client address they give keys the rate
   * limits, so "every peer" is never an option.
   */
  trustProxy: TrustProxy
  /** RATE_LIMITS: whether the limits of `limits/limitTable.ts` apply (`off` for load tests only). */
  rateLimits: boolean
  /** REDIS_URL: where the rate-limit counters are shared; unset keeps them in the database or memory. */
  redisUrl: string | undefined
  /** SIGNUPS: whether anyone may create an account (`open`), or only existing accounts sign in. */
  signUps: 'open' | 'closed'
  /**
   * ALLOWED_APPS: the apps that may ask for sign-ins, as canonical origins (`https://app.example.com`)
   * and host patterns (`*.example.com`); empty lets any app ask.
   */
  allowedApps: string[]
  /** SECURITY_EVENTS_DAYS: how long an account's security events (its "Recent activity") are kept. */
  securityEventsDays: number
  /** SMTP_URL, MAIL_FROM, SMTP_TIMEOUT: how mail (email verification, notices) is sent, if at all. */
  mail: MailConfig
  /**
   * RECOVERY: how a person who lost every passkey gets back in: `email` (a one-time link mailed to
   * the account's verified address, or made by an operator), `admin` (links made by an operator
   * only: `accounts recovery-link`), or `off` (no recovery at all).
   */
  recovery: 'email' | 'admin' | 'off'
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

/**
 * How the provider sends mail:
 *
 * - `smtp`: through the server of SMTP_URL (`smtp://`, with STARTTLS when the server offers it, or
 *   `smtps://`), each wait bounded by `timeoutSeconds`;
 * - `print`: no SMTP_URL on a loopback PUBLIC_URL: each message is printed to the terminal as
 *   development mail, so `npm start` works offline;
 * - `off`: no SMTP_URL anywhere else: nothing is sent, and the pages say email features are off
 *   (printing a code in a server's log would hand it to whoever reads the log).
 */
export type MailConfig =
  | { kind: 'smtp'; url: string; from: MailAddress; timeoutSeconds: number }
  | { kind: 'print'; from: MailAddress }
  | { kind: 'off' }

/** A mailbox as nodemailer takes it: a display name (maybe empty) and an address. */
export interface MailAddress {
  name: string
  address: string
}

/** Whose `X-Forwarded-For` is believed: nobody, the last `n` hops, or these addresses and CIDRs. */
export type TrustProxy = false | number | string[]

/** Lifetimes, in seconds: short for what travels (codes, tokens), long for the sign-in session. */
export interface Lifetimes {
  accessToken: number
  authorizationCode: number
  idToken: number
  /** How long a person stays signed in to the provider in one browser. */
  session: number
  /** How long an unfinished sign-in (an interaction) is kept: its parameters are stored meanwhile. */
  interaction: number
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
    // Instances × pool size must stay under the server's max_connections (100 by default).
    databasePoolSize: readInteger('DATABASE_POOL_SIZE', env.DATABASE_POOL_SIZE, 10, {
      min: 1,
      max: 100,
    }),
    encryptionKeys: readEncryptionKeys('ENCRYPTION_KEY', env.ENCRYPTION_KEY),
    trustProxy: readTrustProxy(env.TRUST_PROXY),
    rateLimits: readBoolean('RATE_LIMITS', env.RATE_LIMITS, true),
    redisUrl: readRedisUrl(env.REDIS_URL),
    signUps: readChoice('SIGNUPS', env.SIGNUPS, ['open', 'closed'], 'open'),
    allowedApps: readAllowedApps(env.ALLOWED_APPS),
    securityEventsDays: readInteger('SECURITY_EVENTS_DAYS', env.SECURITY_EVENTS_DAYS, 90, {
      min: 1,
      max: 3650,
      unit: 'of days',
    }),
    mail: readMail(env, new URL(publicUrl).hostname),
    recovery: readChoice('RECOVERY', env.RECOVERY, ['email', 'admin', 'off'], 'email'),
    lifetimes: {
      accessToken: readSeconds('ACCESS_TOKEN_TTL', env.ACCESS_TOKEN_TTL, 600, 60, 86_400),
      authorizationCode: readSeconds('CODE_TTL', env.CODE_TTL, 60, 10, 600),
      idToken: readSeconds('ID_TOKEN_TTL', env.ID_TOKEN_TTL, 3600, 60, 86_400),
      session: readSeconds('SESSION_TTL', env.SESSION_TTL, 14 * 86_400, 300, 400 * 86_400),
      interaction: readSeconds('INTERACTION_TTL', env.INTERACTION_TTL, 600, 60, 3600),
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

/** A proxy address or CIDR: IPv4 or IPv6, with an optional prefix length. */
function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/')
  const family = isIP(address)
  if (family === 0 || rest.length > 0) return false
  if (prefix === undefined) return true
  const bits = Number(prefix)
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128)
}

/**
 * TRUST_PROXY: unset, `false` or `0` for none; a hop count (`1` behind one load balancer); or
 * proxies' addresses and CIDRs separated by commas. `true` is refused: trusting every peer's
 * `X-Forwarded-For` would let any client choose the address its rate limits are counted under.
 */
function readTrustProxy(value: string | undefined): TrustProxy {
  const raw = value?.trim() ?? ''
  if (raw === '' || raw.toLowerCase() === 'false' || raw === '0') return false
  if (/^\d+$/.test(raw)) return readInteger('TRUST_PROXY', raw, 0, { min: 0, max: 10 })
  const entries = raw.split(',').map((entry) => entry.trim())
  const wrong = entries.find((entry) => !isAddressOrCidr(entry))
  if (wrong !== undefined) {
    throw new ConfigError(
      `TRUST_PROXY must be the number of proxies in front (such as 1) or their addresses or CIDRs separated by commas (such as 10.0.0.0/8,192.168.1.10), not "${wrong}"${wrong.toLowerCase() === 'true' ? ': trusting every X-Forwarded-For would let any client pick the address its rate limits count' : ''}`,
    )
  }
  return entries
}

/** REDIS_URL: a redis:// or rediss:// URL, or unset. */
function readRedisUrl(value: string | undefined): string | undefined {
  const raw = value?.trim() ?? ''
  if (raw === '') return undefined
  const url = URL.parse(raw)
  if (
    url === null ||
    (url.protocol !== 'redis:' && url.protocol !== 'rediss:') ||
    url.host === ''
  ) {
    throw new ConfigError(
      'REDIS_URL must be a URL such as redis://127.0.0.1:6379 (or rediss:// for TLS), not the value given',
    )
  }
  return raw
}

/** A host pattern of ALLOWED_APPS: `*.` and a domain name of at least two labels. */
const HOST_PATTERN = /^\*\.(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/

/**
 * ALLOWED_APPS: origins (`https://app.example.com`, `http://localhost:8000`) and host patterns
 * (`*.example.com`: every subdomain, on https) separated by commas; unset or empty for any app.
 */
function readAllowedApps(value: string | undefined): string[] {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '')
  return entries.map((entry) => {
    if (entry.startsWith('*.')) {
      if (HOST_PATTERN.test(entry)) return entry
      throw new ConfigError(
        `ALLOWED_APPS must list origins and host patterns such as *.example.com, not "${entry}"`,
      )
    }
    return readOrigin('ALLOWED_APPS', entry, entry)
  })
}

/** SMTP_URL, MAIL_FROM and SMTP_TIMEOUT, and the mode they make with PUBLIC_URL's host. */
function readMail(env: NodeJS.ProcessEnv, hostname: string): MailConfig {
  const url = env.SMTP_URL?.trim() ?? ''
  const from = readMailFrom(env.MAIL_FROM, hostname)
  const timeoutSeconds = readSeconds('SMTP_TIMEOUT', env.SMTP_TIMEOUT, 10, 1, 120)
  if (url === '')
    // RP_ID refuses IP addresses, so localhost is the one loopback PUBLIC_URL.
    return hostname === 'localhost' ? { kind: 'print', from } : { kind: 'off' }
  const parsed = URL.parse(url)
  if (
    parsed === null ||
    (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') ||
    parsed.hostname === ''
  ) {
    // The value is not echoed: it may hold the SMTP password.
    throw new ConfigError(
      'SMTP_URL must be a URL such as smtp://user:password@mail.example.com:587 (STARTTLS when the server offers it) or smtps://mail.example.com:465, not the value given',
    )
  }
  return { kind: 'smtp', url, from, timeoutSeconds }
}

/** `Name <address>` or a bare address; a name in double quotes keeps its commas and brackets. */
const MAILBOX =
  /^(?:"?([^"<>]*?)"?\s*<([^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)>|([^\s<>@"]+@[^\s<>@]+\.[^\s<>@]+))$/

/**
 * MAIL_FROM: who mail comes from, `passkey-id <no-reply@HOST>` by default (HOST is PUBLIC_URL's).
 * A control character (CR, LF, NUL) is refused, so no value can add a header to a message.
 */
function readMailFrom(value: string | undefined, hostname: string): MailAddress {
  const raw = value?.trim() ?? ''
  if (raw === '') return { name: 'passkey-id', address: `no-reply@${hostname}` }
  const match = MAILBOX.exec(raw)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (match === null || /[\u0000-\u001f\u007f]/.test(raw)) {
    throw new ConfigError(
      `MAIL_FROM must be an address such as no-reply@example.com or "Example <no-reply@example.com>", on one line, not "${JSON.stringify(raw).slice(1, -1)}"`,
    )
  }
  return { name: (match[1] ?? '').trim(), address: match[2] ?? match[3] ?? '' }
}

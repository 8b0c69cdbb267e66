/** A configuration value that cannot work; its message is one line that says which and why. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

function isUnset(value: string | undefined): value is undefined {
  return value === undefined || value.trim() === ''
}

/** Reads a TCP port; 0 asks the system for a free one (tests use it). */
export function readPort(name: string, value: string | undefined, fallback: number): number {
  if (isUnset(value)) return fallback
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError(`${name} must be a whole number from 0 to 65535, not "${value}"`)
  }
  return port
}

/** Reads a yes/no switch: true, false, 1, 0, yes, no, on or off. */
export function readBoolean(name: string, value: string | undefined, fallback: boolean): boolean {
  if (isUnset(value)) return fallback
  const normalized = value.trim().toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(normalized)) return true
  if (['0', 'false', 'no', 'off'].includes(normalized)) return false
  throw new ConfigError(`${name} must be true or false, not "${value}"`)
}

/** Reads a whole number within bounds (durations in seconds, sizes). */
export function readInteger(
  name: string,
  value: string | undefined,
  fallback: number,
  bounds: { min: number; max: number; unit?: string },
): number {
  if (isUnset(value)) return fallback
  const number = Number(value)
  if (!Number.isInteger(number) || number < bounds.min || number > bounds.max) {
    const unit = bounds.unit === undefined ? '' : ` ${bounds.unit}`
    throw new ConfigError(
      `${name} must be a whole number${unit} from ${bounds.min} to ${bounds.max}, not "${value}"`,
    )
  }
  return number
}

/** Reads one of a fixed set of words, case-insensitively. */
export function readChoice<const Choice extends string>(
  name: string,
  value: string | undefined,
  choices: readonly Choice[],
  fallback: Choice,
): Choice {
  if (isUnset(value)) return fallback
  const normalized = value.trim().toLowerCase()
  const choice = choices.find((candidate) => candidate === normalized)
  if (choice === undefined) {
    throw new ConfigError(`${name} must be one of ${choices.join(', ')}, not "${value}"`)
  }
  return choice
}

/** Pino's log levels, as LOG_LEVEL takes them. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** A pino log level. */
export type LogLevel = (typeof LOG_LEVELS)[number]

/** Reads a pino log level. */
export function readLogLevel(
  name: string,
  value: string | undefined,
  fallback: LogLevel,
): LogLevel {
  return readChoice(name, value, LOG_LEVELS, fallback)
}

/**
 * Reads an origin (scheme, host and port, nothing else) and returns its canonical form.
 *
 * Plain http is accepted only for `localhost`, because browsers treat only that as a secure context
 * and passkeys, cookies marked Secure and OAuth redirects all depend on it.
 */
export function readOrigin(name: string, value: string | undefined, fallback: string): string {
  const raw = isUnset(value) ? fallback : value.trim()
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new ConfigError(
      `${name} must be an absolute URL such as https://example.com, not "${raw}"`,
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(
      `${name} must start with https:// (or http:// for localhost), not "${raw}"`,
    )
  }
  const hasExtras = url.pathname !== '/' || url.search !== '' || url.hash !== ''
  if (hasExtras || url.username !== '' || url.password !== '') {
    throw new ConfigError(
      `${name} must be an origin without a path, query or credentials, such as ${url.origin}, not "${raw}"`,
    )
  }
  if (url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
    throw new ConfigError(
      `${name} must use https:// for ${url.hostname}: browsers treat plain http as secure only on localhost`,
    )
  }
  return url.origin
}

/** 32 bytes in base64 (44 characters with its `=`) or base64url (43); the last character carries 2 bits. */
const ENCRYPTION_KEY = /^[A-Za-z0-9+/_-]{42}[AEIMQUYcgkosw048]=?$/

/** At most this many keys in a keyring: the current one and those still being rotated away from. */
const MAX_ENCRYPTION_KEYS = 4

/**
 * Reads a keyring of 32-byte encryption keys, base64 or base64url, separated by commas, the first
 * one the key to encrypt with (`new,old` while rotating); none when unset. Each key is checked
 * against its format before decoding, because Node's base64 decoder silently skips characters it
 * does not know. The message never repeats the value, which is a secret.
 */
export function readEncryptionKeys(name: string, value: string | undefined): Buffer[] {
  if (isUnset(value)) return []
  const keys = value.split(',').map((key) => key.trim())
  const expected = 'keys separated by commas (new,old), each 32 random bytes in base64'
  const make = 'make one with openssl rand -base64 32'
  if (keys.length > MAX_ENCRYPTION_KEYS) {
    throw new ConfigError(`${name} must be at most ${MAX_ENCRYPTION_KEYS} ${expected}: ${make}`)
  }
  const bad = keys.findIndex((key) => !ENCRYPTION_KEY.test(key))
  if (bad === -1) return keys.map((key) => Buffer.from(key, 'base64'))
  const given = `${keys[bad]?.length} characters`
  throw new ConfigError(
    keys.length === 1
      ? `${name} must be 32 random bytes in base64 (44 characters), not the value given (${given}): ${make}`
      : `${name} must be ${expected}, and key ${bad + 1} of ${keys.length} is not (${given}): ${make}`,
  )
}

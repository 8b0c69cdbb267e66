import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  ConfigError,
  readBoolean,
  readChoice,
  readEncryptionKeys,
  readInteger,
  readLogLevel,
  readOrigin,
  readPort,
} from './env.ts'

describe('environment readers', () => {
  it('use the fallback when a variable is unset or blank', () => {
    expect(readPort('PORT', undefined, 8080)).toBe(8080)
    expect(readPort('PORT', '  ', 8080)).toBe(8080)
    expect(readBoolean('X', undefined, false)).toBe(false)
    expect(readOrigin('PUBLIC_URL', '', 'http://localhost:8000')).toBe('http://localhost:8000')
  })

  it('read good values', () => {
    expect(readPort('PORT', '0', 1)).toBe(0)
    expect(readBoolean('X', 'Yes', false)).toBe(true)
    expect(readBoolean('X', 'off', true)).toBe(false)
    expect(readInteger('TTL', '120', 600, { min: 60, max: 3600 })).toBe(120)
    expect(readChoice('MODE', 'Required', ['optional', 'required'], 'optional')).toBe('required')
    expect(readOrigin('U', 'HTTPS://Example.COM:443/', 'x')).toBe('https://example.com')
    expect(readOrigin('U', 'http://127.0.0.1:8000', 'x')).toBe('http://127.0.0.1:8000')
  })

  it('refuse bad values with one line naming the variable', () => {
    const cases: Array<() => unknown> = [
      () => readPort('PORT', '80a', 1),
      () => readPort('PORT', '70000', 1),
      () => readBoolean('TRUST_PROXY', 'maybe', false),
      () => readInteger('TTL', '5', 600, { min: 60, max: 3600, unit: 'seconds' }),
      () => readChoice('MODE', 'sometimes', ['optional', 'required'], 'optional'),
      () => readLogLevel('LOG_LEVEL', 'loud', 'info'),
      () => readOrigin('PUBLIC_URL', 'not a url', 'x'),
      () => readOrigin('PUBLIC_URL', 'ftp://example.com', 'x'),
      () => readOrigin('PUBLIC_URL', 'https://example.com/auth', 'x'),
      () => readOrigin('PUBLIC_URL', 'http://example.com', 'x'),
    ]
    for (const read of cases) {
      let error: unknown
      try {
        read()
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(ConfigError)
      const message = (error as Error).message
      expect(message).not.toContain('\n')
      expect(message).toMatch(/^(PORT|TRUST_PROXY|TTL|MODE|LOG_LEVEL|PUBLIC_URL) must/)
    }
  })
})

describe('readEncryptionKeys', () => {
  const key = randomBytes(32)

  it('reads none when unset, one key in base64 or base64url, or a new,old keyring in order', () => {
    expect(readEncryptionKeys('ENCRYPTION_KEY', undefined)).toEqual([])
    expect(readEncryptionKeys('ENCRYPTION_KEY', ' ')).toEqual([])
    expect(readEncryptionKeys('ENCRYPTION_KEY', key.toString('base64'))).toEqual([key])
    expect(readEncryptionKeys('ENCRYPTION_KEY', ` ${key.toString('base64url')}\n`)).toEqual([key])
    const old = randomBytes(32)
    expect(
      readEncryptionKeys('ENCRYPTION_KEY', `${key.toString('base64')}, ${old.toString('base64')}`),
    ).toEqual([key, old])
  })

  it('refuses anything but 32 bytes in base64, in one line that says how to make a key and never repeats it', () => {
    const good = key.toString('base64')
    const cases = [
      randomBytes(16).toString('base64'),
      randomBytes(33).toString('base64'),
      randomBytes(32).toString('hex'),
      `${good.slice(0, 20)}!${good.slice(21)}`,
      // 43 characters whose last one carries bits past the 32nd byte.
      `${good.slice(0, 42)}B=`,
      `${good},`,
      `${good},tooshort`,
      Array.from({ length: 5 }, () => good).join(','),
    ]
    for (const value of cases) {
      let error: unknown
      try {
        readEncryptionKeys('ENCRYPTION_KEY', value)
      } catch (caught) {
        error = caught
      }
      expect(error, value).toBeInstanceOf(ConfigError)
      const message = (error as Error).message
      expect(message).toMatch(/^ENCRYPTION_KEY must .*: make one with openssl rand -base64 32$/)
      expect(message).not.toContain('\n')
      for (const part of value.split(',')) if (part.length > 8) expect(message).not.toContain(part)
    }
  })
})

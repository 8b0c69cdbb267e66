import { describe, expect, it } from 'vitest'
import {
  ConfigError,
  readBoolean,
  readChoice,
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

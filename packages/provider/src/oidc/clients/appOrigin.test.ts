import { describe, expect, it } from 'vitest'
import { appSector, canonicalAppOrigin, isAppOrigin, isOnAppOrigin } from './appOrigin.ts'

describe('canonicalAppOrigin', () => {
  it('gives the origin in canonical form', () => {
    expect(canonicalAppOrigin('http://localhost:8000')).toBe('http://localhost:8000')
    expect(canonicalAppOrigin('HTTP://LocalHost:8000/')).toBe('http://localhost:8000')
    expect(canonicalAppOrigin('https://App.Example.com:443')).toBe('https://app.example.com')
    expect(canonicalAppOrigin('http://[::1]:3000')).toBe('http://[::1]:3000')
  })

  it('refuses what is not an app origin', () => {
    for (const value of [
      'localhost:8000',
      'ftp://example.com',
      'https://example.com/app',
      'https://example.com/?x=1',
      'https://example.com/#x',
      'https://user:pw@example.com',
      'http://example.com',
      'javascript:alert(1)',
      '',
    ]) {
      expect(canonicalAppOrigin(value), value).toBeUndefined()
    }
  })
})

describe('isAppOrigin', () => {
  it('accepts only the exact canonical form', () => {
    expect(isAppOrigin('http://localhost:8000')).toBe(true)
    expect(isAppOrigin('https://app.example.com')).toBe(true)
    expect(isAppOrigin('http://localhost:8000/')).toBe(false)
    expect(isAppOrigin('https://App.example.com')).toBe(false)
    expect(isAppOrigin('https://app.example.com:443')).toBe(false)
  })
})

describe('isOnAppOrigin', () => {
  it('accepts URLs on the app origin', () => {
    expect(isOnAppOrigin('https://app.example.com/callback?x=1', 'https://app.example.com')).toBe(
      true,
    )
  })

  it('treats the loopback names as one host, with the same scheme and port', () => {
    const docs = 'http://127.0.0.1:8000/docs/static/oauth2-redirect.html'
    expect(isOnAppOrigin(docs, 'http://localhost:8000')).toBe(true)
    expect(isOnAppOrigin('http://[::1]:8000/cb', 'http://localhost:8000')).toBe(true)
    expect(isOnAppOrigin('http://127.0.0.1:9000/cb', 'http://localhost:8000')).toBe(false)
    expect(isOnAppOrigin('https://localhost:8000/cb', 'http://localhost:8000')).toBe(false)
  })

  it('refuses other hosts, ports, schemes, credentials and fragments', () => {
    const app = 'https://app.example.com'
    expect(isOnAppOrigin('https://evil.example.com/cb', app)).toBe(false)
    expect(isOnAppOrigin('https://app.example.com.evil.com/cb', app)).toBe(false)
    expect(isOnAppOrigin('https://app.example.com:8443/cb', app)).toBe(false)
    expect(isOnAppOrigin('http://app.example.com/cb', app)).toBe(false)
    expect(isOnAppOrigin('https://x@app.example.com/cb', app)).toBe(false)
    expect(isOnAppOrigin('https://app.example.com/cb#frag', app)).toBe(false)
    expect(isOnAppOrigin('not a url', app)).toBe(false)
    expect(isOnAppOrigin('https://app.example.com/cb?x= https://app.example.com/go', app)).toBe(
      false,
    )
    expect(isOnAppOrigin('https://app.example.com/c\tb', app)).toBe(false)
    expect(isOnAppOrigin('https://app.example.com/cb\n', app)).toBe(false)
    expect(isOnAppOrigin('https://app.example.com/cb\u007f', app)).toBe(false)
  })
})

describe('appSector', () => {
  it('ignores the port and folds loopback names into one', () => {
    expect(appSector('http://localhost:8000')).toBe('localhost')
    expect(appSector('http://127.0.0.1:9000')).toBe('localhost')
    expect(appSector('https://app.example.com:8443')).toBe('app.example.com')
  })
})

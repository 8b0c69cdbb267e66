import { describe, expect, it } from 'vitest'
import { isAllowedApp } from './isAllowedApp.ts'

describe('isAllowedApp', () => {
  it('allows any app when ALLOWED_APPS is empty', () => {
    expect(isAllowedApp('https://anything.example', [])).toBe(true)
  })

  it('allows listed origins exactly, port and scheme included', () => {
    const allowed = ['https://app.example.com', 'http://localhost:8000']
    expect(isAllowedApp('https://app.example.com', allowed)).toBe(true)
    expect(isAllowedApp('http://localhost:8000', allowed)).toBe(true)
    expect(isAllowedApp('http://localhost:9000', allowed)).toBe(false)
    expect(isAllowedApp('https://app.example.com:8443', allowed)).toBe(false)
    expect(isAllowedApp('https://evil.example.com', allowed)).toBe(false)
  })

  it('allows https subdomains of a host pattern, at any depth, and not the bare domain', () => {
    const allowed = ['*.example.com']
    expect(isAllowedApp('https://a.example.com', allowed)).toBe(true)
    expect(isAllowedApp('https://a.b.example.com:8443', allowed)).toBe(true)
    expect(isAllowedApp('https://example.com', allowed)).toBe(false)
    expect(isAllowedApp('https://evilexample.com', allowed)).toBe(false)
    expect(isAllowedApp('https://example.com.evil.net', allowed)).toBe(false)
  })
})

import { describe, expect, it } from 'vitest'
import { pairwiseSubject } from './pairwiseSubject.ts'

describe('pairwiseSubject', () => {
  const salt = 'salt-for-tests'

  it('is stable for one account and app', () => {
    expect(pairwiseSubject('acc1', 'https://app.example.com', salt)).toBe(
      pairwiseSubject('acc1', 'https://app.example.com', salt),
    )
  })

  it('ignores the port and treats loopback names as one host', () => {
    const sub = pairwiseSubject('acc1', 'http://localhost:8000', salt)
    expect(pairwiseSubject('acc1', 'http://localhost:9000', salt)).toBe(sub)
    expect(pairwiseSubject('acc1', 'http://127.0.0.1:8000', salt)).toBe(sub)
  })

  it('differs across hosts, subdomains, accounts and salts', () => {
    const sub = pairwiseSubject('acc1', 'https://app.example.com', salt)
    expect(pairwiseSubject('acc1', 'https://other.example.com', salt)).not.toBe(sub)
    expect(pairwiseSubject('acc1', 'https://example.com', salt)).not.toBe(sub)
    expect(pairwiseSubject('acc2', 'https://app.example.com', salt)).not.toBe(sub)
    expect(pairwiseSubject('acc1', 'https://app.example.com', 'another salt')).not.toBe(sub)
  })

  it('reveals nothing of the account id', () => {
    const sub = pairwiseSubject('acc1', 'https://app.example.com', salt)
    expect(sub).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(sub).not.toContain('acc1')
  })
})

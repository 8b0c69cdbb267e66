import { createSecretKey } from 'node:crypto'
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

  it('is HMAC-SHA256 of host and account under the salt, given as a string or as a key object', async () => {
    // Computed apart, with WebCrypto: the subjects apps already hold must never change.
    const hmacKey = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(salt),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    )
    const mac = await crypto.subtle.sign(
      'HMAC',
      hmacKey,
      new TextEncoder().encode('app.example.com\u0000acc1'),
    )
    const expected = Buffer.from(mac).toString('base64url')
    expect(pairwiseSubject('acc1', 'https://app.example.com', salt)).toBe(expected)
    const keyObject = createSecretKey(Buffer.from(salt))
    expect(pairwiseSubject('acc1', 'https://app.example.com', keyObject)).toBe(expected)
  })
})

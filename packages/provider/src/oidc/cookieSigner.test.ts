import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { cookieSigner } from './cookieSigner.ts'

/** Keygrip's signature as its source computes it (HMAC-SHA1, base64 made URL-safe, no padding). */
function keygripSignature(data: string, key: string): string {
  return createHmac('sha1', key)
    .update(data)
    .digest('base64')
    .replace(/\/|\+|=/g, (x) => ({ '/': '_', '+': '-', '=': '' })[x] ?? x)
}

describe('cookieSigner', () => {
  const key = 'first-cookie-key-for-tests'
  const older = 'older-cookie-key-for-tests'
  const data = '_interaction=abc123; path=/interaction/abc123'

  it('signs with the first key exactly as Keygrip does, so cookies signed before still verify', () => {
    const signer = cookieSigner([key, older])
    for (const value of [data, '', 'é ünïcode ✓', 'x'.repeat(4000)])
      expect(signer.sign(value)).toBe(keygripSignature(value, key))
  })

  it('tells which key signed the data, in order, as Keygrip.index does', () => {
    const signer = cookieSigner([key, older])
    expect(signer.index(data, keygripSignature(data, key))).toBe(0)
    expect(signer.index(data, keygripSignature(data, older))).toBe(1)
    expect(signer.verify(data, keygripSignature(data, older))).toBe(true)
  })

  it('refuses a forged, altered, truncated, padded or foreign signature', () => {
    const signer = cookieSigner([key])
    const good = signer.sign(data)
    const flipped = `${good[0] === 'A' ? 'B' : 'A'}${good.slice(1)}`
    for (const digest of [
      flipped,
      good.slice(0, -1),
      `${good}=`,
      `${good}A`,
      '',
      keygripSignature(data, 'another-key'),
      signer.sign(`${data}x`),
      // Same number of characters, more bytes: lengths are compared as bytes.
      `${good.slice(0, -1)}é`,
    ]) {
      expect(signer.index(data, digest)).toBe(-1)
      expect(signer.verify(data, digest)).toBe(false)
    }
    expect(signer.index(data, undefined as unknown as string)).toBe(-1)
  })

  it('needs a key', () => {
    expect(() => cookieSigner([])).toThrow('at least one key')
  })
})

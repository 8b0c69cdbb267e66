import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { sessionKeys } from './sessionKeys.ts'

const newValue = () => randomBytes(32).toString('base64url')

describe('sessionKeys', () => {
  const value = newValue()

  it('gives the store a digest of the cookie, the same for the same cookie', () => {
    const storeId = sessionKeys(value)?.storeId
    expect(storeId).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(storeId).not.toBe(value)
    expect(sessionKeys(value)?.storeId).toBe(storeId)
    expect(sessionKeys(newValue())?.storeId).not.toBe(storeId)
  })

  it('seals the token so that only the same cookie opens it, at the same id', () => {
    const keys = sessionKeys(value)
    const sealed = keys?.sealToken('the-access-token') ?? ''
    expect(sealed).not.toContain('the-access-token')
    // What the README tells stores of their own to expect: 4/3 of the token plus 56 characters.
    expect(sealed).toHaveLength(34 + Math.ceil((4 * ('the-access-token'.length + 16)) / 3))
    expect(sessionKeys(value)?.openToken(sealed)).toBe('the-access-token')
    expect(sessionKeys(newValue())?.openToken(sealed)).toBeUndefined()
    expect(keys?.openToken(`${sealed.slice(0, -2)}AA`)).toBeUndefined()
    expect(keys?.openToken('the-access-token')).toBeUndefined()
  })

  it('knows no value but the canonical spelling of 32 bytes', () => {
    // The last character of 43 carries 2 spare bits: another letter with the same 4 high bits
    // decodes to the same bytes.
    const last = value.at(-1) ?? 'A'
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const sibling = alphabet[alphabet.indexOf(last) ^ 1] ?? 'A'
    for (const other of [
      `${value.slice(0, -1)}${sibling}`,
      `${value}=`,
      ` ${value}`,
      value.slice(0, -1),
      randomBytes(33).toString('base64url'),
      '',
    ])
      expect(sessionKeys(other), other).toBeUndefined()
  })
})

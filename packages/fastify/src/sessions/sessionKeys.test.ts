import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { sessionKeys } from './sessionKeys.ts'

describe('sessionKeys', () => {
  const value = randomBytes(32).toString('base64url')

  it('gives the store a digest of the cookie, the same for the same cookie', () => {
    const { storeId } = sessionKeys(value)
    expect(storeId).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(storeId).not.toBe(value)
    expect(sessionKeys(value).storeId).toBe(storeId)
    expect(sessionKeys(randomBytes(32).toString('base64url')).storeId).not.toBe(storeId)
  })

  it('seals the token so that only the same cookie opens it, at the same id', () => {
    const { storeId, tokenBox } = sessionKeys(value)
    const sealed = tokenBox.seal('the-access-token', storeId)
    expect(sealed).not.toContain('the-access-token')
    expect(sessionKeys(value).tokenBox.open(sealed, storeId)).toBe('the-access-token')
    const other = sessionKeys(randomBytes(32).toString('base64url'))
    expect(() => other.tokenBox.open(sealed, other.storeId)).toThrow()
    // A sealed token copied to another session's row does not open there either.
    expect(() => tokenBox.open(sealed, other.storeId)).toThrow()
  })
})

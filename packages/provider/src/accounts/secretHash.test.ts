import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { secretHash } from './secretHash.ts'

describe('secretHash', () => {
  it('is HMAC-SHA256 under the key, so another key gives another hash', () => {
    const hash = secretHash('key one')
    expect(hash('a secret')).toEqual(createHmac('sha256', 'key one').update('a secret').digest())
    expect(hash('a secret')).toHaveLength(32)
    expect(secretHash('key two')('a secret')).not.toEqual(hash('a secret'))
    expect(hash('another')).not.toEqual(hash('a secret'))
  })
})

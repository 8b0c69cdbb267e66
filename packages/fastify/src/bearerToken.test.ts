import { describe, expect, it } from 'vitest'
import { bearerToken, MAX_TOKEN_LENGTH } from './bearerToken.ts'

describe('bearerToken', () => {
  it('reads a bearer token', () => {
    expect(bearerToken('Bearer abc.DEF-123_~+/==')).toEqual({
      kind: 'token',
      token: 'abc.DEF-123_~+/==',
    })
    expect(bearerToken('bearer abc')).toEqual({ kind: 'token', token: 'abc' })
  })

  it('reports a missing header', () => {
    expect(bearerToken(undefined)).toEqual({ kind: 'missing' })
    expect(bearerToken('')).toEqual({ kind: 'missing' })
  })

  it('refuses malformed headers with a reason', () => {
    for (const header of [
      'Bearer',
      'Bearer ',
      'Bearer a b',
      'Bearer a=b',
      'Basic dXNlcjpwdw==',
      'Bearer\tabc',
      'Token abc',
      `Bearer ${'a'.repeat(MAX_TOKEN_LENGTH + 1)}`,
    ]) {
      expect(bearerToken(header).kind, header).toBe('malformed')
    }
  })
})

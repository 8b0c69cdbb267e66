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

  it('refuses malformed headers, naming the problem', () => {
    for (const [header, problem] of [
      ['Bearer', 'not_a_token'],
      ['Bearer ', 'not_a_token'],
      ['Bearer a b', 'not_a_token'],
      ['Bearer a=b', 'not_a_token'],
      ['Bearer\tabc', 'not_a_token'],
      ['Basic dXNlcjpwdw==', 'not_bearer'],
      ['Token abc', 'not_bearer'],
      [`Bearer ${'a'.repeat(MAX_TOKEN_LENGTH + 1)}`, 'too_long'],
    ]) {
      expect(bearerToken(header), header).toEqual({ kind: 'malformed', problem })
    }
  })
})

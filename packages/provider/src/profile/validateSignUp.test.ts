import { describe, expect, it } from 'vitest'
import { usernameKey, validateSignUp } from './validateSignUp.ts'

describe('validateSignUp', () => {
  it('accepts a good username and an optional email', () => {
    expect(validateSignUp({ username: ' alice.b ', email: '' })).toEqual({
      ok: true,
      details: { username: 'alice.b', email: null },
    })
    expect(validateSignUp({ username: 'Bob_2', email: 'bob@example.com' })).toEqual({
      ok: true,
      details: { username: 'Bob_2', email: 'bob@example.com' },
    })
  })

  it('refuses malformed usernames with a message', () => {
    for (const username of [
      'ab',
      'a'.repeat(31),
      '.alice',
      'alice-',
      'al..ice',
      'al ice',
      'alicé',
      'a<b>c',
      42,
      undefined,
    ]) {
      const result = validateSignUp({ username })
      expect(result.ok, String(username)).toBe(false)
      if (!result.ok) {
        expect(result.field).toBe('username')
        expect(result.message.length).toBeGreaterThan(10)
      }
    }
  })

  it('refuses a malformed email but not a missing one', () => {
    for (const email of [
      'bob',
      'bob@',
      'bob@example',
      'a b@example.com',
      `${'x'.repeat(250)}@example.com`,
    ]) {
      const result = validateSignUp({ username: 'bob', email })
      expect(result).toMatchObject({ ok: false, field: 'email' })
    }
  })

  it('compares usernames without case', () => {
    expect(usernameKey('Alice')).toBe(usernameKey('alice'))
  })
})

import { describe, expect, it } from 'vitest'
import { printable } from './printable.ts'

describe('printable', () => {
  it('writes control characters and bidirectional overrides as escapes, and keeps the rest', () => {
    expect(printable('alice')).toBe('alice')
    expect(printable('Zoë Ångström 日本')).toBe('Zoë Ångström 日本')
    expect(printable('a\u001b[2Jb')).toBe('a\\u001b[2Jb')
    expect(printable('line\nforged')).toBe('line\\u000aforged')
    expect(printable('\u202eevil')).toBe('\\u202eevil')
    expect(printable('\u009b31m')).toBe('\\u009b31m')
  })
})

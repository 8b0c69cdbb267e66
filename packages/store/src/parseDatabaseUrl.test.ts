import { describe, expect, it } from 'vitest'
import { parseDatabaseUrl } from './parseDatabaseUrl.ts'

describe('parseDatabaseUrl', () => {
  it('resolves sqlite: and bare relative paths against the working folder', () => {
    expect(parseDatabaseUrl('sqlite:./data/x.db', '/srv')).toEqual({
      kind: 'sqlite',
      filename: '/srv/data/x.db',
    })
    expect(parseDatabaseUrl('data/x.db', '/srv')).toEqual({
      kind: 'sqlite',
      filename: '/srv/data/x.db',
    })
    expect(parseDatabaseUrl('file:x.db', '/srv')).toEqual({ kind: 'sqlite', filename: '/srv/x.db' })
  })

  it('keeps absolute paths', () => {
    expect(parseDatabaseUrl('sqlite:///var/lib/pid.db', '/srv').filename).toBe('/var/lib/pid.db')
    expect(parseDatabaseUrl('/var/lib/pid.db', '/srv').filename).toBe('/var/lib/pid.db')
  })

  it('refuses what would lose data or is not supported, in one line', () => {
    expect(() => parseDatabaseUrl('sqlite::memory:')).toThrow(/must name a file/)
    expect(() => parseDatabaseUrl('')).toThrow(/empty/)
    expect(() => parseDatabaseUrl('postgres://localhost/test')).toThrow(
      /PostgreSQL is not supported yet/,
    )
    expect(() => parseDatabaseUrl('mysql://localhost/test')).toThrow(/unknown database scheme/)
  })
})

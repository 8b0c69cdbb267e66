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
    expect(parseDatabaseUrl('sqlite:///var/lib/pid.db', '/srv')).toEqual({
      kind: 'sqlite',
      filename: '/var/lib/pid.db',
    })
    expect(parseDatabaseUrl('/var/lib/pid.db', '/srv')).toEqual({
      kind: 'sqlite',
      filename: '/var/lib/pid.db',
    })
  })

  it('takes postgres:// and postgresql:// URLs as they are when they name no sslmode', () => {
    for (const url of [
      'postgres://app:secret@db.example:5432/passkey_id',
      'postgresql://app@10.0.0.5/passkey_id?application_name=x',
      'postgres:///passkey_id?host=/var/run/postgresql',
      'postgres://app:secret@/passkey_id?host=/var/run/postgresql',
    ]) {
      expect(parseDatabaseUrl(url)).toEqual({ kind: 'postgres', url })
    }
    expect(parseDatabaseUrl('  postgres://db/app  ')).toEqual({
      kind: 'postgres',
      url: 'postgres://db/app',
    })
  })

  it('gives an sslmode its libpq meaning, which pg 8 follows only with uselibpqcompat', () => {
    for (const mode of ['disable', 'prefer', 'require', 'verify-full']) {
      const location = parseDatabaseUrl(`postgres://db/app?sslmode=${mode}`)
      expect(location).toEqual({
        kind: 'postgres',
        url: `postgres://db/app?sslmode=${mode}&uselibpqcompat=true`,
      })
    }
    expect(parseDatabaseUrl('postgres://app@/app?host=/run/pg&sslmode=disable')).toEqual({
      kind: 'postgres',
      url: 'postgres://app@/app?host=%2Frun%2Fpg&sslmode=disable&uselibpqcompat=true',
    })
    expect(parseDatabaseUrl('postgres://db/app?sslmode=verify-ca&sslrootcert=/etc/ca.pem')).toEqual(
      {
        kind: 'postgres',
        url: 'postgres://db/app?sslmode=verify-ca&sslrootcert=%2Fetc%2Fca.pem&uselibpqcompat=true',
      },
    )
  })

  it('refuses a PostgreSQL URL that cannot work, in one line that never shows the password', () => {
    const refusal = (url: string) => {
      try {
        parseDatabaseUrl(url)
      } catch (error) {
        return (error as Error).message
      }
      return expect.fail(`${url} should have been refused`)
    }
    const cases: [string, RegExp][] = [
      ['postgres://app:hunter2@db:99999/app', /^DATABASE_URL is not a valid postgres:\/\/ URL/],
      ['postgres://app:hunter2@/app', /^DATABASE_URL names no host/],
      ['postgres:///app', /^DATABASE_URL names no host/],
      ['postgres://app:hunter2@db', /^DATABASE_URL names no database/],
      ['postgres://app:hunter2@db/', /^DATABASE_URL names no database/],
      [
        'postgres://db/app?sslmode=on',
        /^DATABASE_URL: sslmode must be one of disable, prefer, require, verify-ca, verify-full, not "on"$/,
      ],
      [
        'postgres://db/app?sslmode=no-verify',
        /^DATABASE_URL: sslmode=no-verify is written sslmode=require/,
      ],
      [
        'postgres://db/app?sslmode=verify-ca',
        /^DATABASE_URL: sslmode=verify-ca needs sslrootcert=/,
      ],
    ]
    for (const [url, expected] of cases) {
      const message = refusal(url)
      expect(message).toMatch(expected)
      expect(message).not.toContain('hunter2')
      expect(message).not.toContain('\n')
    }
  })

  it('refuses what would lose data or is not supported, in one line', () => {
    expect(() => parseDatabaseUrl('sqlite::memory:')).toThrow(/must name a file/)
    expect(() => parseDatabaseUrl('')).toThrow(/empty/)
    expect(() => parseDatabaseUrl('mysql://localhost/test')).toThrow(/unknown database scheme/)
  })
})

import { describe, expect, it } from 'vitest'
import { redactUrl } from './redactUrl.ts'

describe('redactUrl', () => {
  it('hides a PostgreSQL password, in the user part or as a parameter', () => {
    expect(redactUrl('postgres://app:hunter2@db:5432/app')).toBe('postgres://app:***@db:5432/app')
    expect(redactUrl('postgresql://app@db/app?password=hunter2&sslmode=require')).toBe(
      'postgresql://app@db/app?password=***&sslmode=require',
    )
  })

  it('leaves a URL without a password, and a SQLite location, as they are', () => {
    expect(redactUrl('postgres://app@db/app')).toBe('postgres://app@db/app')
    expect(redactUrl('sqlite:./data/passkey-id.db')).toBe('sqlite:./data/passkey-id.db')
  })

  it('never echoes a PostgreSQL URL it cannot parse, which may hold a password', () => {
    expect(redactUrl('postgres://app:hunter2@db:99999/app')).toBe('postgres://(not a valid URL)')
  })
})

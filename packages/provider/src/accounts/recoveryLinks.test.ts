import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import type { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openProviderStore } from '../store/openProviderStore.ts'
import type { ProviderDatabase } from '../store/schema.ts'
import { insertAccount } from './accountStore.ts'
import {
  createRecoveryLinks,
  RECOVERY_LINK_LIFETIME_MS,
  type RecoveryLinks,
} from './recoveryLinks.ts'

describe('recovery links', () => {
  let database: TestDatabase
  let db: Kysely<ProviderDatabase>
  let links: RecoveryLinks
  let accountId: string
  let shift = 0

  beforeEach(async () => {
    database = await testDatabaseUrl()
    db = await openProviderStore(database.url)
    shift = 0
    links = createRecoveryLinks(db, 'a server secret', () => Date.now() + shift)
    const account = await insertAccount(db, {
      username: 'alice',
      email: 'Alice@Example.com',
      userHandle: 'handle',
    })
    accountId = account.id
    await db
      .updateTable('accounts')
      .set({ email_verified_at: new Date().toISOString(), verified_email_key: 'alice@example.com' })
      .execute()
  })
  afterEach(async () => {
    await db.destroy()
    await database.drop()
  })

  it('stores only an HMAC of the token, and finds the link by it', async () => {
    const { token, expiresAt } = await links.issue(accountId, 'Alice@Example.com')
    expect(token).toMatch(/^[\w-]{43}$/)
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(RECOVERY_LINK_LIFETIME_MS - 60_000)
    const rows = await db.selectFrom('recovery_links').selectAll().execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]?.token_hash).toMatch(/^[\w-]{43}$/)
    expect(JSON.stringify(rows)).not.toContain(token)
    expect(await links.check(token)).toEqual({
      outcome: 'valid',
      accountId,
      email: 'Alice@Example.com',
    })
    // The same token under another key is another hash: a copy of the table without the key holds
    // nothing that works.
    const otherKey = createRecoveryLinks(db, 'another secret')
    expect(await otherKey.check(token)).toEqual({ outcome: 'unknown' })
  })

  it('refuses malformed and unknown tokens without spending anything', async () => {
    const { token } = await links.issue(accountId, null)
    for (const guess of [
      '',
      'short',
      `${token}x`,
      token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
      '\0'.repeat(43),
    ])
      expect(await links.check(guess)).toEqual({ outcome: 'unknown' })
    expect(await links.check(token)).toMatchObject({ outcome: 'valid', email: null })
  })

  it('works once: of 10 spends at once one wins, and a replay finds it used', async () => {
    const { token } = await links.issue(accountId, null)
    const spends = await Promise.all(
      Array.from({ length: 10 }, () => links.spend(token, accountId)),
    )
    expect(spends.filter(Boolean)).toHaveLength(1)
    expect(await links.check(token)).toEqual({ outcome: 'used' })
    expect(await links.spend(token, accountId)).toBe(false)
  })

  it('of two different links of one account spent at once, one wins and the other is refused, never an error', async () => {
    // Each spend marks its own link used, then voids the others: without an order between them, two
    // spends at once each held the row the other wanted (a deadlock on PostgreSQL, answered 500).
    for (let round = 0; round < 20; round += 1) {
      const first = await links.issue(accountId, null)
      const second = await links.issue(accountId, null)
      const spends = await Promise.all([
        links.spend(first.token, accountId),
        links.spend(second.token, accountId),
      ])
      expect(spends.filter(Boolean)).toHaveLength(1)
      await db.deleteFrom('recovery_links').execute()
    }
  })

  it('voids the account’s other links when one is spent, and a released link works again', async () => {
    const first = await links.issue(accountId, null)
    const second = await links.issue(accountId, null)
    expect(await links.spend(second.token, 'another account')).toBe(false)
    expect(await links.spend(first.token, accountId)).toBe(true)
    expect(await links.check(second.token)).toEqual({ outcome: 'unknown' })
    await links.release(first.token)
    expect(await links.check(first.token)).toMatchObject({ outcome: 'valid' })
  })

  it('expires after 15 minutes', async () => {
    const { token } = await links.issue(accountId, null)
    shift = RECOVERY_LINK_LIFETIME_MS + 1000
    expect(await links.check(token)).toEqual({ outcome: 'expired' })
    expect(await links.spend(token, accountId)).toBe(false)
  })

  it('works only while the address it was mailed to is still the verified one', async () => {
    const { token } = await links.issue(accountId, 'Alice@Example.com')
    await db
      .updateTable('accounts')
      .set({ email: 'new@example.com', email_verified_at: null, verified_email_key: null })
      .execute()
    expect(await links.check(token)).toEqual({ outcome: 'void' })
  })

  it('goes with its account', async () => {
    await links.issue(accountId, null)
    await db.deleteFrom('accounts').execute()
    expect(await db.selectFrom('recovery_links').selectAll().execute()).toEqual([])
  })
})

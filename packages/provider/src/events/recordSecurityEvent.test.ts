import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import Fastify, { type FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { insertAccount } from '../accounts/accountStore.ts'
import { openProviderStore } from '../store/openProviderStore.ts'
import type { ProviderDatabase } from '../store/schema.ts'
import { listSecurityEvents } from './listSecurityEvents.ts'
import { recordSecurityEvent, SECURITY_EVENTS_PER_ACCOUNT } from './recordSecurityEvent.ts'

describe('recordSecurityEvent', () => {
  let database: TestDatabase
  let db: Kysely<ProviderDatabase>
  let lines: Record<string, unknown>[]
  let source: { ip: string; log: FastifyBaseLogger }

  beforeEach(async () => {
    database = await testDatabaseUrl()
    db = await openProviderStore(database.url)
    lines = []
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>)
        done()
      },
    })
    // The logger the provider's requests log with: Fastify's pino.
    source = { ip: '198.51.100.4', log: Fastify({ logger: { level: 'info', stream } }).log }
  })
  afterEach(async () => {
    await db.destroy()
    await database.drop()
  })

  async function newAccount(username: string): Promise<string> {
    const userHandle = randomBytes(16).toString('base64url')
    return (await insertAccount(db, { username, email: null, userHandle })).id
  }

  it(`keeps an account's last ${SECURITY_EVENTS_PER_ACCOUNT} events, newest first, and no more`, async () => {
    const alice = await newAccount('alice')
    const bob = await newAccount('bob')
    await recordSecurityEvent(db, source, { kind: 'sign_up', account: bob })
    const extra = 5
    for (let n = 1; n <= SECURITY_EVENTS_PER_ACCOUNT + extra; n += 1) {
      await recordSecurityEvent(db, source, {
        kind: n % 2 === 0 ? 'sign_in' : 'passkey_renamed',
        account: alice,
        clientId: `http://localhost:${8000 + n}`,
      })
    }
    const rows = await db
      .selectFrom('security_events')
      .select(['seq', 'client_id'])
      .where('account_id', '=', alice)
      .orderBy('seq')
      .execute()
    expect(rows).toHaveLength(SECURITY_EVENTS_PER_ACCOUNT)
    expect(rows[0]).toEqual({ seq: extra + 1, client_id: `http://localhost:${8000 + extra + 1}` })
    expect(rows.at(-1)?.seq).toBe(SECURITY_EVENTS_PER_ACCOUNT + extra)

    const last = SECURITY_EVENTS_PER_ACCOUNT + extra
    expect(await listSecurityEvents(db, alice, 2)).toEqual([
      {
        kind: last % 2 === 0 ? 'sign_in' : 'passkey_renamed',
        ip: '198.51.100.4',
        clientId: `http://localhost:${8000 + last}`,
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
      {
        kind: (last - 1) % 2 === 0 ? 'sign_in' : 'passkey_renamed',
        ip: '198.51.100.4',
        clientId: `http://localhost:${8000 + last - 1}`,
        at: expect.any(String),
      },
    ])
    // The other account's ring is its own.
    expect(await listSecurityEvents(db, bob, 10)).toEqual([
      { kind: 'sign_up', ip: '198.51.100.4', clientId: null, at: expect.any(String) },
    ])
  })

  it('logs every event as one structured line', async () => {
    const alice = await newAccount('alice')
    await recordSecurityEvent(db, source, {
      kind: 'app_allowed',
      account: alice,
      clientId: 'https://app.example',
    })
    await recordSecurityEvent(db, source, { kind: 'sign_in_failed', account: alice })
    expect(
      lines.map(({ level, event, kind, account, ip, client_id }) => ({
        level,
        event,
        kind,
        account,
        ip,
        client_id,
      })),
    ).toEqual([
      {
        level: 30,
        event: 'security',
        kind: 'app_allowed',
        account: alice,
        ip: '198.51.100.4',
        client_id: 'https://app.example',
      },
      // A failure is a warning, seen at npm start's LOG_LEVEL=warn.
      {
        level: 40,
        event: 'security',
        kind: 'sign_in_failed',
        account: alice,
        ip: '198.51.100.4',
        client_id: undefined,
      },
    ])
  })

  it('logs an event without an account, or an account deletion, and stores neither', async () => {
    const alice = await newAccount('alice')
    await recordSecurityEvent(db, source, { kind: 'sign_in_failed' })
    await recordSecurityEvent(db, source, { kind: 'rate_limited' })
    await recordSecurityEvent(db, source, { kind: 'account_deleted', account: alice })
    await recordSecurityEvent(db, source, { kind: 'account_deleted_by_operator', account: alice })
    expect(lines.map((line) => line.kind)).toEqual([
      'sign_in_failed',
      'rate_limited',
      'account_deleted',
      'account_deleted_by_operator',
    ])
    expect(await db.selectFrom('security_events').selectAll().execute()).toEqual([])
  })

  it('never throws: a row that cannot be written is logged and the caller goes on', async () => {
    // An account deleted meanwhile: the foreign key refuses the row.
    await expect(
      recordSecurityEvent(db, source, { kind: 'passkey_added', account: 'no-such-account' }),
    ).resolves.toBeUndefined()
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [30, 'security event: passkey_added'],
      [40, 'a security event was logged but could not be stored'],
    ])
    expect(lines[1]).toMatchObject({ kind: 'passkey_added', account: 'no-such-account' })
  })
})

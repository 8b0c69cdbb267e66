import { randomBytes } from 'node:crypto'
import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import type { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openTwoInstances } from '../../test/support/openTwoInstances.ts'
import { openProviderStore } from '../store/openProviderStore.ts'
import type { ProviderDatabase } from '../store/schema.ts'
import { createPasskeyStore, type NewPasskey, type PasskeyStore } from './passkeyStore.ts'

function newPasskey(): NewPasskey {
  return {
    id: randomBytes(16).toString('base64url'),
    publicKey: randomBytes(77),
    counter: 0,
    transports: ['internal'],
    deviceType: 'multiDevice',
    backedUp: true,
    aaguid: '00000000-0000-0000-0000-000000000000',
  }
}

/** An account with two passkeys: the ids of the account and of both passkeys. */
async function accountWithTwoPasskeys(passkeys: PasskeyStore, username: string) {
  const [first, second] = [newPasskey(), newPasskey()]
  const account = await passkeys.createAccountWithPasskey(
    { username, email: null, userHandle: randomBytes(16).toString('base64url') },
    first,
  )
  await passkeys.add(account.id, second)
  return { accountId: account.id, passkeyIds: [first.id, second.id] as const }
}

describe('PasskeyStore', () => {
  let database: TestDatabase
  let db: Kysely<ProviderDatabase>
  let passkeys: PasskeyStore

  beforeEach(async () => {
    database = await testDatabaseUrl()
    db = await openProviderStore(database.url)
    passkeys = createPasskeyStore(db)
  })
  afterEach(async () => {
    await db.destroy()
    await database.drop()
  })

  it('keeps the last passkey unless told otherwise, and says which case it was', async () => {
    const { accountId, passkeyIds } = await accountWithTwoPasskeys(passkeys, 'alice')
    const [first, second] = passkeyIds
    expect(await passkeys.remove(accountId, 'no-such-passkey', { evenTheLast: false })).toBe(
      'not-found',
    )
    expect(await passkeys.remove(accountId, first, { evenTheLast: false })).toBe('removed')
    expect(await passkeys.remove(accountId, first, { evenTheLast: false })).toBe('not-found')
    expect(await passkeys.remove(accountId, second, { evenTheLast: false })).toBe('last')
    expect(await passkeys.list(accountId)).toHaveLength(1)
    expect(await passkeys.remove(accountId, second, { evenTheLast: true })).toBe('removed')
    expect(await passkeys.list(accountId)).toEqual([])
  })

  it('removes one of the last two when both are removed at once', async () => {
    const { accountId, passkeyIds } = await accountWithTwoPasskeys(passkeys, 'bob')
    const outcomes = await Promise.all(
      passkeyIds.map((id) => passkeys.remove(accountId, id, { evenTheLast: false })),
    )
    expect(outcomes.sort()).toEqual(['last', 'removed'])
    expect(await passkeys.list(accountId)).toHaveLength(1)
  })

  async function storedCounter(passkeyId: string): Promise<number> {
    const row = await db
      .selectFrom('passkeys')
      .select('counter')
      .where('id', '=', passkeyId)
      .executeTakeFirstOrThrow()
    return Number(row.counter)
  }

  it('never writes the counter backwards: a stale count updates nothing', async () => {
    const { passkeyIds } = await accountWithTwoPasskeys(passkeys, 'carol')
    const [id] = passkeyIds
    expect(await passkeys.recordUse(id, 7)).toBe(true)
    expect(await passkeys.recordUse(id, 6)).toBe(false)
    expect(await passkeys.recordUse(id, 7)).toBe(false)
    expect(await passkeys.recordUse(id, 0)).toBe(false)
    expect(await storedCounter(id)).toBe(7)
    expect(await passkeys.recordUse(id, 8)).toBe(true)
    expect(await storedCounter(id)).toBe(8)
  })

  it('keeps accepting an authenticator that always counts 0, and records its use', async () => {
    const { accountId, passkeyIds } = await accountWithTwoPasskeys(passkeys, 'dave')
    const [id] = passkeyIds
    expect(await passkeys.recordUse(id, 0)).toBe(true)
    expect(await passkeys.recordUse(id, 0)).toBe(true)
    expect(await storedCounter(id)).toBe(0)
    const used = (await passkeys.list(accountId)).find((passkey) => passkey.id === id)
    expect(used?.last_used_at).toEqual(expect.any(String))
  })

  // Two instances (two connection pools on one database) record the answers counting n+1 and n+2
  // of one passkey at the same moment, each instance and each order in turn: the stored count must
  // end at n+2 every round. With an unconditional update, n+1 won whenever it was written last.
  it('ends at the higher of two counts recorded at once from two instances', async () => {
    const second = await openProviderStore(database.url)
    try {
      const instances = [passkeys, createPasskeyStore(second)] as const
      const { passkeyIds } = await accountWithTwoPasskeys(passkeys, 'erin')
      const [id] = passkeyIds
      for (let round = 0; round < 40; round++) {
        const n = 2 * round
        const [lower, higher] = round % 2 === 0 ? instances : [instances[1], instances[0]]
        const recordLower = () => lower.recordUse(id, n + 1)
        const recordHigher = () => higher.recordUse(id, n + 2)
        const [lowerRecorded, higherRecorded] =
          round % 4 < 2
            ? await Promise.all([recordLower(), recordHigher()])
            : await Promise.all([recordHigher(), recordLower()]).then(([h, l]) => [l, h])
        expect(higherRecorded).toBe(true)
        expect([true, false]).toContain(lowerRecorded)
        expect(await storedCounter(id)).toBe(n + 2)
      }
    } finally {
      await second.destroy()
    }
  })
})

// Two instances on one PostgreSQL database, each with its own pool, remove an account's last two
// passkeys at the same moment. The count inside each delete used to read its own snapshot, where
// both were still there: 178-183 accounts in 200 were left with none.
describe('PasskeyStore.remove from two instances on PostgreSQL', () => {
  const ROUNDS = 60

  it('never leaves an account without a passkey', async () => {
    const { first, second, close } = await openTwoInstances()
    try {
      const instances = [createPasskeyStore(first), createPasskeyStore(second)] as const
      let leftWithOne = 0
      for (let round = 0; round < ROUNDS; round++) {
        const { accountId, passkeyIds } = await accountWithTwoPasskeys(instances[0], `user${round}`)
        const [a, b] = passkeyIds
        const outcomes = await Promise.all([
          instances[0].remove(accountId, a, { evenTheLast: false }),
          instances[1].remove(accountId, b, { evenTheLast: false }),
        ])
        expect(outcomes.sort()).toEqual(['last', 'removed'])
        if ((await instances[0].list(accountId)).length === 1) leftWithOne += 1
      }
      expect(leftWithOne).toBe(ROUNDS)
    } finally {
      await close()
    }
  })
})

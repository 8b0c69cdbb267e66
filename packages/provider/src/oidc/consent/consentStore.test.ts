import { randomBytes } from 'node:crypto'
import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import type { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openTwoInstances } from '../../../test/support/openTwoInstances.ts'
import { storeApprovals } from '../../../test/support/storeApprovals.ts'
import { insertAccount } from '../../accounts/accountStore.ts'
import { openProviderStore } from '../../store/openProviderStore.ts'
import type { ProviderDatabase } from '../../store/schema.ts'
import { APPS_PER_ACCOUNT, type ConsentStore, createConsentStore } from './consentStore.ts'

const APP = 'http://localhost:8000'

async function newAccount(db: Kysely<ProviderDatabase>, username: string): Promise<string> {
  const userHandle = randomBytes(16).toString('base64url')
  return (await insertAccount(db, { username, email: null, userHandle })).id
}

describe('ConsentStore.remember', () => {
  let database: TestDatabase
  let db: Kysely<ProviderDatabase>
  let consents: ConsentStore

  beforeEach(async () => {
    database = await testDatabaseUrl()
    db = await openProviderStore(database.url)
    consents = createConsentStore(db)
  })
  afterEach(async () => {
    await db.destroy()
    await database.drop()
  })

  it('adds to what was allowed before, each scope once', async () => {
    const account = await newAccount(db, 'alice')
    expect(await consents.scopesFor(account, APP)).toEqual([])
    await consents.remember(account, APP, ['openid', 'profile'])
    await consents.remember(account, APP, ['email', 'openid'])
    expect(await consents.scopesFor(account, APP)).toEqual(['email', 'openid', 'profile'])
    expect((await consents.list(account)).map((app) => app.clientId)).toEqual([APP])
  })

  it(`refuses a new app past ${APPS_PER_ACCOUNT}, and still adds to the apps allowed before`, async () => {
    const account = await newAccount(db, 'carol')
    await storeApprovals(db, account, APPS_PER_ACCOUNT - 1)
    expect(await consents.remember(account, APP, ['openid'], `${APP}/cb`)).toBe(true)
    expect(await consents.remember(account, 'https://one-more.example', ['openid'])).toBe(false)
    expect(await consents.scopesFor(account, 'https://one-more.example')).toEqual([])
    expect(await consents.remember(account, APP, ['email'], `${APP}/other`)).toBe(true)
    expect(await consents.scopesFor(account, APP)).toEqual(['email', 'openid'])
    expect(await consents.list(account)).toHaveLength(APPS_PER_ACCOUNT)
  })

  it('keeps every scope of approvals made at the same moment', async () => {
    const account = await newAccount(db, 'bob')
    await Promise.all([
      consents.remember(account, APP, ['openid', 'profile']),
      consents.remember(account, APP, ['openid', 'email']),
    ])
    expect(await consents.scopesFor(account, APP)).toEqual(['email', 'openid', 'profile'])
  })
})

// Two instances approving for one account at the same moment.
describe('ConsentStore.remember from two instances on PostgreSQL', () => {
  const ROUNDS = 40
  let instances: Awaited<ReturnType<typeof openTwoInstances>>
  let one: ConsentStore
  let other: ConsentStore

  beforeEach(async () => {
    instances = await openTwoInstances()
    one = createConsentStore(instances.first)
    other = createConsentStore(instances.second)
  })
  afterEach(() => instances.close())

  // The read-merge-write lost one instance's scopes in 192-197 rounds of 200.
  it('loses no scope', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const account = await newAccount(instances.first, `user${round}`)
      // The first approval creates the row; the second one's insert meets it, or its update.
      await Promise.all([
        one.remember(account, APP, ['openid', 'profile']),
        other.remember(account, APP, ['openid', 'email']),
      ])
      await Promise.all([
        one.remember(account, APP, ['address']),
        other.remember(account, APP, ['phone']),
      ])
      expect(await one.scopesFor(account, APP)).toEqual([
        'address',
        'email',
        'openid',
        'phone',
        'profile',
      ])
    }
  })

  // Each instance counted the account's apps in its own snapshot: both would store a new app.
  it(`allows one of two new apps approved at once for the last of ${APPS_PER_ACCOUNT} places`, async () => {
    for (let round = 0; round < 5; round++) {
      const account = await newAccount(instances.first, `full${round}`)
      await storeApprovals(instances.first, account, APPS_PER_ACCOUNT - 1)
      const outcomes = await Promise.all([
        one.remember(account, 'https://last-a.example', ['openid']),
        other.remember(account, 'https://last-b.example', ['openid']),
      ])
      expect(outcomes.sort()).toEqual([false, true])
      expect(await one.list(account)).toHaveLength(APPS_PER_ACCOUNT)
    }
  })
})

import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import type { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openProviderStore } from '../store/openProviderStore.ts'
import type { ProviderDatabase } from '../store/schema.ts'
import {
  type AccountStore,
  createAccountStore,
  insertAccount,
  randomId,
  UsernameTakenError,
} from './accountStore.ts'

describe('AccountStore.updateProfile', () => {
  let database: TestDatabase
  let db: Kysely<ProviderDatabase>
  let accounts: AccountStore

  beforeEach(async () => {
    database = await testDatabaseUrl()
    db = await openProviderStore(database.url)
    accounts = createAccountStore(db)
  })
  afterEach(async () => {
    await db.destroy()
    await database.drop()
  })

  function signUp(username: string) {
    return insertAccount(db, { username, email: null, userHandle: randomId() })
  }

  it('starts a new account with an empty profile', async () => {
    const account = await signUp('alice')
    expect(account).toMatchObject({
      username: 'alice',
      phone_number: null,
      profile_updated_at: null,
    })
    expect(await accounts.findById(account.id)).toEqual(account)
  })

  it('sets and clears fields, leaves absent ones alone, and records when', async () => {
    const account = await signUp('alice')
    const first = await accounts.updateProfile(account.id, {
      name: 'Alice Example',
      phone_number: '+41446681800',
      address_street: 'Main St 1\nFlat 2',
    })
    expect(first).toMatchObject({
      username: 'alice',
      name: 'Alice Example',
      phone_number: '+41446681800',
      address_street: 'Main St 1\nFlat 2',
      created_at: account.created_at,
    })
    expect(first.profile_updated_at).toEqual(expect.any(String))
    expect(first.updated_at).toBe(first.profile_updated_at)

    const second = await accounts.updateProfile(account.id, { name: null, avatar: 'owl' })
    expect(second).toMatchObject({ name: null, avatar: 'owl', phone_number: '+41446681800' })
    expect(await accounts.findById(account.id)).toEqual(second)
  })

  it('renames, keeping the case-insensitive key in step', async () => {
    const account = await signUp('alice')
    await accounts.updateProfile(account.id, { username: 'Alice.B' })
    expect(await accounts.isUsernameTaken('alice.b')).toBe(true)
    expect(await accounts.isUsernameTaken('alice')).toBe(false)
    // Changing only the case of one's own name is no conflict.
    const again = await accounts.updateProfile(account.id, { username: 'ALICE.B' })
    expect(again.username).toBe('ALICE.B')
  })

  it('refuses another account’s username in any case, changing nothing', async () => {
    await signUp('bob')
    const alice = await signUp('alice')
    await expect(
      accounts.updateProfile(alice.id, { username: 'BOB', name: 'Not Bob' }),
    ).rejects.toBeInstanceOf(UsernameTakenError)
    expect(await accounts.findById(alice.id)).toEqual(alice)
  })

  it('fails for an account that does not exist', async () => {
    await expect(accounts.updateProfile('nobody', { name: 'X' })).rejects.toThrow(/no account/)
  })
})

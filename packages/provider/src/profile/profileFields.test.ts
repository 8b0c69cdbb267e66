import { databaseKind } from '@passkey-id/store'
import { testDatabaseUrl } from '@passkey-id/testing/database'
import { sql } from 'kysely'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { PROFILE_INPUTS } from '../account-page/profileInputs.ts'
import type { Account } from '../accounts/accountStore.ts'
import { consentPage } from '../interaction/consentPage.ts'
import { accountClaims } from '../oidc/accountClaims.ts'
import { SCOPE_CLAIMS, SCOPES } from '../oidc/scopes.ts'
import { openProviderStore } from '../store/openProviderStore.ts'
import type { AccountsTable } from '../store/schema.ts'
import type { AvatarName } from './avatars.ts'
import {
  ADDRESS_FIELDS,
  CLAIMED_FIELDS,
  PROFILE_FIELD_TABLE,
  PROFILE_FIELDS,
  type ProfileField,
} from './profileFields.ts'
import type { ProfileUpdate } from './validateProfile.ts'

const ISSUER = 'https://id.example.com'

/** An account with every profile field filled in, each with a value naming its field. */
const FULL_ACCOUNT: Account = {
  id: 'acc1',
  user_handle: 'handle',
  username_key: 'alice',
  created_at: '2024-01-01T00:00:00.000Z',
  updated_at: '2024-01-01T00:00:00.000Z',
  profile_updated_at: null,
  disabled_at: null,
  email_verified_at: null,
  verified_email_key: null,
  ...(Object.fromEntries(PROFILE_FIELDS.map((field) => [field, `${field} value`])) as Record<
    ProfileField,
    string
  >),
}

describe('the profile-field table', () => {
  it('types the accounts table and the profile update from the fields', () => {
    expectTypeOf<ProfileField>().toExtend<keyof AccountsTable>()
    expectTypeOf<AccountsTable['username']>().toEqualTypeOf<string>()
    expectTypeOf<AccountsTable['given_name']>().toEqualTypeOf<string | null>()
    expectTypeOf<keyof ProfileUpdate>().toEqualTypeOf<ProfileField>()
    expectTypeOf<ProfileUpdate['avatar']>().toEqualTypeOf<AvatarName | undefined>()
    expectTypeOf<ProfileUpdate['given_name']>().toEqualTypeOf<string | null | undefined>()
    expect(PROFILE_FIELDS.filter((field) => PROFILE_FIELD_TABLE[field].required)).toEqual([
      'username',
      'avatar',
    ])
  })

  it('matches the columns the migrations create: one per field, not null where required', async () => {
    const database = await testDatabaseUrl()
    const db = await openProviderStore(database.url)
    try {
      // Each database's own catalog, limited to this test's schema on PostgreSQL. (Kysely's
      // introspection reads every schema of the database, and fails when another test drops one.)
      const columns =
        databaseKind(db) === 'postgres'
          ? (
              await sql<{ name: string; nullable: boolean }>`
                select column_name as name, is_nullable = 'YES' as nullable
                  from information_schema.columns
                 where table_schema = current_schema() and table_name = 'accounts'`.execute(db)
            ).rows
          : (
              await sql<{ name: string; notnull: number }>`pragma table_info(accounts)`.execute(db)
            ).rows.map((row) => ({ name: row.name, nullable: row.notnull === 0 }))
      for (const field of PROFILE_FIELDS) {
        const column = columns.find((candidate) => candidate.name === field)
        expect(column?.nullable, field).toBe(!PROFILE_FIELD_TABLE[field].required)
      }
    } finally {
      await db.destroy()
      await database.drop()
    }
  })

  it('lists each field’s claims under the scope that shares it, and releases exactly those', () => {
    for (const field of CLAIMED_FIELDS) {
      expect(SCOPE_CLAIMS[field.scope], field.field).toContain(field.claim)
      if (field.verifiedClaim !== undefined)
        expect(SCOPE_CLAIMS[field.scope]).toContain(field.verifiedClaim)
    }
    for (const { field } of ADDRESS_FIELDS) expect(PROFILE_FIELD_TABLE[field].scope).toBe('address')
    const released = Object.keys(accountClaims(FULL_ACCOUNT, ISSUER))
    expect(released.sort()).toEqual(SCOPES.flatMap((scope) => SCOPE_CLAIMS[scope]).sort())
  })

  it('asks for every field but the avatar on the form, in table order, under its scope', () => {
    expect(PROFILE_INPUTS.map((input) => input.field)).toEqual(
      PROFILE_FIELDS.filter((field) => field !== 'avatar'),
    )
    for (const input of PROFILE_INPUTS) {
      expect(input.group).toContain(`(${PROFILE_FIELD_TABLE[input.field].scope} scope)`)
    }
  })

  it('labels every claimed field, and the address, on the consent page', () => {
    const page = consentPage({
      interactionUid: 'uid',
      clientId: 'https://app.example.com',
      issuer: ISSUER,
      account: FULL_ACCOUNT,
      scopes: SCOPES,
      redirectUri: 'https://app.example.com/callback',
      onlyNewDestination: false,
    })
    for (const { consentLabel } of CLAIMED_FIELDS) expect(page).toContain(`<li>${consentLabel}: `)
    expect(page).toContain('<li>Your address: ')
    expect(page).not.toContain('Nothing is filled in yet')
  })
})

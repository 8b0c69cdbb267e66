import { describe, expect, it } from 'vitest'
import type { Account } from '../accounts/accountStore.ts'
import { accountClaims } from './accountClaims.ts'

const ISSUER = 'https://id.example.com'

const EMPTY_ACCOUNT: Account = {
  id: 'acc1',
  user_handle: 'handle',
  username: 'alice',
  username_key: 'alice',
  email: null,
  avatar: 'fox',
  created_at: '2024-01-01T00:00:00.000Z',
  updated_at: '2024-01-01T00:00:00.000Z',
  phone_number: null,
  name: null,
  given_name: null,
  family_name: null,
  birthdate: null,
  gender: null,
  locale: null,
  zoneinfo: null,
  website: null,
  address_street: null,
  address_locality: null,
  address_region: null,
  address_postal_code: null,
  address_country: null,
  profile_updated_at: null,
  disabled_at: null,
  email_verified_at: null,
  verified_email_key: null,
}

describe('accountClaims', () => {
  it('gives an account with nothing filled in only its identity and avatar', () => {
    expect(accountClaims(EMPTY_ACCOUNT, ISSUER)).toEqual({
      sub: 'acc1',
      nickname: 'alice',
      preferred_username: 'alice',
      picture: 'https://id.example.com/avatars/fox.svg',
    })
  })

  it('says email_verified true once the address is verified, and never for a phone number', () => {
    const claims = accountClaims(
      {
        ...EMPTY_ACCOUNT,
        email: 'alice@example.com',
        email_verified_at: '2024-05-06T07:08:09.999Z',
        verified_email_key: 'alice@example.com',
        phone_number: '+41446681800',
      },
      ISSUER,
    )
    expect(claims).toMatchObject({ email_verified: true, phone_number_verified: false })
  })

  it('treats empty text as not filled in', () => {
    const claims = accountClaims(
      { ...EMPTY_ACCOUNT, email: '', phone_number: '', name: '', address_country: '' },
      ISSUER,
    )
    expect(Object.keys(claims).sort()).toEqual(['nickname', 'picture', 'preferred_username', 'sub'])
  })

  it('releases a whole profile, with the verification flags false and updated_at in seconds', () => {
    const claims = accountClaims(
      {
        ...EMPTY_ACCOUNT,
        email: 'alice@example.com',
        phone_number: '+41446681800',
        name: 'Alice Example',
        given_name: 'Alice',
        family_name: 'Example',
        birthdate: '0000-07-31',
        gender: 'female',
        locale: 'de-CH',
        zoneinfo: 'Europe/Zurich',
        website: 'https://alice.example/',
        address_street: 'Bahnhofstrasse 1\nPostfach',
        address_locality: 'Zürich',
        address_region: 'ZH',
        address_postal_code: '8001',
        address_country: 'Switzerland',
        profile_updated_at: '2024-05-06T07:08:09.999Z',
      },
      ISSUER,
    )
    expect(claims).toEqual({
      sub: 'acc1',
      nickname: 'alice',
      preferred_username: 'alice',
      picture: 'https://id.example.com/avatars/fox.svg',
      email: 'alice@example.com',
      email_verified: false,
      phone_number: '+41446681800',
      phone_number_verified: false,
      name: 'Alice Example',
      given_name: 'Alice',
      family_name: 'Example',
      birthdate: '0000-07-31',
      gender: 'female',
      locale: 'de-CH',
      zoneinfo: 'Europe/Zurich',
      website: 'https://alice.example/',
      updated_at: Date.UTC(2024, 4, 6, 7, 8, 9) / 1000,
      address: {
        formatted: 'Bahnhofstrasse 1\nPostfach\n8001 Zürich\nZH\nSwitzerland',
        street_address: 'Bahnhofstrasse 1\nPostfach',
        locality: 'Zürich',
        region: 'ZH',
        postal_code: '8001',
        country: 'Switzerland',
      },
    })
  })

  it('sends only the address parts filled in', () => {
    const claims = accountClaims({ ...EMPTY_ACCOUNT, address_country: 'CH' }, ISSUER)
    expect(claims.address).toEqual({ formatted: 'CH', country: 'CH' })
    expect(
      accountClaims(
        { ...EMPTY_ACCOUNT, address_locality: 'Bern', address_postal_code: '3000' },
        ISSUER,
      ).address,
    ).toEqual({ formatted: '3000 Bern', locality: 'Bern', postal_code: '3000' })
  })

  it('dates updated_at from sign-up when the profile was filled in without an edit time', () => {
    const claims = accountClaims({ ...EMPTY_ACCOUNT, given_name: 'Alice' }, ISSUER)
    expect(claims.updated_at).toBe(Date.UTC(2024, 0, 1) / 1000)
    expect(Number.isInteger(claims.updated_at)).toBe(true)
  })

  it('sends no updated_at without a profile claim, even after other edits', () => {
    const claims = accountClaims(
      {
        ...EMPTY_ACCOUNT,
        phone_number: '+41446681800',
        profile_updated_at: '2024-05-06T00:00:00Z',
      },
      ISSUER,
    )
    expect(claims).not.toHaveProperty('updated_at')
    expect(claims.phone_number).toBe('+41446681800')
  })
})

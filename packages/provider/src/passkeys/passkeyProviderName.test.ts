import { PROVIDER_AAGUIDS, TEST_PASSKEY_PROVIDER_LIST } from '@passkey-id/testing/provider'
import { describe, expect, it } from 'vitest'
import { passkeyProviderName } from './passkeyProviderName.ts'
import { PASSKEY_NAME_MAX_LENGTH } from './passkeyStore.ts'
import { readPasskeyProviderList } from './readPasskeyProviderList.ts'

const MAX = PASSKEY_NAME_MAX_LENGTH

describe('passkeyProviderName', () => {
  it('names the passkey providers people use, whatever the letter case of the AAGUID', () => {
    expect(passkeyProviderName('ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4', MAX)).toBe(
      'Google Password Manager',
    )
    expect(passkeyProviderName('BADA5566-A7AA-401F-BD96-45619A55120D', MAX)).toBe('1Password')
    expect(passkeyProviderName('d548826e-79b4-db40-a3d8-11116f7e8349', MAX)).toBe('Bitwarden')
    expect(passkeyProviderName('fbfc3007-154e-4ecc-8c0b-6e020557d7bd', MAX)).toMatch(
      /^(iCloud Keychain|Apple Passwords)$/,
    )
  })

  it('takes the name from the community list where it has the AAGUID, else from the package', () => {
    const list = readPasskeyProviderList(
      JSON.stringify({
        [PROVIDER_AAGUIDS.iCloudKeychain]: { name: 'iCloud Keychain' },
        [PROVIDER_AAGUIDS.onePassword]: { name: '1Password (renamed upstream)' },
      }),
    )
    expect(passkeyProviderName(PROVIDER_AAGUIDS.iCloudKeychain, MAX, list)).toBe('iCloud Keychain')
    expect(passkeyProviderName(PROVIDER_AAGUIDS.onePassword, MAX, list)).toBe(
      '1Password (renamed upstream)',
    )
    expect(passkeyProviderName(PROVIDER_AAGUIDS.googlePasswordManager, MAX, list)).toBe(
      'Google Password Manager',
    )
    const full = readPasskeyProviderList(TEST_PASSKEY_PROVIDER_LIST)
    expect(passkeyProviderName('00000000-0000-0000-0000-000000000000', MAX, full)).toBeUndefined()
    expect(passkeyProviderName('00010203-0405-0607-0809-0a0b0c0d0e0f', MAX, full)).toBeUndefined()
  })

  it('gives no name for the all-zero AAGUID, an unknown one, or a key of Object.prototype', () => {
    expect(passkeyProviderName('00000000-0000-0000-0000-000000000000', MAX)).toBeUndefined()
    expect(passkeyProviderName('00010203-0405-0607-0809-0a0b0c0d0e0f', MAX)).toBeUndefined()
    expect(passkeyProviderName('constructor', MAX)).toBeUndefined()
    expect(passkeyProviderName('__proto__', MAX)).toBeUndefined()
  })

  it(`shortens a model name longer than ${PASSKEY_NAME_MAX_LENGTH} characters to fit the rename field`, () => {
    // A FIDO certified security key whose name in the list is 67 characters long.
    const long = passkeyProviderName('39589099-9a75-49fc-afaa-801ca211c62a', MAX)
    expect(long).toHaveLength(PASSKEY_NAME_MAX_LENGTH)
    expect(long?.endsWith('…')).toBe(true)
  })
})

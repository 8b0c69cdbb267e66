import { PROVIDER_AAGUIDS, TEST_PASSKEY_PROVIDER_LIST } from '@passkey-id/testing/provider'
import { describe, expect, it } from 'vitest'
import { passkeyProviderIcon } from './passkeyProviderIcon.ts'
import { readPasskeyProviderList } from './readPasskeyProviderList.ts'

const LIST = readPasskeyProviderList(TEST_PASSKEY_PROVIDER_LIST)

describe('passkeyProviderIcon', () => {
  it("gives a known provider's icon for each color scheme, whatever the AAGUID's letter case", () => {
    for (const aaguid of [
      PROVIDER_AAGUIDS.iCloudKeychain,
      PROVIDER_AAGUIDS.googlePasswordManager,
    ]) {
      const light = passkeyProviderIcon(LIST, aaguid.toUpperCase(), 'light')
      const dark = passkeyProviderIcon(LIST, aaguid, 'dark')
      expect(light?.type).toBe('image/svg+xml')
      expect(dark?.type).toBe('image/svg+xml')
      expect(light).not.toBe(dark)
    }
  })

  it('gives a provider with one icon that icon for both schemes', () => {
    const light = passkeyProviderIcon(LIST, PROVIDER_AAGUIDS.onePassword, 'light')
    expect(light?.type).toBe('image/svg+xml')
    expect(passkeyProviderIcon(LIST, PROVIDER_AAGUIDS.onePassword, 'dark')).toBe(light)
  })

  it('gives no icon for an unknown AAGUID, the all-zero one, or a provider without an icon', () => {
    const withoutIcon = readPasskeyProviderList(
      JSON.stringify({ 'bada5566-a7aa-401f-bd96-45619a55120d': { name: '1Password' } }),
    )
    expect(passkeyProviderIcon(withoutIcon, PROVIDER_AAGUIDS.onePassword, 'light')).toBeUndefined()
    expect(
      passkeyProviderIcon(LIST, '00010203-0405-0607-0809-0a0b0c0d0e0f', 'light'),
    ).toBeUndefined()
    expect(
      passkeyProviderIcon(LIST, '00000000-0000-0000-0000-000000000000', 'dark'),
    ).toBeUndefined()
    expect(passkeyProviderIcon(LIST, '__proto__', 'light')).toBeUndefined()
  })
})

import { PROVIDER_AAGUIDS, TEST_PASSKEY_PROVIDER_LIST } from '@passkey-id/testing/provider'
import { describe, expect, it } from 'vitest'
import {
  PASSKEY_PROVIDER_LIST_MAX_ENTRIES,
  readPasskeyProviderList,
} from './readPasskeyProviderList.ts'

const ICON = `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>').toString('base64')}`

describe('readPasskeyProviderList', () => {
  it('reads the community list format: names and icons by AAGUID', () => {
    const list = readPasskeyProviderList(TEST_PASSKEY_PROVIDER_LIST)
    const google = list.get(PROVIDER_AAGUIDS.googlePasswordManager)
    expect(google?.name).toBe('Google Password Manager')
    expect(google?.light?.type).toBe('image/svg+xml')
    expect(google?.dark?.type).toBe('image/svg+xml')
    expect(google?.light?.bytes.equals(google.dark?.bytes ?? Buffer.alloc(0))).toBe(false)
    expect(list.get(PROVIDER_AAGUIDS.iCloudKeychain)?.name).toBe('iCloud Keychain')
    const onePassword = list.get(PROVIDER_AAGUIDS.onePassword)
    expect(onePassword?.name).toBe('1Password')
    expect(onePassword?.light?.type).toBe('image/svg+xml')
    expect(onePassword?.dark).toBeUndefined()
  })

  it('keeps the name of an entry whose icon is malformed, without the icon', () => {
    const list = readPasskeyProviderList(
      JSON.stringify({
        'BADA5566-A7AA-401F-BD96-45619A55120D': {
          name: ' 1Password ',
          icon_light: 'data:text/html;base64,PHNjcmlwdD4=',
          icon_dark: 'https://icons.example/1password.svg',
        },
      }),
    )
    expect(list.get('bada5566-a7aa-401f-bd96-45619a55120d')).toEqual({ name: '1Password' })
  })

  it('leaves out entries that are not an AAGUID with a name of plain text', () => {
    const list = readPasskeyProviderList(
      JSON.stringify({
        '00000000-0000-0000-0000-000000000000': { name: 'Nobody', icon_light: ICON },
        'not-an-aaguid': { name: 'Broken' },
        '11111111-1111-1111-1111-111111111111': 'Just a string',
        '22222222-2222-2222-2222-222222222222': { name: 42 },
        '33333333-3333-3333-3333-333333333333': { name: '   ' },
        '44444444-4444-4444-4444-444444444444': { name: 'Evil\u202egnp.exe' },
        '55555555-5555-5555-5555-555555555555': { name: 'x'.repeat(201) },
        '66666666-6666-6666-6666-666666666666': null,
        '77777777-7777-7777-7777-777777777777': { name: 'Kept', icon_light: ICON },
      }),
    )
    expect([...list.keys()]).toEqual(['77777777-7777-7777-7777-777777777777'])
  })

  it('refuses text that is not a JSON object, and a list too long to be real', () => {
    expect(() => readPasskeyProviderList('[]')).toThrow(/not a JSON object/)
    expect(() => readPasskeyProviderList('null')).toThrow(/not a JSON object/)
    expect(() => readPasskeyProviderList('"list"')).toThrow(/not a JSON object/)
    expect(() => readPasskeyProviderList('{')).toThrow(SyntaxError)
    const tooMany = Object.fromEntries(
      Array.from({ length: PASSKEY_PROVIDER_LIST_MAX_ENTRIES + 1 }, (_, index) => [
        `00000000-0000-0000-0000-${String(index + 1).padStart(12, '0')}`,
        { name: 'A key' },
      ]),
    )
    expect(() => readPasskeyProviderList(JSON.stringify(tooMany))).toThrow(/more than 5000/)
    // The list when retired upstream: an empty object, read as an empty list.
    expect(readPasskeyProviderList('{}').size).toBe(0)
  })
})

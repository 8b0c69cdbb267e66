import { afterEach, describe, expect, it, vi } from 'vitest'
import { AVATAR_NAMES } from './avatars.ts'
import { PROFILE_FIELDS, type ProfileField, validateProfile } from './validateProfile.ts'

/** The error `validateProfile` gives `field` for `value`, or undefined if it accepts it. */
function errorFor(field: ProfileField, value: unknown): string | undefined {
  const result = validateProfile({ [field]: value })
  return result.ok ? undefined : result.errors[field]
}

/** What `validateProfile` stores for `field` given `value`; fails the test if it refuses it. */
function accepted(field: ProfileField, value: string): unknown {
  const result = validateProfile({ [field]: value })
  if (!result.ok) throw new Error(`${field} ${JSON.stringify(value)}: ${result.errors[field]}`)
  return result.profile[field]
}

describe('validateProfile', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('accepts a whole form, trimmed and normalised', () => {
    const result = validateProfile({
      username: ' Alice.B ',
      avatar: 'owl',
      email: ' alice@example.com ',
      phone_number: '+41 (0)44 668-18-00',
      name: 'Alice Béatrice Example',
      given_name: 'Alice',
      family_name: 'Example',
      birthdate: '1990-07-31',
      gender: 'female',
      locale: 'de_ch',
      zoneinfo: 'europe/zurich',
      website: 'https://Example.com',
      address_street: 'Bahnhofstrasse 1\r\n  Postfach 12 ',
      address_locality: 'Zürich',
      address_region: 'ZH',
      address_postal_code: '8001',
      address_country: 'CH',
      csrf: 'ignored',
    })
    expect(result).toEqual({
      ok: true,
      profile: {
        username: 'Alice.B',
        avatar: 'owl',
        email: 'alice@example.com',
        phone_number: '+41446681800',
        name: 'Alice Béatrice Example',
        given_name: 'Alice',
        family_name: 'Example',
        birthdate: '1990-07-31',
        gender: 'female',
        locale: 'de-CH',
        zoneinfo: 'Europe/Zurich',
        website: 'https://example.com/',
        address_street: 'Bahnhofstrasse 1\nPostfach 12',
        address_locality: 'Zürich',
        address_region: 'ZH',
        address_postal_code: '8001',
        address_country: 'CH',
      },
    })
  })

  it('lists the fields in form order, each a key it accepts', () => {
    expect(PROFILE_FIELDS[0]).toBe('username')
    expect(new Set(PROFILE_FIELDS).size).toBe(PROFILE_FIELDS.length)
  })

  it('clears optional fields given empty, leaves absent ones out, ignores unknown ones', () => {
    const result = validateProfile({ email: '', name: '   ', website: '', shoe_size: '44' })
    expect(result).toEqual({ ok: true, profile: { email: null, name: null, website: null } })
    expect(validateProfile({})).toEqual({ ok: true, profile: {} })
  })

  it('requires a username and an avatar: they cannot be cleared', () => {
    expect(errorFor('username', '')).toBe('Choose a username.')
    expect(errorFor('avatar', ' ')).toMatch(/^Choose one of the avatars: fox, /)
  })

  it('uses the sign-up rules for username and email', () => {
    for (const username of ['ab', 'al..ice', 'alicé', 'a<b>c', 'a'.repeat(31)]) {
      expect(errorFor('username', username), username).toMatch(/^A username has 3 to 30/)
    }
    expect(errorFor('email', 'bob@example')).toMatch(/email address does not look right/)
    expect(errorFor('email', `${'x'.repeat(250)}@example.com`)).toBeDefined()
  })

  it('refuses values that are not a single string', () => {
    for (const value of [['a', 'b'], 42, null, { toString: () => 'alice' }]) {
      expect(errorFor('username', value)).toBe('Enter your username once, as text.')
      expect(errorFor('name', value)).toBe('Enter your full name once, as text.')
    }
  })

  it('reports every bad field at once, each with a sentence', () => {
    const result = validateProfile({
      username: '',
      phone_number: '12',
      birthdate: 'yesterday',
      zoneinfo: 'Mars/Olympus',
      website: 'javascript:alert(1)',
    })
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(Object.keys(result.errors).sort()).toEqual([
      'birthdate',
      'phone_number',
      'username',
      'website',
      'zoneinfo',
    ])
    for (const message of Object.values(result.errors)) expect(message).toMatch(/^[A-Z].+\.$/)
  })

  it('takes phone numbers in international format only, as E.164', () => {
    expect(accepted('phone_number', '+1 (555) 010-9999')).toBe('+15550109999')
    expect(accepted('phone_number', '+44 20 7946 0958')).toBe('+442079460958')
    for (const phone of [
      '044 668 18 00',
      '0041446681800',
      '+0 44 668 18 00',
      '+41 44',
      '+1234567890123456',
      '+41 44 668 18 00 ext 2',
      '+41\u000044668180',
      'call me',
    ]) {
      expect(errorFor('phone_number', phone), phone).toBe(
        'Enter the phone number in international format, starting with + and the country code, such as +41 44 668 18 00.',
      )
    }
  })

  it('refuses oversized text and control or direction-override characters', () => {
    expect(accepted('name', 'Zoë O’Brien-Łukasiewicz 山田')).toBe('Zoë O’Brien-Łukasiewicz 山田')
    expect(accepted('family_name', 'حسن\u200Cزاده')).toBe('حسن\u200Cزاده')
    expect(errorFor('name', 'x'.repeat(101))).toBe(
      'Shorten your full name to at most 100 characters.',
    )
    expect(errorFor('given_name', 'x'.repeat(51))).toMatch(/at most 50 characters/)
    expect(errorFor('gender', 'x'.repeat(31))).toMatch(/at most 30 characters/)
    expect(errorFor('address_postal_code', '1'.repeat(21))).toMatch(/at most 20 characters/)
    for (const name of [
      'Ali\u0000ce',
      'Ali\nce',
      'Ali\u0007ce',
      'Ali\u202Eecila',
      'a\u2066b',
      'a\u009Bb',
      'Ali\u200Bce',
      'Ali\u00ADce',
      'Ali\u2028ce',
    ]) {
      expect(errorFor('family_name', name), JSON.stringify(name)).toMatch(
        /^Type your family name again without invisible control characters/,
      )
    }
  })

  it('keeps a street address to three lines', () => {
    expect(accepted('address_street', 'c/o Example\n\nMain St 1\nFlat 2')).toBe(
      'c/o Example\nMain St 1\nFlat 2',
    )
    expect(errorFor('address_street', 'a\nb\nc\nd')).toBe(
      'Write the street address on at most 3 lines.',
    )
    expect(errorFor('address_street', 'Main St\t1')).toMatch(/control characters/)
  })

  it('takes real birthdates from 1900 to today, and 0000 for a left-out year', () => {
    vi.useFakeTimers({ now: new Date('2024-06-15T12:00:00Z') })
    expect(accepted('birthdate', '1900-01-01')).toBe('1900-01-01')
    expect(accepted('birthdate', '2000-02-29')).toBe('2000-02-29')
    expect(accepted('birthdate', '0000-02-29')).toBe('0000-02-29')
    expect(accepted('birthdate', '2024-06-16')).toBe('2024-06-16') // already today in UTC+14
    expect(errorFor('birthdate', '2024-06-17')).toBe(
      'Your birthdate cannot be in the future; enter the day you were born.',
    )
    expect(errorFor('birthdate', '3000-01-01')).toMatch(/cannot be in the future/)
    expect(errorFor('birthdate', '1899-12-31')).toBe('Enter a birthdate in 1900 or later.')
    expect(errorFor('birthdate', '0012-05-01')).toBe('Enter a birthdate in 1900 or later.')
    for (const date of ['2001-02-29', '1990-13-01', '1990-04-31', '1990-00-10', '0000-02-30']) {
      expect(errorFor('birthdate', date), date).toMatch(/^There is no day .+; enter a real date/)
    }
    for (const date of ['31.07.1990', '1990-7-31', '1990', '1990-07-31T00:00', '+01990-07-31']) {
      expect(errorFor('birthdate', date), date).toMatch(/^Enter your birthdate as year-month-day/)
    }
  })

  it('takes BCP 47 language tags, canonical', () => {
    expect(accepted('locale', 'en')).toBe('en')
    expect(accepted('locale', 'EN-us')).toBe('en-US')
    expect(accepted('locale', 'zh-hant-tw')).toBe('zh-Hant-TW')
    expect(accepted('locale', 'pt_BR')).toBe('pt-BR')
    for (const locale of ['english', 'en US', '123', 'en-', 'x'.repeat(36), 'de-CH-<b>']) {
      expect(errorFor('locale', locale), locale).toBe(
        'Enter your language as a language tag, such as en, de-CH or pt-BR.',
      )
    }
  })

  it('takes IANA time zones the runtime knows, and UTC', () => {
    expect(accepted('zoneinfo', 'UTC')).toBe('UTC')
    expect(accepted('zoneinfo', 'America/New_York')).toBe('America/New_York')
    expect(accepted('zoneinfo', 'asia/tokyo')).toBe('Asia/Tokyo')
    expect(accepted('zoneinfo', 'Etc/GMT+5')).toBe('Etc/GMT+5')
    for (const zone of [
      'Mars/Olympus',
      'Europe/Zurich/Old',
      '+01:00',
      'Europe/../etc/passwd',
      'Europe Zurich',
      'a'.repeat(65),
    ]) {
      expect(errorFor('zoneinfo', zone), zone).toMatch(
        /^Enter your time zone as a region and a city/,
      )
    }
  })

  it('takes only absolute http(s) website addresses', () => {
    expect(accepted('website', 'http://example.com/me?x=1#top')).toBe(
      'http://example.com/me?x=1#top',
    )
    expect(accepted('website', 'https://bücher.example/')).toBe('https://xn--bcher-kva.example/')
    for (const website of [
      'javascript:alert(1)',
      'JavaScript:alert(document.cookie)',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'ftp://example.com',
      'example.com',
      '//example.com',
      '/me',
    ]) {
      expect(errorFor('website', website), website).toBe(
        'Enter the full address of your website, starting with https://, such as https://example.com.',
      )
    }
    expect(errorFor('website', 'https://user:secret@example.com')).toBe(
      'Enter your website address without a user name or password in it.',
    )
    expect(errorFor('website', `https://example.com/${'a'.repeat(500)}`)).toBe(
      'Shorten your website address to at most 500 characters.',
    )
    expect(errorFor('website', 'https://exa\tmple.com')).toMatch(/control characters/)
  })

  it('takes only the provider’s avatars, or picks one for "random"', () => {
    expect(accepted('avatar', 'fox')).toBe('fox')
    expect(AVATAR_NAMES).toContain(accepted('avatar', 'random'))
    for (const avatar of ['Fox', 'dragon', '../fox', 'constructor', '__proto__']) {
      expect(errorFor('avatar', avatar), avatar).toMatch(/^Choose one of the avatars/)
    }
  })
})

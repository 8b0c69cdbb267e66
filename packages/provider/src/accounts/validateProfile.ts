import { AVATAR_NAMES, type AvatarName, isAvatarName, randomAvatarName } from './avatars.ts'
import { emailProblem, usernameProblem } from './validateSignUp.ts'

/**
 * The fields of the profile form, in the order a form shows them: grouped by the scope that shares
 * them (avatar, email, phone, profile, address). Each is also a column of `accounts` and a key of
 * `ProfileUpdate`.
 */
export const PROFILE_FIELDS = [
  'username',
  'avatar',
  'email',
  'phone_number',
  'name',
  'given_name',
  'family_name',
  'birthdate',
  'gender',
  'locale',
  'zoneinfo',
  'website',
  'address_street',
  'address_locality',
  'address_region',
  'address_postal_code',
  'address_country',
] as const satisfies readonly (keyof ProfileUpdate)[]

/** One field of the profile form. */
export type ProfileField = (typeof PROFILE_FIELDS)[number]

/**
 * A validated change to an account's profile, ready for `AccountStore.updateProfile`, in the form it
 * is stored and released as claims. A field the input did not contain is absent (left unchanged);
 * `null` clears a field. `username` and `avatar` cannot be cleared.
 */
export type ProfileUpdate = {
  /** Same rule as sign-up; uniqueness is checked by `updateProfile`. */
  username?: string
  avatar?: AvatarName
  email?: string | null
  /** E.164: `+`, country code and number, digits only, such as `+41446681800`. */
  phone_number?: string | null
  name?: string | null
  given_name?: string | null
  family_name?: string | null
  /** `YYYY-MM-DD` from 1900 to today, or `0000-MM-DD` when the person leaves the year out. */
  birthdate?: string | null
  gender?: string | null
  /** Canonical BCP 47 language tag, such as `de-CH`. */
  locale?: string | null
  /** IANA time zone as the runtime spells it, such as `Europe/Zurich`, or `UTC`. */
  zoneinfo?: string | null
  /** Absolute http(s) URL, normalised (`https://example.com` becomes `https://example.com/`). */
  website?: string | null
  /** Up to three lines, separated by `\n`. */
  address_street?: string | null
  address_locality?: string | null
  address_region?: string | null
  address_postal_code?: string | null
  /** Free text: a country name or an ISO code, as the person writes it. */
  address_country?: string | null
}

/** The outcome of `validateProfile`: the update, or a sentence per field saying what to type. */
export type ProfileValidation =
  | { ok: true; profile: ProfileUpdate }
  | { ok: false; errors: Partial<Record<ProfileField, string>> }

type Outcome<T> = { value: T } | { error: string }
type Check<F extends ProfileField> = (text: string) => Outcome<NonNullable<ProfileUpdate[F]>>

/** How messages name each field. */
const LABELS: Record<ProfileField, string> = {
  username: 'your username',
  avatar: 'an avatar',
  email: 'your email address',
  phone_number: 'your phone number',
  name: 'your full name',
  given_name: 'your given name',
  family_name: 'your family name',
  birthdate: 'your birthdate',
  gender: 'your gender',
  locale: 'your language',
  zoneinfo: 'your time zone',
  website: 'your website address',
  address_street: 'the street address',
  address_locality: 'the city or town',
  address_region: 'the region or state',
  address_postal_code: 'the postal code',
  address_country: 'the country',
}

// C0/C1 controls, and the bidirectional overrides and isolates that can make copied text display as
// something else than what it is (a name that reads backwards on a consent page).
const CONTROL = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u

/** Whether `text` holds control characters or bidirectional overrides, which no name needs. */
export function containsControlCharacters(text: string): boolean {
  return CONTROL.test(text)
}
/** The avatar value that asks for one picked at random. */
export const RANDOM_AVATAR = 'random'

/**
 * The longest value each free-text field takes, in characters: the checks below and the account
 * page's `maxlength` attributes both read it. A street address may add two line breaks.
 */
export const TEXT_MAX_LENGTHS = {
  name: 100,
  given_name: 50,
  family_name: 50,
  gender: 30,
  website: 500,
  address_street: 200,
  address_locality: 100,
  address_region: 100,
  address_postal_code: 20,
  address_country: 60,
} as const satisfies Partial<Record<ProfileField, number>>
const WEBSITE_MAX = TEXT_MAX_LENGTHS.website

const PHONE = /^\+[1-9]\d{7,14}$/
// "(0)" is the trunk prefix some countries write inside international numbers: it is not dialled.
const PHONE_TRUNK = /\(0\)/g
const PHONE_SEPARATORS = /[\s().-]/g
const PHONE_MESSAGE =
  'Enter the phone number in international format, starting with + and the country code, such as +41 44 668 18 00.'

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DATE_MESSAGE =
  'Enter your birthdate as year-month-day, such as 1990-07-31, or with 0000 as the year (0000-07-31) to leave the year out.'

// IANA names are letters, digits, _ + - in up to three /-separated parts; this keeps offsets such
// as "+01:00", which some runtimes also accept, out of a field that promises a zone name.
const ZONE_NAME = /^[A-Za-z][\w+-]*(?:\/[\w+-]+){0,2}$/
const ZONE_MESSAGE =
  'Enter your time zone as a region and a city, such as Europe/Zurich or America/New_York, or UTC.'
const LOCALE_MESSAGE = 'Enter your language as a language tag, such as en, de-CH or pt-BR.'
const WEBSITE_MESSAGE =
  'Enter the full address of your website, starting with https://, such as https://example.com.'

/**
 * A text field: at most `maxLength` characters, no control characters. With `maxLines` above 1,
 * line breaks (any convention) separate lines, stored trimmed and joined with \n, blank ones dropped.
 */
function text(
  field: ProfileField,
  maxLength: number,
  maxLines = 1,
): (value: string) => Outcome<string> {
  return (value) => {
    const lines =
      maxLines === 1
        ? [value]
        : value
            .split(/\r\n|\r|\n/)
            .map((line) => line.trim())
            .filter((line) => line !== '')
    if (lines.length > maxLines)
      return { error: `Write ${LABELS[field]} on at most ${maxLines} lines.` }
    const joined = lines.join('\n')
    if (joined.length > maxLength)
      return { error: `Shorten ${LABELS[field]} to at most ${maxLength} characters.` }
    if (lines.some((line) => containsControlCharacters(line)))
      return { error: controlMessage(field) }
    return { value: joined }
  }
}

function controlMessage(field: ProfileField): string {
  return `Type ${LABELS[field]} again without invisible control characters (they can come along with copied text).`
}

const CHECKS: { [F in ProfileField]: Check<F> } = {
  username: (value) => {
    const error = usernameProblem(value)
    return error === undefined ? { value } : { error }
  },
  // `random` is the form's "pick one for me": the choice is made here, once, and stored.
  avatar: (value) => {
    if (value === RANDOM_AVATAR) return { value: randomAvatarName() }
    return isAvatarName(value)
      ? { value }
      : { error: `Choose one of the avatars: ${AVATAR_NAMES.join(', ')}.` }
  },
  email: (value) => {
    const error = emailProblem(value)
    return error === undefined ? { value } : { error }
  },
  phone_number: (value) => {
    const digits = value.replace(PHONE_TRUNK, '').replace(PHONE_SEPARATORS, '')
    return PHONE.test(digits) ? { value: digits } : { error: PHONE_MESSAGE }
  },
  name: text('name', TEXT_MAX_LENGTHS.name),
  given_name: text('given_name', TEXT_MAX_LENGTHS.given_name),
  family_name: text('family_name', TEXT_MAX_LENGTHS.family_name),
  birthdate: checkBirthdate,
  gender: text('gender', TEXT_MAX_LENGTHS.gender),
  locale: (value) => {
    if (value.length > 35) return { error: LOCALE_MESSAGE }
    try {
      // People write en_US as often as en-US; BCP 47 has only the dash.
      const [canonical] = Intl.getCanonicalLocales(value.replaceAll('_', '-'))
      // The syntax reserves 4- to 8-letter language subtags, but none is assigned: "english" is
      // well-formed and means nothing.
      if (canonical === undefined || new Intl.Locale(canonical).language.length > 3)
        return { error: LOCALE_MESSAGE }
      return { value: canonical }
    } catch {
      return { error: LOCALE_MESSAGE }
    }
  },
  zoneinfo: (value) => {
    if (value.length > 64 || !ZONE_NAME.test(value)) return { error: ZONE_MESSAGE }
    try {
      // The runtime's own zone list decides, and spells the name as it knows it (europe/zurich
      // becomes Europe/Zurich), so apps get a name their date libraries know too.
      return {
        value: new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone,
      }
    } catch {
      return { error: ZONE_MESSAGE }
    }
  },
  website: (value) => {
    if (containsControlCharacters(value)) return { error: controlMessage('website') }
    let url: URL
    try {
      url = new URL(value)
    } catch {
      return { error: WEBSITE_MESSAGE }
    }
    // Anything but http(s) (javascript:, data:, file:) would be a link apps must not follow.
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return { error: WEBSITE_MESSAGE }
    if (url.username !== '' || url.password !== '')
      return { error: 'Enter your website address without a user name or password in it.' }
    if (url.href.length > WEBSITE_MAX)
      return { error: `Shorten your website address to at most ${WEBSITE_MAX} characters.` }
    return { value: url.href }
  },
  // A street address may need more than one line (OpenID Connect separates them with \n).
  address_street: text('address_street', TEXT_MAX_LENGTHS.address_street, 3),
  address_locality: text('address_locality', TEXT_MAX_LENGTHS.address_locality),
  address_region: text('address_region', TEXT_MAX_LENGTHS.address_region),
  address_postal_code: text('address_postal_code', TEXT_MAX_LENGTHS.address_postal_code),
  address_country: text('address_country', TEXT_MAX_LENGTHS.address_country),
}

/** A birthdate: a real day from 1900 to today, or a month and day with the year left out as 0000. */
function checkBirthdate(value: string): Outcome<string> {
  const match = DATE.exec(value)
  if (match === null) return { error: DATE_MESSAGE }
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number]
  if (year !== 0 && year < 1900) return { error: 'Enter a birthdate in 1900 or later.' }
  // 2000 was a leap year, so a birthday on 29 February is possible when the year is left out.
  const date = new Date(Date.UTC(year === 0 ? 2000 : year, month - 1, day))
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return { error: `There is no day ${value}; enter a real date, such as 1990-07-31.` }
  // Today is already tomorrow somewhere (UTC+14): a baby born there today is not in the future.
  const latestToday = new Date(Date.now() + 14 * 3600_000).toISOString().slice(0, 10)
  if (year !== 0 && value > latestToday)
    return { error: 'Your birthdate cannot be in the future; enter the day you were born.' }
  return { value }
}

/**
 * Checks a submitted profile form (`application/x-www-form-urlencoded`, so every value a string).
 *
 * - Only the fields in `PROFILE_FIELDS` are read; anything else in `input` is ignored, and a field
 *   that is absent is left out of the update (so a form may send only some fields).
 * - Values are trimmed; an empty value clears the field (`null`), except `username` and `avatar`,
 *   which are required.
 * - A value that is not a string (a field sent twice arrives as an array) is an error.
 * - Values are normalised as stored: phone numbers to E.164 digits, locales to canonical BCP 47,
 *   time zones to the runtime's spelling, websites to their URL form.
 *
 * Every field is checked, so the result lists every problem at once, each as a sentence that says
 * what to type, ready to show next to its field.
 */
export function validateProfile(input: Record<string, unknown>): ProfileValidation {
  const profile: ProfileUpdate = {}
  const errors: Partial<Record<ProfileField, string>> = {}
  for (const field of PROFILE_FIELDS) {
    if (!Object.hasOwn(input, field)) continue
    const raw = input[field]
    if (typeof raw !== 'string') {
      errors[field] = `Enter ${LABELS[field]} once, as text.`
      continue
    }
    const value = raw.trim()
    if (value === '' && field !== 'username' && field !== 'avatar') {
      profile[field] = null
      continue
    }
    const outcome = (CHECKS[field] as Check<ProfileField>)(value)
    if ('error' in outcome) errors[field] = outcome.error
    else Object.assign(profile, { [field]: outcome.value })
  }
  return Object.keys(errors).length === 0 ? { ok: true, profile } : { ok: false, errors }
}

import { AVATAR_NAMES, type AvatarName, isAvatarName, randomAvatarName } from './avatars.ts'
import { emailProblem, usernameProblem } from './validateSignUp.ts'

/** What a check makes of a trimmed, non-empty value: the value as stored, or what to type instead. */
export type Outcome<T> = { value: T } | { error: string }

/** What a check reads from the field's row in the profile-field table. */
export interface CheckedField {
  /** How sentences name the field: "Shorten your given name to ...". */
  named: string
  /** The longest value accepted, in characters; the fields that are picked, not typed, have none. */
  maxLength?: number
  /** How many lines the value may span (1 when absent). */
  maxLines?: number
}

/** The check of one profile field. */
export type Check<T> = (value: string, field: CheckedField) => Outcome<T>

// Characters no name needs, which show nothing or something else than what is stored: C0/C1
// controls (Cc); format characters (Cf: the bidirectional marks, overrides and isolates that make a
// name read backwards on a consent page, U+061C, zero-width space, BOM, soft hyphen, word joiner);
// line and paragraph separators (Zl, Zp). Zero-width non-joiner and joiner (U+200C, U+200D) are
// format characters that Persian and Indic names need, so they pass between letters: after a letter
// or a mark (a virama), before a letter; anywhere else they only hide something.
const CONTROL =
  /[\p{Cc}\p{Zl}\p{Zp}]|(?![\u200C\u200D])\p{Cf}|(?<![\p{L}\p{M}])[\u200C\u200D]|[\u200C\u200D](?!\p{L})/u

/**
 * Whether `text` holds control, format or separator characters outside the joiners that scripts
 * need: the one rule of every name a person gives (profile text, passkey names), so that no name can
 * hide or reorder what it shows.
 */
export function containsControlCharacters(text: string): boolean {
  return CONTROL.test(text)
}

/** The avatar value that asks for one picked at random. */
export const RANDOM_AVATAR = 'random'

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

/** Whether `value` is longer than the field's `maxLength`. */
function tooLong(value: string, field: CheckedField): boolean {
  return field.maxLength !== undefined && value.length > field.maxLength
}

/**
 * Free text: at most `maxLength` characters, no control characters. With `maxLines` above 1, line
 * breaks (any convention) separate lines, stored trimmed and joined with \n, blank ones dropped.
 */
export const text: Check<string> = (value, field) => {
  const maxLines = field.maxLines ?? 1
  const lines =
    maxLines === 1
      ? [value]
      : value
          .split(/\r\n|\r|\n/)
          .map((line) => line.trim())
          .filter((line) => line !== '')
  if (lines.length > maxLines)
    return { error: `Write ${field.named} on at most ${maxLines} lines.` }
  const joined = lines.join('\n')
  if (tooLong(joined, field)) return { error: shortenMessage(field) }
  if (lines.some((line) => containsControlCharacters(line))) return { error: controlMessage(field) }
  return { value: joined }
}

function shortenMessage(field: CheckedField): string {
  return `Shorten ${field.named} to at most ${field.maxLength} characters.`
}

function controlMessage(field: CheckedField): string {
  return `Type ${field.named} again without invisible control characters (they can come along with copied text).`
}

/** The sign-up rule; uniqueness is checked when the profile is stored. */
export const username: Check<string> = (value) => {
  const error = usernameProblem(value)
  return error === undefined ? { value } : { error }
}

/** One of the provider's avatars; `random` is the form's "pick one for me", chosen here, once. */
export const avatar: Check<AvatarName> = (value) => {
  if (value === RANDOM_AVATAR) return { value: randomAvatarName() }
  return isAvatarName(value)
    ? { value }
    : { error: `Choose one of the avatars: ${AVATAR_NAMES.join(', ')}.` }
}

/** The sign-up rule for email addresses. */
export const email: Check<string> = (value) => {
  const error = emailProblem(value)
  return error === undefined ? { value } : { error }
}

/** An international number, stored as E.164 digits (`+41446681800`). */
export const phoneNumber: Check<string> = (value) => {
  const digits = value.replace(PHONE_TRUNK, '').replace(PHONE_SEPARATORS, '')
  return PHONE.test(digits) ? { value: digits } : { error: PHONE_MESSAGE }
}

/** A real day from 1900 to today, or a month and day with the year left out as 0000. */
export const birthdate: Check<string> = (value) => {
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

/** A BCP 47 language tag, stored canonical (`de_ch` becomes `de-CH`). */
export const locale: Check<string> = (value, field) => {
  if (tooLong(value, field)) return { error: LOCALE_MESSAGE }
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
}

/** An IANA time zone the runtime knows, stored as the runtime spells it. */
export const zoneinfo: Check<string> = (value, field) => {
  if (tooLong(value, field) || !ZONE_NAME.test(value)) return { error: ZONE_MESSAGE }
  try {
    // The runtime's own zone list decides, and spells the name as it knows it (europe/zurich
    // becomes Europe/Zurich), so apps get a name their date libraries know too.
    return {
      value: new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone,
    }
  } catch {
    return { error: ZONE_MESSAGE }
  }
}

/** An absolute http(s) URL without credentials, stored in its normalised form. */
export const website: Check<string> = (value, field) => {
  if (containsControlCharacters(value)) return { error: controlMessage(field) }
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
  // The limit applies to the normalised form, which is what apps receive.
  if (tooLong(url.href, field)) return { error: shortenMessage(field) }
  return { value: url.href }
}

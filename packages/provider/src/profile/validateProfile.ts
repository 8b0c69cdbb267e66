import {
  PROFILE_FIELD_TABLE,
  PROFILE_FIELDS,
  type ProfileField,
  type ProfileValue,
  type RequiredProfileField,
} from './profileFields.ts'

// The profile's rules as the account page, its routes and the tests know them: one import for all.
export { containsControlCharacters, RANDOM_AVATAR } from './profileChecks.ts'
export { PROFILE_FIELDS, type ProfileField } from './profileFields.ts'

/**
 * A validated change to an account's profile, ready for `AccountStore.updateProfile`, in the form it
 * is stored and released as claims (profile/profileFields.ts says what each field holds). A field
 * the input did not contain is absent (left unchanged); `null` clears a field. The required fields
 * (`username` and `avatar`) cannot be cleared.
 */
export type ProfileUpdate = {
  [F in ProfileField]?: ProfileValue<F> | (F extends RequiredProfileField ? never : null)
}

/** The outcome of `validateProfile`: the update, or a sentence per field saying what to type. */
export type ProfileValidation =
  | { ok: true; profile: ProfileUpdate }
  | { ok: false; errors: Partial<Record<ProfileField, string>> }

/**
 * Checks a submitted profile form (`application/x-www-form-urlencoded`, so every value a string).
 *
 * - Only the fields in `PROFILE_FIELDS` are read; anything else in `input` is ignored, and a field
 *   that is absent is left out of the update (so a form may send only some fields).
 * - Values are trimmed; an empty value clears the field (`null`), except the required ones
 *   (`username` and `avatar`).
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
    const spec = PROFILE_FIELD_TABLE[field]
    const raw = input[field]
    if (typeof raw !== 'string') {
      errors[field] = `Enter ${spec.named} once, as text.`
      continue
    }
    const value = raw.trim()
    const outcome = value === '' && !spec.required ? { value: null } : spec.check(value, spec)
    if ('error' in outcome) errors[field] = outcome.error
    else Object.assign(profile, { [field]: outcome.value })
  }
  return Object.keys(errors).length === 0 ? { ok: true, profile } : { ok: false, errors }
}

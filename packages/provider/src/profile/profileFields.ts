import * as checks from './profileChecks.ts'

/** The scopes that share profile fields (`openid` shares only the pairwise subject). */
export type ProfileScope = 'avatar' | 'email' | 'phone' | 'profile' | 'address'

/** How a field is typed on the account page's profile form. */
export interface FormInput {
  label: string
  type: 'text' | 'email' | 'tel' | 'url' | 'date' | 'textarea'
  /** The HTML autocomplete token, so browsers fill in what they know. */
  autocomplete: string
  inputMode?: 'email' | 'tel' | 'url'
  hint?: string
}

/** What every row has: where the field is shared, how sentences name it, and its check. */
interface FieldRules extends checks.CheckedField {
  /** The scope whose consent shares it. */
  scope: ProfileScope
  /** Every account has a value, so it cannot be cleared (the column is not nullable). */
  required?: true
  /** Turns the trimmed, non-empty text of the form into the value stored (and released). */
  check: checks.Check<unknown>
}

/** A field typed on the profile form, so the browser is told its `maxLength` too. */
type Typed = { input: FormInput; maxLength: number } | { input?: undefined }

/** A field released as a claim of its own. */
type OwnClaim = {
  /** The claim it becomes, when that is not the field's own name. */
  claim?: string
  /** The claim's value, when it is not the stored value itself. */
  claimValue?: (stored: string, issuer: string) => string
  /** The claim saying whether the value is verified (oidc/accountClaims), sent only with the value. */
  verifiedClaim?: string
  /** How the consent page labels the value it would share. */
  consentLabel: string
}

/** A field released as a member of the `address` claim (the consent page shows the whole address). */
type AddressPart = {
  /** Its member of the `address` claim. */
  addressPart: string
}

/** One row of the profile-field table. */
export type ProfileFieldSpec = FieldRules & Typed & (OwnClaim | AddressPart)

/**
 * The profile: one row per field, in the order the form shows them, grouped by the scope that shares
 * them. Each field is a column of `accounts` of the same name (null until filled in, unless
 * `required`), a key of the profile form, and a claim or part of one. Validation, the claims, the
 * scopes' claim lists, the form, the consent page's labels and the `accounts` typing are all derived
 * from it; migrations keep their own frozen copies of the column names.
 */
const TABLE = {
  // Same rule as sign-up; unique regardless of case (see `username_key`).
  username: {
    scope: 'avatar',
    claim: 'preferred_username',
    consentLabel: 'Your username',
    named: 'your username',
    required: true,
    maxLength: 30,
    input: {
      label: 'Username',
      type: 'text',
      autocomplete: 'username',
      hint: '3 to 30 letters, digits, dots, dashes or underscores.',
    },
    check: checks.username,
  },
  // Name of one of the provider's avatars (profile/avatars.ts), picked on the form's own picker.
  avatar: {
    scope: 'avatar',
    claim: 'picture',
    claimValue: (avatar, issuer) => `${issuer}/avatars/${avatar}.svg`,
    consentLabel: 'Your avatar',
    named: 'an avatar',
    required: true,
    check: checks.avatar,
  },
  email: {
    scope: 'email',
    verifiedClaim: 'email_verified',
    consentLabel: 'Your email address',
    named: 'your email address',
    maxLength: 254,
    input: {
      label: 'Email',
      type: 'email',
      autocomplete: 'email',
      inputMode: 'email',
      hint: 'Apps you allow to see it are told whether it is verified.',
    },
    check: checks.email,
  },
  // Stored as E.164, such as +41446681800; the form leaves room for the spaces, dashes and brackets
  // people type around the digits.
  phone_number: {
    scope: 'phone',
    verifiedClaim: 'phone_number_verified',
    consentLabel: 'Your phone number',
    named: 'your phone number',
    maxLength: 40,
    input: {
      label: 'Phone number',
      type: 'tel',
      autocomplete: 'tel',
      inputMode: 'tel',
      hint: 'International format, such as +41 44 668 18 00. Not verified by passkey-id.',
    },
    check: checks.phoneNumber,
  },
  name: {
    scope: 'profile',
    consentLabel: 'Your name',
    named: 'your full name',
    maxLength: 100,
    input: { label: 'Full name', type: 'text', autocomplete: 'name' },
    check: checks.text,
  },
  given_name: {
    scope: 'profile',
    consentLabel: 'Your given name',
    named: 'your given name',
    maxLength: 50,
    input: { label: 'Given name', type: 'text', autocomplete: 'given-name' },
    check: checks.text,
  },
  family_name: {
    scope: 'profile',
    consentLabel: 'Your family name',
    named: 'your family name',
    maxLength: 50,
    input: { label: 'Family name', type: 'text', autocomplete: 'family-name' },
    check: checks.text,
  },
  // YYYY-MM-DD from 1900 to today, or 0000-MM-DD when the person leaves the year out (OpenID
  // Connect allows it).
  birthdate: {
    scope: 'profile',
    consentLabel: 'Your birthdate',
    named: 'your birthdate',
    maxLength: 10,
    input: {
      label: 'Birthdate',
      type: 'text',
      autocomplete: 'bday',
      hint: 'Year-month-day, such as 1990-07-31; 0000 as the year leaves it out.',
    },
    check: checks.birthdate,
  },
  gender: {
    scope: 'profile',
    consentLabel: 'Your gender',
    named: 'your gender',
    maxLength: 30,
    input: { label: 'Gender', type: 'text', autocomplete: 'sex' },
    check: checks.text,
  },
  // Canonical BCP 47 language tag, such as de-CH.
  locale: {
    scope: 'profile',
    consentLabel: 'Your language',
    named: 'your language',
    maxLength: 35,
    input: {
      label: 'Language',
      type: 'text',
      autocomplete: 'language',
      hint: 'A language tag, such as en, de-CH or pt-BR.',
    },
    check: checks.locale,
  },
  // IANA time zone as the runtime spells it, such as Europe/Zurich, or UTC.
  zoneinfo: {
    scope: 'profile',
    consentLabel: 'Your time zone',
    named: 'your time zone',
    maxLength: 64,
    input: {
      label: 'Time zone',
      type: 'text',
      autocomplete: 'off',
      hint: 'Such as Europe/Zurich, America/New_York or UTC.',
    },
    check: checks.zoneinfo,
  },
  // Absolute http(s) URL, normalised (https://example.com becomes https://example.com/).
  website: {
    scope: 'profile',
    consentLabel: 'Your website',
    named: 'your website address',
    maxLength: 500,
    input: {
      label: 'Website',
      type: 'url',
      autocomplete: 'url',
      inputMode: 'url',
      hint: 'The full address, starting with https://.',
    },
    check: checks.website,
  },
  // Street and house number, on up to three lines separated by \n (OpenID Connect's convention).
  address_street: {
    scope: 'address',
    addressPart: 'street_address',
    named: 'the street address',
    maxLength: 200,
    maxLines: 3,
    input: {
      label: 'Street address',
      type: 'textarea',
      autocomplete: 'street-address',
      hint: 'Up to three lines.',
    },
    check: checks.text,
  },
  address_locality: {
    scope: 'address',
    addressPart: 'locality',
    named: 'the city or town',
    maxLength: 100,
    input: { label: 'City or town', type: 'text', autocomplete: 'address-level2' },
    check: checks.text,
  },
  address_region: {
    scope: 'address',
    addressPart: 'region',
    named: 'the region or state',
    maxLength: 100,
    input: { label: 'Region or state', type: 'text', autocomplete: 'address-level1' },
    check: checks.text,
  },
  address_postal_code: {
    scope: 'address',
    addressPart: 'postal_code',
    named: 'the postal code',
    maxLength: 20,
    input: { label: 'Postal code', type: 'text', autocomplete: 'postal-code' },
    check: checks.text,
  },
  // Free text: a country name or an ISO code, as the person writes it.
  address_country: {
    scope: 'address',
    addressPart: 'country',
    named: 'the country',
    maxLength: 60,
    input: { label: 'Country', type: 'text', autocomplete: 'country-name' },
    check: checks.text,
  },
} as const satisfies Record<string, ProfileFieldSpec>

/** One field of the profile. */
export type ProfileField = keyof typeof TABLE

/** Every field of the profile, in form order. */
export const PROFILE_FIELDS = Object.keys(TABLE) as ProfileField[]

/** The rows of the profile-field table, by field. */
export const PROFILE_FIELD_TABLE: Readonly<Record<ProfileField, ProfileFieldSpec>> = TABLE

/** The fields every account has a value for. */
export type RequiredProfileField = {
  [F in ProfileField]: (typeof TABLE)[F] extends { required: true } ? F : never
}[ProfileField]

/** The value a field's check stores: an avatar's name, a string for the others. */
export type ProfileValue<F extends ProfileField> = Extract<
  ReturnType<(typeof TABLE)[F]['check']>,
  { value: unknown }
>['value']

/** The profile's columns of `accounts`, as the database returns them. */
export type ProfileColumns = {
  [F in ProfileField]: F extends RequiredProfileField ? string : string | null
}

/** A field released as a claim of its own, with the claim's name. */
export type ClaimedField = FieldRules & OwnClaim & { field: ProfileField; claim: string }

/** The fields released as claims of their own, in form order. */
export const CLAIMED_FIELDS: readonly ClaimedField[] = PROFILE_FIELDS.flatMap((field) => {
  const spec = PROFILE_FIELD_TABLE[field]
  return 'addressPart' in spec ? [] : [{ ...spec, field, claim: spec.claim ?? field }]
})

/** The fields released as members of the `address` claim, in form order. */
export const ADDRESS_FIELDS: readonly (AddressPart & { field: ProfileField })[] =
  PROFILE_FIELDS.flatMap((field) => {
    const spec = PROFILE_FIELD_TABLE[field]
    return 'addressPart' in spec ? [{ field, addressPart: spec.addressPart }] : []
  })

import type { ProfileField } from '../../accounts/validateProfile.ts'

/** How one profile field is asked for on the account page. */
export interface ProfileInput {
  field: ProfileField
  /** The fieldset it belongs to: named after what the matching scope shares. */
  group: string
  label: string
  type: 'text' | 'email' | 'tel' | 'url' | 'date' | 'textarea'
  /** The HTML autocomplete token, so browsers fill in what they know. */
  autocomplete: string
  inputMode?: 'email' | 'tel' | 'url'
  /** A generous bound for the browser; `validateProfile` has the real rules. */
  maxLength: number
  hint?: string
}

/** The profile form's text inputs, grouped by scope; the avatar has its own picker. */
export const PROFILE_INPUTS: readonly ProfileInput[] = [
  {
    field: 'username',
    group: 'Username and avatar (avatar scope)',
    label: 'Username',
    type: 'text',
    autocomplete: 'username',
    maxLength: 30,
    hint: '3 to 30 letters, digits, dots, dashes or underscores.',
  },
  {
    field: 'email',
    group: 'Email (email scope)',
    label: 'Email',
    type: 'email',
    autocomplete: 'email',
    inputMode: 'email',
    maxLength: 254,
    hint: 'Not verified by passkey-id: apps are told so.',
  },
  {
    field: 'phone_number',
    group: 'Phone (phone scope)',
    label: 'Phone number',
    type: 'tel',
    autocomplete: 'tel',
    inputMode: 'tel',
    maxLength: 40,
    hint: 'International format, such as +41 44 668 18 00. Not verified by passkey-id.',
  },
  {
    field: 'name',
    group: 'Profile (profile scope)',
    label: 'Full name',
    type: 'text',
    autocomplete: 'name',
    maxLength: 200,
  },
  {
    field: 'given_name',
    group: 'Profile (profile scope)',
    label: 'Given name',
    type: 'text',
    autocomplete: 'given-name',
    maxLength: 100,
  },
  {
    field: 'family_name',
    group: 'Profile (profile scope)',
    label: 'Family name',
    type: 'text',
    autocomplete: 'family-name',
    maxLength: 100,
  },
  {
    field: 'birthdate',
    group: 'Profile (profile scope)',
    label: 'Birthdate',
    type: 'text',
    autocomplete: 'bday',
    maxLength: 10,
    hint: 'Year-month-day, such as 1990-07-31; 0000 as the year leaves it out.',
  },
  {
    field: 'gender',
    group: 'Profile (profile scope)',
    label: 'Gender',
    type: 'text',
    autocomplete: 'sex',
    maxLength: 50,
  },
  {
    field: 'locale',
    group: 'Profile (profile scope)',
    label: 'Language',
    type: 'text',
    autocomplete: 'language',
    maxLength: 35,
    hint: 'A language tag, such as en, de-CH or pt-BR.',
  },
  {
    field: 'zoneinfo',
    group: 'Profile (profile scope)',
    label: 'Time zone',
    type: 'text',
    autocomplete: 'off',
    maxLength: 60,
    hint: 'Such as Europe/Zurich, America/New_York or UTC.',
  },
  {
    field: 'website',
    group: 'Profile (profile scope)',
    label: 'Website',
    type: 'url',
    autocomplete: 'url',
    inputMode: 'url',
    maxLength: 500,
    hint: 'The full address, starting with https://.',
  },
  {
    field: 'address_street',
    group: 'Address (address scope)',
    label: 'Street address',
    type: 'textarea',
    autocomplete: 'street-address',
    maxLength: 300,
    hint: 'Up to three lines.',
  },
  {
    field: 'address_locality',
    group: 'Address (address scope)',
    label: 'City or town',
    type: 'text',
    autocomplete: 'address-level2',
    maxLength: 100,
  },
  {
    field: 'address_region',
    group: 'Address (address scope)',
    label: 'Region or state',
    type: 'text',
    autocomplete: 'address-level1',
    maxLength: 100,
  },
  {
    field: 'address_postal_code',
    group: 'Address (address scope)',
    label: 'Postal code',
    type: 'text',
    autocomplete: 'postal-code',
    maxLength: 20,
  },
  {
    field: 'address_country',
    group: 'Address (address scope)',
    label: 'Country',
    type: 'text',
    autocomplete: 'country-name',
    maxLength: 100,
  },
]

import { type ProfileField, TEXT_MAX_LENGTHS } from '../../accounts/validateProfile.ts'

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
  /** What the browser lets a person type; `validateProfile` has the full rules. */
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
    maxLength: TEXT_MAX_LENGTHS.name,
  },
  {
    field: 'given_name',
    group: 'Profile (profile scope)',
    label: 'Given name',
    type: 'text',
    autocomplete: 'given-name',
    maxLength: TEXT_MAX_LENGTHS.given_name,
  },
  {
    field: 'family_name',
    group: 'Profile (profile scope)',
    label: 'Family name',
    type: 'text',
    autocomplete: 'family-name',
    maxLength: TEXT_MAX_LENGTHS.family_name,
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
    maxLength: TEXT_MAX_LENGTHS.gender,
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
    maxLength: 64,
    hint: 'Such as Europe/Zurich, America/New_York or UTC.',
  },
  {
    field: 'website',
    group: 'Profile (profile scope)',
    label: 'Website',
    type: 'url',
    autocomplete: 'url',
    inputMode: 'url',
    maxLength: TEXT_MAX_LENGTHS.website,
    hint: 'The full address, starting with https://.',
  },
  {
    field: 'address_street',
    group: 'Address (address scope)',
    label: 'Street address',
    type: 'textarea',
    autocomplete: 'street-address',
    maxLength: TEXT_MAX_LENGTHS.address_street + 2,
    hint: 'Up to three lines.',
  },
  {
    field: 'address_locality',
    group: 'Address (address scope)',
    label: 'City or town',
    type: 'text',
    autocomplete: 'address-level2',
    maxLength: TEXT_MAX_LENGTHS.address_locality,
  },
  {
    field: 'address_region',
    group: 'Address (address scope)',
    label: 'Region or state',
    type: 'text',
    autocomplete: 'address-level1',
    maxLength: TEXT_MAX_LENGTHS.address_region,
  },
  {
    field: 'address_postal_code',
    group: 'Address (address scope)',
    label: 'Postal code',
    type: 'text',
    autocomplete: 'postal-code',
    maxLength: TEXT_MAX_LENGTHS.address_postal_code,
  },
  {
    field: 'address_country',
    group: 'Address (address scope)',
    label: 'Country',
    type: 'text',
    autocomplete: 'country-name',
    maxLength: TEXT_MAX_LENGTHS.address_country,
  },
]

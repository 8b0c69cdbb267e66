import {
  type FormInput,
  PROFILE_FIELD_TABLE,
  PROFILE_FIELDS,
  type ProfileField,
  type ProfileScope,
} from '../profile/profileFields.ts'

/** How one profile field is asked for on the account page. */
export interface ProfileInput extends FormInput {
  field: ProfileField
  /** The fieldset it belongs to: named after what the matching scope shares. */
  group: string
  /** What the browser lets a person type; `validateProfile` has the full rules. */
  maxLength: number
  /** Whether the field must have a value (the others are marked optional). */
  required: boolean
}

/** The fieldsets' titles, by the scope that shares their fields. */
const GROUP_TITLES: Record<ProfileScope, string> = {
  avatar: 'Username and avatar',
  email: 'Email',
  phone: 'Phone',
  profile: 'Profile',
  address: 'Address',
}

/** The profile form's text inputs, grouped by scope; the avatar has its own picker. */
export const PROFILE_INPUTS: readonly ProfileInput[] = PROFILE_FIELDS.flatMap((field) => {
  const spec = PROFILE_FIELD_TABLE[field]
  if (spec.input === undefined) return []
  return [
    {
      field,
      group: `${GROUP_TITLES[spec.scope]} (${spec.scope} scope)`,
      ...spec.input,
      // Each line after the first adds a line break, which the browser counts and the check does not.
      maxLength: spec.maxLength + (spec.maxLines ?? 1) - 1,
      required: spec.required === true,
    },
  ]
})

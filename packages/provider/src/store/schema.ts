/** An account: the person behind one or more passkeys. */
export interface AccountsTable {
  /** Random, internal; never shown to apps (they get pairwise subjects). */
  id: string
  /** Random WebAuthn user handle (base64url), never derived from the username. */
  user_handle: string
  username: string
  /** Lower-case username, unique, so that "Alice" and "alice" cannot both exist. */
  username_key: string
  email: string | null
  /** Name of one of the provider's avatars (see accounts/avatars.ts). */
  avatar: string
  created_at: string
  updated_at: string
  // The profile (migration 0002): null until the person fills it in on the account page, in the form
  // accounts/validateProfile.ts stores. Each maps to the OpenID Connect claim of the same name.
  /** E.164, such as +41446681800. */
  phone_number: string | null
  name: string | null
  given_name: string | null
  family_name: string | null
  /** YYYY-MM-DD, or 0000-MM-DD when the person leaves the year out (OpenID Connect allows it). */
  birthdate: string | null
  gender: string | null
  /** Canonical BCP 47 language tag, such as de-CH. */
  locale: string | null
  /** IANA time zone, such as Europe/Zurich. */
  zoneinfo: string | null
  /** Absolute http(s) URL. */
  website: string | null
  /** Street and house number; may span lines (separated by \n). */
  address_street: string | null
  address_locality: string | null
  address_region: string | null
  address_postal_code: string | null
  /** As the person wrote it: a country name or code. */
  address_country: string | null
  /** ISO-8601 time of the last profile change; null until the first one (created_at stands in). */
  profile_updated_at: string | null
}

/** A passkey (WebAuthn credential) that signs in to an account. */
export interface PasskeysTable {
  /** Credential ID, base64url. */
  id: string
  account_id: string
  /** COSE public key, base64url. */
  public_key: string
  counter: number
  /** JSON array of transports the authenticator reported. */
  transports: string
  device_type: string
  backed_up: number
  aaguid: string
  created_at: string
  last_used_at: string | null
  /** What the person calls it on the account page; null until they name it. */
  name: string | null
}

/** What an account allowed an app (client origin) to see, remembered across browsers and restarts. */
export interface ConsentsTable {
  account_id: string
  client_id: string
  /** Space-separated scopes. */
  scopes: string
  created_at: string
  updated_at: string
}

/** Signing keys; `state` allows rotation (next, current, retired) without a schema change. */
export interface SigningKeysTable {
  kid: string
  alg: string
  state: 'next' | 'current' | 'retired'
  /** Private JWK, JSON. */
  private_jwk: string
  created_at: string
  updated_at: string
}

/** Secrets generated on first start: cookie-signing keys, the pairwise-subject salt. */
export interface SecretsTable {
  name: string
  value: string
  created_at: string
}

/** oidc-provider's records (sessions, interactions, grants, codes, tokens), one row each. */
export interface OidcRecordsTable {
  model: string
  id: string
  payload: string
  grant_id: string | null
  uid: string | null
  user_code: string | null
  /** ISO-8601; null means it does not expire. */
  expires_at: string | null
  consumed_at: string | null
  /** The account the record belongs to (sessions, grants, codes, tokens), for revocation and deletion. */
  account_id: string | null
  /** The pending WebAuthn ceremony of an Interaction or Session (JSON), consumed atomically. */
  webauthn_challenge: string | null
}

/** The provider's database. */
export interface ProviderDatabase {
  accounts: AccountsTable
  passkeys: PasskeysTable
  consents: ConsentsTable
  signing_keys: SigningKeysTable
  secrets: SecretsTable
  oidc_records: OidcRecordsTable
}

import type { Generated } from 'kysely'
import type { ProfileColumns } from '../profile/profileFields.ts'

/**
 * An account: the person behind one or more passkeys. Its profile columns, one per profile field, are
 * named and described in profile/profileFields.ts, and hold what validateProfile stores: null until
 * the person fills them in, except the required `username` and `avatar`.
 */
export interface AccountsTable extends ProfileColumns {
  /** Random, internal; never shown to apps (they get pairwise subjects). */
  id: string
  /** Random WebAuthn user handle (base64url), never derived from the username. */
  user_handle: string
  /** Lower-case username, unique, so that "Alice" and "alice" cannot both exist. */
  username_key: string
  created_at: string
  updated_at: string
  /** ISO-8601 time of the last profile change; null until the first one (created_at stands in). */
  profile_updated_at: string | null
  /** ISO-8601 time an operator disabled the account (`accounts disable`); null while it is in use. */
  disabled_at: Generated<string | null>
  /** ISO-8601 time `email` was verified; null when it is not (a change of address resets it). */
  email_verified_at: string | null
  /** The verified `email`, lower-case, unique: set and reset with `email_verified_at`. */
  verified_email_key: string | null
}

/**
 * An account's one pending email-verification code (accounts/emailVerification.ts): never the code,
 * only its HMAC under a server secret, bound to the account and the address it was sent to.
 */
export interface EmailCodesTable {
  account_id: string
  /** The address the code was sent to: it verifies only while the account still has it. */
  email: string
  /** HMAC-SHA256 (base64url) of the account, the address and the code. */
  code_hash: string
  /** Wrong codes tried against it; at the limit the code is void. */
  attempts: Generated<number>
  /** ISO-8601. */
  expires_at: string
  created_at: string
}

/**
 * A one-time account-recovery link (accounts/recoveryLinks.ts): never the link's token, only its
 * HMAC under a server secret. An account may have a few at once (each request mails one); using one
 * voids the others.
 */
export interface RecoveryLinksTable {
  /** HMAC-SHA256 (base64url) of the token the link carries. */
  token_hash: string
  account_id: string
  /** The address the link was mailed to: it works only while that address is the account's verified one. Null for an operator's link. */
  email: string | null
  /** ISO-8601. */
  expires_at: string
  /** ISO-8601 time the link was used; null until then. */
  used_at: string | null
  created_at: string
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
  /**
   * Space-separated redirect URIs the person allowed on a consent page that named them: the only
   * ones a token or code may reach in a fragment or form_post without the consent page.
   */
  redirect_uris: Generated<string>
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

/**
 * Rate-limit counters when instances share a PostgreSQL database and no Redis (limits/): one row per
 * key and fixed window, deleted with the expired protocol records.
 */
export interface RateLimitCountersTable {
  key: string
  count: number
  /** ISO-8601: when the counter's window closes. */
  expires_at: string
}

/**
 * What happened to an account, for its owner's "Recent activity" and the operator (events/): a ring
 * of at most `SECURITY_EVENTS_PER_ACCOUNT` slots per account, deleted with the account and after
 * SECURITY_EVENTS_DAYS. Never a token, code, secret or public key: the kind, where from and when.
 */
export interface SecurityEventsTable {
  account_id: string
  /** `seq` modulo the cap: the slot a new event overwrites once the account has a full ring. */
  slot: number
  /** The account's event number, 1 for its first: orders the events. */
  seq: number
  kind: string
  /** The client address, as Fastify reads it under TRUST_PROXY. */
  ip: string
  /** The app concerned (sign-ups, sign-ins, consents), if any. */
  client_id: string | null
  /** ISO-8601. */
  created_at: string
}

/** The provider's database. */
export interface ProviderDatabase {
  accounts: AccountsTable
  passkeys: PasskeysTable
  consents: ConsentsTable
  signing_keys: SigningKeysTable
  secrets: SecretsTable
  oidc_records: OidcRecordsTable
  rate_limit_counters: RateLimitCountersTable
  security_events: SecurityEventsTable
  email_codes: EmailCodesTable
  recovery_links: RecoveryLinksTable
}

import { type QueryTemplate, queryTemplate, slot } from '@passkey-id/store'
import type { FastifyBaseLogger } from 'fastify'
import { type Kysely, sql } from 'kysely'
import type { ProviderDatabase } from '../store/schema.ts'

/**
 * The most events an account keeps: its ring of slots, overwritten oldest first. Weeks of a busy
 * person's sign-ins, and a bound no stream of events to one account can pass.
 */
export const SECURITY_EVENTS_PER_ACCOUNT = 200

/** What can happen to an account that its owner and the operator may want to know about. */
export type SecurityEventKind =
  | 'sign_up'
  | 'sign_in'
  | 'sign_in_failed'
  | 'passkey_added'
  | 'passkey_renamed'
  | 'passkey_removed'
  | 'app_allowed'
  | 'app_revoked'
  | 'account_deleted'
  | 'account_disabled'
  | 'account_enabled'
  | 'account_deleted_by_operator'
  | 'rate_limited'
  | 'email_verification_sent'
  | 'email_verified'
  | 'recovery_requested'
  | 'recovery_link_issued'
  | 'account_recovered'

/** One event: what happened, to which account (when one is known), through which app. */
export interface SecurityEvent {
  kind: SecurityEventKind
  /** The account's id; none for a passkey nobody has, or a refusal before anyone signed in. */
  account?: string
  /** The app concerned: the one signed up or in to, allowed or revoked. */
  clientId?: string
}

/** The request an event happened in: its client address (TRUST_PROXY applied) and its logger. */
export interface EventSource {
  ip: string
  log: FastifyBaseLogger
}

/** Events of accounts that are gone: their rows would go with them, so they are logged only. */
const DELETIONS: ReadonlySet<SecurityEventKind> = new Set([
  'account_deleted',
  'account_deleted_by_operator',
])

/** Kinds the operator should notice at LOG_LEVEL=warn (`npm start`'s default): attempts that failed. */
const WARNING_KINDS: ReadonlySet<SecurityEventKind> = new Set(['sign_in_failed'])

/**
 * Records a security event: one structured line in the operator's log (`event: 'security'`, `kind`,
 * `account`, `ip`, `client_id`), and, when the event names an account, one row that its owner sees
 * on the account page under "Recent activity". Nothing else goes in either: never a token, code,
 * secret or passkey key.
 *
 * The row is one statement, which also overwrites the account's oldest event once it has
 * `SECURITY_EVENTS_PER_ACCOUNT`, so an event costs a sign-in one insert and no account outgrows the
 * bound. Events without an account are logged only: nobody could see them on a page, and storing
 * them would let anyone fill the table. An account's deletion is logged only too: its events go
 * with it. A row that cannot be written is logged and the request goes on: recording never refuses
 * what it records.
 */
export async function recordSecurityEvent(
  db: Kysely<ProviderDatabase>,
  source: EventSource,
  event: SecurityEvent,
): Promise<void> {
  const { kind, account, clientId } = event
  const line = { event: 'security', kind, account, ip: source.ip, client_id: clientId }
  if (WARNING_KINDS.has(kind)) source.log.warn(line, `security event: ${kind}`)
  else source.log.info(line, `security event: ${kind}`)
  if (account === undefined || DELETIONS.has(kind)) return
  try {
    await insertEvent(db, account, kind, source.ip, clientId ?? null)
  } catch (error) {
    source.log.warn({ err: error, ...line }, 'a security event was logged but could not be stored')
  }
}

/**
 * The insert of `insertEvent`, compiled once per database (its SQL is the dialect's): building and
 * compiling this statement costs Kysely more than SQLite takes to run it, on every sign-in.
 */
const insertQueries = new WeakMap<Kysely<ProviderDatabase>, QueryTemplate<never>>()

/**
 * Writes the account's next event into slot `seq % SECURITY_EVENTS_PER_ACCOUNT`, replacing the
 * event that held it. Two events of one account at the same instant may take the same number on
 * PostgreSQL: the later replaces the earlier (both are in the log).
 */
async function insertEvent(
  db: Kysely<ProviderDatabase>,
  account: string,
  kind: SecurityEventKind,
  ip: string,
  clientId: string | null,
): Promise<void> {
  let insert = insertQueries.get(db)
  if (insert === undefined) {
    insert = queryTemplate(buildInsert(db))
    insertQueries.set(db, insert)
  }
  const createdAt = new Date().toISOString()
  await db.executeQuery(insert({ account, kind, ip, clientId, createdAt }))
}

function buildInsert(db: Kysely<ProviderDatabase>) {
  const next = sql<number>`coalesce(max(seq), 0) + 1`
  return db
    .insertInto('security_events')
    .columns(['account_id', 'slot', 'seq', 'kind', 'ip', 'client_id', 'created_at'])
    .expression(
      db
        .selectFrom('security_events')
        .select([
          sql<string>`${slot('account')}`.as('account_id'),
          sql<number>`(${next}) % ${sql.lit(SECURITY_EVENTS_PER_ACCOUNT)}`.as('slot'),
          next.as('seq'),
          sql<string>`${slot('kind')}`.as('kind'),
          sql<string>`${slot('ip')}`.as('ip'),
          sql<string | null>`${slot('clientId')}`.as('client_id'),
          sql<string>`${slot('createdAt')}`.as('created_at'),
        ])
        .where('account_id', '=', slot('account')),
    )
    .onConflict((conflict) =>
      conflict.columns(['account_id', 'slot']).doUpdateSet((eb) => ({
        seq: eb.ref('excluded.seq'),
        kind: eb.ref('excluded.kind'),
        ip: eb.ref('excluded.ip'),
        client_id: eb.ref('excluded.client_id'),
        created_at: eb.ref('excluded.created_at'),
      })),
    )
}

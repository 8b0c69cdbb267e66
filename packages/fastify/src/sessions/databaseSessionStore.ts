import { ConfigError } from '@passkey-id/runtime'
import {
  checkConnection,
  getOrCreateSecret,
  migrateToLatest,
  openDatabase,
  queryTemplate,
  type SecretsTable,
  slot,
} from '@passkey-id/store'
import { type Kysely, type Migration, sql } from 'kysely'
import type { ApiSession, SessionStore } from './SessionStore.ts'

/** The store's tables, as its migrations leave them. */
export interface SessionDatabase {
  api_sessions: {
    id: string
    sub: string
    scopes: string
    access_token: string
    profile: string
    created_at: string
    expires_at: string
  }
  api_secrets: SecretsTable
}

const migrations: Record<string, Migration> = {
  '0001_sessions': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('api_sessions')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('sub', 'text', (column) => column.notNull())
        .addColumn('scopes', 'text', (column) => column.notNull())
        .addColumn('profile', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('expires_at', 'text', (column) => column.notNull())
        .execute()
      await db.schema.createIndex('api_sessions_sub').on('api_sessions').column('sub').execute()
      await db.schema
        .createTable('api_secrets')
        .addColumn('name', 'text', (column) => column.primaryKey())
        .addColumn('value', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .execute()
    },
  },
  '0002_session_access_token': {
    // A session is now re-checked with the provider through its access token. Those started before
    // have none to re-check, so they end (their people sign in again) rather than go unchecked.
    async up(db: Kysely<unknown>) {
      await (db as Kysely<SessionDatabase>).deleteFrom('api_sessions').execute()
      await db.schema
        .alterTable('api_sessions')
        .addColumn('access_token', 'text', (column) => column.notNull().defaultTo(''))
        .execute()
    },
  },
  '0003_sealed_sessions': {
    // Sessions are now kept by a digest of their cookie, their token sealed under it. Those kept
    // before hold the cookie's value and the token in clear: they end, and their people sign in
    // again, rather than stay readable by anyone with a copy of this table.
    async up(db: Kysely<unknown>) {
      await (db as Kysely<SessionDatabase>).deleteFrom('api_sessions').execute()
    },
  },
}

const CLEANUP_INTERVAL_MS = 10 * 60 * 1000

/**
 * PostgreSQL connections the store may hold. A session lookup is one short query, and the API that
 * registers the plugin often has a pool of its own on the same server, whose max_connections both
 * share (the provider's default pool is 10).
 */
const POOL_SIZE = 5

/**
 * The default session store: a table in the database that `databaseUrl` names (a SQLite file by
 * default, or PostgreSQL for a `postgres://` URL), migrated on open. Expired sessions are invisible
 * at once and deleted every ten minutes.
 */
export async function databaseSessionStore(databaseUrl: string): Promise<SessionStore> {
  const db = openDatabase<SessionDatabase>(databaseUrl, { poolSize: POOL_SIZE })
  await checkSessionDatabase(db, databaseUrl)
  await migrateToLatest(db as Kysely<unknown>, migrations, 'api_session_migrations')
  const now = () => new Date().toISOString()
  const toSession = (row: SessionDatabase['api_sessions']): ApiSession => ({
    id: row.id,
    sub: row.sub,
    scopes: row.scopes.split(' ').filter(Boolean),
    accessToken: row.access_token,
    profile: JSON.parse(row.profile) as Record<string, unknown>,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
  })
  // Every request signed in by a cookie makes this query: compiled once, not built each time.
  const findQuery = queryTemplate<SessionDatabase['api_sessions']>(
    db
      .selectFrom('api_sessions')
      .selectAll()
      .where('id', '=', slot('id'))
      .where('expires_at', '>', slot('now')),
  )
  const cleanup = setInterval(() => {
    db.deleteFrom('api_sessions')
      .where('expires_at', '<=', now())
      .execute()
      .catch(() => {})
  }, CLEANUP_INTERVAL_MS)
  cleanup.unref()

  return {
    async create(session) {
      await db
        .insertInto('api_sessions')
        .values({
          id: session.id,
          sub: session.sub,
          scopes: session.scopes.join(' '),
          access_token: session.accessToken,
          profile: JSON.stringify(session.profile),
          created_at: session.createdAt.toISOString(),
          expires_at: session.expiresAt.toISOString(),
        })
        .execute()
    },
    async find(id) {
      const { rows } = await db.executeQuery(findQuery({ id, now: now() }))
      const row = rows[0]
      return row === undefined ? undefined : toSession(row)
    },
    async delete(id) {
      await db.deleteFrom('api_sessions').where('id', '=', id).execute()
    },
    async listBySubject(sub) {
      const rows = await db
        .selectFrom('api_sessions')
        .selectAll()
        .where('sub', '=', sub)
        .where('expires_at', '>', now())
        .orderBy('created_at', 'desc')
        .execute()
      return rows.map(toSession)
    },
    async deleteBySubject(sub) {
      const result = await db.deleteFrom('api_sessions').where('sub', '=', sub).executeTakeFirst()
      return Number(result.numDeletedRows)
    },
    cookieSecret: () => getOrCreateSecret(db, 'api_secrets', 'cookie-secret'),
    async ping() {
      await sql`select 1`.execute(db)
    },
    async close() {
      clearInterval(cleanup)
      await db.destroy()
    },
  }
}

/**
 * Reaches the database once at start, so that an API whose session database is wrong or down
 * refuses to start with one line naming the plugin's option, rather than answering 500 to the
 * first `POST /session`.
 */
async function checkSessionDatabase(db: Kysely<SessionDatabase>, databaseUrl: string) {
  try {
    await checkConnection(db as Kysely<unknown>, databaseUrl)
  } catch (error) {
    await db.destroy()
    // The store's line names DATABASE_URL, the provider's variable; here the URL is the plugin's option.
    const reason =
      error instanceof Error ? error.message.replace(/^DATABASE_URL /, '') : String(error)
    throw new ConfigError(`passkeyId option sessions.databaseUrl ${reason}`, { cause: error })
  }
}

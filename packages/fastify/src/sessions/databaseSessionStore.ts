import {
  getOrCreateSecret,
  migrateToLatest,
  openDatabase,
  type SecretsTable,
} from '@passkey-id/store'
import type { Kysely, Migration } from 'kysely'
import type { ApiSession, SessionStore } from './SessionStore.ts'

interface SessionDatabase {
  api_sessions: {
    id: string
    sub: string
    scopes: string
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
}

const CLEANUP_INTERVAL_MS = 10 * 60 * 1000

/**
 * The default session store: a table in the database that `databaseUrl` names (a SQLite file by
 * default), migrated on open. Expired sessions are invisible at once and deleted every ten minutes.
 */
export async function databaseSessionStore(databaseUrl: string): Promise<SessionStore> {
  const db = openDatabase<SessionDatabase>(databaseUrl)
  await migrateToLatest(db as Kysely<unknown>, migrations, 'api_session_migrations')
  const now = () => new Date().toISOString()
  const toSession = (row: SessionDatabase['api_sessions']): ApiSession => ({
    id: row.id,
    sub: row.sub,
    scopes: row.scopes.split(' ').filter(Boolean),
    profile: JSON.parse(row.profile) as Record<string, unknown>,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
  })
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
          profile: JSON.stringify(session.profile),
          created_at: session.createdAt.toISOString(),
          expires_at: session.expiresAt.toISOString(),
        })
        .execute()
    },
    async find(id) {
      const row = await db
        .selectFrom('api_sessions')
        .selectAll()
        .where('id', '=', id)
        .where('expires_at', '>', now())
        .executeTakeFirst()
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
    async close() {
      clearInterval(cleanup)
      await db.destroy()
    },
  }
}

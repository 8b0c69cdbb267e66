import { type Kysely, PostgresAdapter } from 'kysely'

/** Which database a Kysely instance talks to: the few places that differ ask this, not the URL. */
export function databaseKind<Schema>(db: Kysely<Schema>): 'postgres' | 'sqlite' {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite'
}

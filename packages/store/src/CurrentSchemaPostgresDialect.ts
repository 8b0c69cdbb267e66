import {
  type DatabaseIntrospector,
  type Kysely,
  PostgresDialect,
  sql,
  type TableMetadata,
} from 'kysely'

/**
 * What Kysely's Migrator needs to know about a PostgreSQL database (which schemas and tables
 * exist), read from the connection's current schema only, by name of that schema.
 *
 * Kysely's own PostgreSQL introspector lists the tables of every schema and calls
 * `has_schema_privilege(<name>, 'USAGE')` on each: a schema another client drops meanwhile (a
 * test run's, or another application's in a shared database) makes it fail with 3F000, and a
 * start or `migrate` failed with it. The tables come without their columns: the Migrator and
 * `migrateToLatest` look at names only, and nothing else here asks.
 */
export class CurrentSchemaIntrospector implements DatabaseIntrospector {
  readonly #db: Kysely<unknown>

  constructor(db: Kysely<unknown>) {
    this.#db = db
  }

  async getSchemas(): Promise<{ name: string }[]> {
    const { rows } = await sql<{
      name: string | null
    }>`select current_schema() as name`.execute(this.#db)
    return rows.flatMap((row) => (row.name === null ? [] : [{ name: row.name }]))
  }

  async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ name: string; schema: string; type: string }>`
      select table_name as name, table_schema as schema, table_type as type
      from information_schema.tables
      where table_schema = current_schema()
      order by table_name`.execute(this.#db)
    return rows.map((row) => ({
      name: row.name,
      schema: row.schema,
      isView: row.type === 'VIEW',
      columns: [],
    }))
  }

  async getMetadata(): Promise<{ tables: TableMetadata[] }> {
    return { tables: await this.getTables() }
  }
}

/** Kysely's PostgreSQL dialect, introspecting only the connection's current schema. */
export class CurrentSchemaPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new CurrentSchemaIntrospector(db)
  }
}

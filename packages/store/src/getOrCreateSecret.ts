import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import { createSecretBox, type SecretBox } from './secretBox.ts'

/** A table of named secrets: `name` primary key, `value`, `created_at`. */
export interface SecretsTable {
  name: string
  value: string
  created_at: string
}

/**
 * Returns the secret called `name` from `table`, generating 32 random bytes (base64url) on first use.
 *
 * Insert-then-read makes two instances starting together on one database agree on one value. The
 * value is sealed by `box` as `<table>/<name>` (in clear without one), and what is read is opened by
 * it: a value the box cannot open stops the caller with one line, rather than a new secret replacing
 * one it cannot read.
 */
export async function getOrCreateSecret<
  Database extends Record<Table, SecretsTable>,
  Table extends keyof Database & string,
>(
  db: Kysely<Database>,
  table: Table,
  name: string,
  box: SecretBox = createSecretBox([]),
): Promise<string> {
  const where = `${table}/${name}`
  const secrets = db as unknown as Kysely<Record<'secrets', SecretsTable>>
  const from = table as unknown as 'secrets'
  await secrets
    .insertInto(from)
    .values({
      name,
      value: box.seal(randomBytes(32).toString('base64url'), where),
      created_at: new Date().toISOString(),
    })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .execute()
  const row = await secrets
    .selectFrom(from)
    .select('value')
    .where('name', '=', name)
    .executeTakeFirstOrThrow()
  return box.open(row.value, where)
}

import { type Compilable, type CompiledQuery, createQueryId } from 'kysely'

/** The values a query template takes per call, by the names its slots were given. */
type SlotValues = Record<string, string | null>

/** A query compiled once; each call gives it the values of its slots. */
export type QueryTemplate<Row> = (values: SlotValues) => CompiledQuery<Row>

const SLOT = '\u0000slot:'

/**
 * Marks where a value goes in a query built for `queryTemplate`. The mark begins with a NUL
 * character, so no constant a query is built with is mistaken for one; the values given per call
 * replace the marks and are never read as marks themselves.
 */
export function slot(name: string): string {
  return `${SLOT}${name}`
}

/**
 * Compiles `query` once and returns a function giving the compiled query with each slot's parameter
 * replaced by the value of that name; parameters that are no slot (a model's name, nulls) stay as
 * built. The query node is shared, the query id new each time (Kysely's plugins key their state by
 * it).
 *
 * For the queries every sign-in makes: building and compiling one with Kysely costs more than
 * running it on SQLite (tens of microseconds for an insert with a conflict clause), while the SQL
 * stays Kysely's, for whichever dialect the database speaks.
 */
export function queryTemplate<Row = never>(query: Compilable<unknown>): QueryTemplate<Row> {
  const compiled = query.compile()
  // A slot Kysely wrote into the SQL itself (`sql.lit`, a reference) would never get its value.
  if (compiled.sql.includes(SLOT))
    throw new TypeError(`a slot is not a parameter in ${compiled.sql}`)
  const slots = compiled.parameters.map((parameter) =>
    typeof parameter === 'string' && parameter.startsWith(SLOT)
      ? parameter.slice(SLOT.length)
      : undefined,
  )
  return (values) => ({
    query: compiled.query,
    sql: compiled.sql,
    queryId: createQueryId(),
    parameters: slots.map((name, index) => {
      if (name === undefined) return compiled.parameters[index]
      // PostgreSQL would take a missing value as NULL and match nothing, where SQLite throws.
      const value = values[name]
      if (value === undefined)
        throw new TypeError(`no value for the slot ${name} of ${compiled.sql}`)
      return value
    }),
  })
}

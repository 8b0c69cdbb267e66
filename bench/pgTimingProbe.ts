/**
 * Loaded into a provider process (`--import`, after tsx) by the benchmark: it times what the provider
 * waits for on PostgreSQL without changing the provider's code, by wrapping pg's prototypes (one
 * `pg` module serves the whole repository). Kysely checks a connection out of the pool for every
 * statement outside a transaction, so `checkoutMs` is the pool's wait (a free connection, or a new
 * one opened); `statementMs` runs from the statement's sending to its result, the round trip plus
 * the server's work, plus, under load, the time the result waits for the busy event loop. The totals
 * go to whoever asks `PG_TIMING` on the IPC channel.
 */
import pg from 'pg'
import { PG_TIMING, type PgTiming } from './pgTiming.ts'

const totals: PgTiming = { statements: 0, statementMs: 0, checkouts: 0, checkoutMs: 0 }

type Method = (this: unknown, ...args: unknown[]) => unknown

/**
 * Replaces `prototype[name]` by a wrapper that times each call answered with a promise (the form
 * Kysely uses; callback and submittable calls go through untouched) and adds it with `record`.
 */
function timePromises(prototype: object, name: string, record: (ms: number) => void): void {
  const methods = prototype as Record<string, Method>
  const original = methods[name]
  if (original === undefined) throw new Error(`pg has no ${name} to time`)
  methods[name] = function timed(this: unknown, ...args: unknown[]) {
    const began = performance.now()
    const result = original.apply(this, args)
    if (result instanceof Promise)
      result.then(
        () => record(performance.now() - began),
        () => {},
      )
    return result
  }
}

timePromises(pg.Pool.prototype, 'connect', (ms) => {
  totals.checkouts += 1
  totals.checkoutMs += ms
})
timePromises(pg.Client.prototype, 'query', (ms) => {
  totals.statements += 1
  totals.statementMs += ms
})

process.on('message', (message) => {
  if (message === PG_TIMING) process.send?.({ answers: PG_TIMING, timing: totals })
})

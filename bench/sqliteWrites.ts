/**
 * `npx tsx bench/sqliteWrites.ts`: what one write to `oidc_records` costs on node:sqlite, in
 * microseconds of the calling thread, under the settings and indexes the provider could use. Not part
 * of `npm run bench`: it isolates the database from HTTP, oidc-provider and Kysely.
 *
 * Each variant gets a new file with the provider's schema (its migrations, applied by the provider's
 * own store), then runs the writes of sign-ins as the adapter issues them: an Interaction, Session,
 * Grant, AuthorizationCode and AccessToken upserted, the Interaction updated and deleted, the code
 * consumed. Variants alternate, round after round, so a noisy machine touches them alike.
 *
 * Env: SQLITE_BENCH_SIGN_INS per round (2000), SQLITE_BENCH_ROUNDS (3).
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { openProviderStore } from '../packages/provider/src/store/openProviderStore.ts'

const SIGN_INS = Number(process.env.SQLITE_BENCH_SIGN_INS ?? 2000)
const ROUNDS = Number(process.env.SQLITE_BENCH_ROUNDS ?? 3)

/** The indexes before migration 0006, with interactions keeping their session's uid. */
const OLD_INDEXES = `
  drop index oidc_records_grant_id; drop index oidc_records_uid;
  create index oidc_records_grant_id on oidc_records (model, grant_id);
  create index oidc_records_uid on oidc_records (model, uid);`

/** As migration 0006 leaves them (the provider's schema, so nothing to change). */
const PARTIAL_INDEXES = ''

interface Variant {
  name: string
  indexes: string
  /** Whether interactions keep a uid (before 0006) or not (the adapter now). */
  interactionUid: boolean
  /** Checkpoint every so many sign-ins (counted), SQLite's own off; undefined: SQLite's default. */
  checkpointEvery?: number
}

const variants: Variant[] = [
  {
    name: 'before: autocheckpoint 1000 pages, full indexes',
    indexes: OLD_INDEXES,
    interactionUid: true,
  },
  { name: 'partial indexes only', indexes: PARTIAL_INDEXES, interactionUid: false },
  {
    name: 'checkpoint every 50 sign-ins on this thread, full indexes',
    indexes: OLD_INDEXES,
    interactionUid: true,
    checkpointEvery: 50,
  },
  {
    name: 'checkpoint every 50 sign-ins on this thread, partial indexes',
    indexes: PARTIAL_INDEXES,
    interactionUid: false,
    checkpointEvery: 50,
  },
  {
    name: 'after: partial indexes, checkpoints in another thread (none on this one)',
    indexes: PARTIAL_INDEXES,
    interactionUid: false,
    checkpointEvery: Number.POSITIVE_INFINITY,
  },
]

const randomId = () => randomBytes(32).toString('base64url')
/** A payload about the size of oidc-provider's. */
const payload = (kind: string) => JSON.stringify({ kind, filler: 'x'.repeat(600), jti: randomId() })

async function runVariant(variant: Variant): Promise<{ microsPerWrite: number; writes: number }> {
  const dir = await mkdtemp(join(os.tmpdir(), 'sqlite-writes-'))
  const file = join(dir, 'provider.db')
  await (await openProviderStore(file)).destroy()
  const db = new DatabaseSync(file)
  db.exec('pragma journal_mode = WAL; pragma synchronous = NORMAL; pragma foreign_keys = ON')
  db.exec(variant.indexes)
  if (variant.checkpointEvery !== undefined) db.exec('pragma wal_autocheckpoint = 0')
  const upsert = db.prepare(
    `insert into oidc_records (model, id, consumed_at, webauthn_challenge, payload, grant_id, account_id, uid, user_code, expires_at)
     values (?, ?, null, null, ?, ?, ?, ?, null, ?) on conflict (model, id) do update set payload = excluded.payload,
     grant_id = excluded.grant_id, account_id = excluded.account_id, uid = excluded.uid, expires_at = excluded.expires_at`,
  )
  const consume = db.prepare(
    'update oidc_records set consumed_at = ? where model = ? and id = ? and consumed_at is null',
  )
  const destroy = db.prepare('delete from oidc_records where model = ? and id = ?')
  const expires = new Date(Date.now() + 3600_000).toISOString()
  let writes = 0
  const started = process.hrtime.bigint()
  for (let signIn = 0; signIn < SIGN_INS; signIn++) {
    const account = `account-${signIn % 8}`
    const interaction = randomId()
    const session = randomId()
    const grant = randomId()
    const code = randomId()
    const token = randomId()
    const uid = randomId()
    upsert.run(
      'Interaction',
      interaction,
      payload('i'),
      null,
      null,
      variant.interactionUid ? uid : null,
      expires,
    )
    upsert.run(
      'Interaction',
      interaction,
      payload('i'),
      null,
      null,
      variant.interactionUid ? uid : null,
      expires,
    )
    upsert.run('Session', session, payload('s'), null, account, uid, expires)
    upsert.run('Grant', grant, payload('g'), null, account, null, expires)
    upsert.run(
      'Interaction',
      interaction,
      payload('i'),
      grant,
      account,
      variant.interactionUid ? uid : null,
      expires,
    )
    destroy.run('Interaction', interaction)
    upsert.run('AuthorizationCode', code, payload('c'), grant, account, null, expires)
    consume.run(new Date().toISOString(), 'AuthorizationCode', code)
    upsert.run('AccessToken', token, payload('t'), grant, account, null, expires)
    writes += 9
    if (signIn % (variant.checkpointEvery ?? 0) === (variant.checkpointEvery ?? 0) - 1)
      db.exec('pragma wal_checkpoint(PASSIVE)')
  }
  const micros = Number(process.hrtime.bigint() - started) / 1000
  const wal = db.prepare('pragma wal_checkpoint(PASSIVE)').get() as { log: number }
  if (variant.checkpointEvery === Number.POSITIVE_INFINITY)
    console.log(`  ${(wal.log / writes).toFixed(1)} WAL frames (pages) per write: ${variant.name}`)
  db.close()
  await rm(dir, { recursive: true, force: true })
  return { microsPerWrite: micros / writes, writes }
}

const results = new Map<string, number[]>()
for (let round = 0; round < ROUNDS; round++) {
  for (const variant of variants) {
    const { microsPerWrite } = await runVariant(variant)
    results.set(variant.name, [...(results.get(variant.name) ?? []), microsPerWrite])
  }
}
console.log(`µs per write, ${SIGN_INS} sign-ins × 9 writes per round, rounds in order:`)
for (const [name, values] of results) {
  const sorted = [...values].sort((a, b) => a - b)
  console.log(
    `  median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(1).padStart(6)}  (${values.map((v) => v.toFixed(1)).join(' / ')})  ${name}`,
  )
}

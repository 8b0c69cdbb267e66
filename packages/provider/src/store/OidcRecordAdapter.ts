import { type QueryTemplate, queryTemplate, slot } from '@passkey-id/store'
import type { Kysely } from 'kysely'
import type { Adapter, AdapterPayload } from 'oidc-provider'
import { errors } from '../oidcProviderLibrary.ts'
import type { ProviderDatabase } from './schema.ts'

/** A column an adapter may look a record up by. */
type LookupColumn = 'id' | 'uid' | 'user_code'

/** A stored record as `findBy` reads it. */
interface StoredRecord {
  payload: string
  expires_at: string | null
  consumed_at: string | null
}

/**
 * oidc-provider's storage for one model (Session, Interaction, Grant, AuthorizationCode, ...), kept
 * in the `oidc_records` table so that sign-ins, codes and tokens survive a restart and can be shared
 * by several instances.
 *
 * Each query is built and compiled by Kysely once per model, and each call runs that compiled SQL
 * with its own parameters: a sign-in makes some twenty of these calls, and building and compiling a
 * query costs more than running it. The SQL stays Kysely's, for whichever dialect `db` speaks.
 */
export class OidcRecordAdapter implements Adapter {
  private readonly upsertQuery: QueryTemplate<never>
  private readonly consumeQuery: QueryTemplate<never>
  private readonly destroyQuery: QueryTemplate<never>
  private readonly revokeQuery: QueryTemplate<never>
  private readonly findQueries: Record<LookupColumn, QueryTemplate<StoredRecord>>
  private readonly db: Kysely<ProviderDatabase>
  private readonly model: string

  constructor(db: Kysely<ProviderDatabase>, model: string) {
    this.db = db
    this.model = model
    const columns = {
      payload: slot('payload'),
      grant_id: slot('grant_id'),
      account_id: slot('account_id'),
      uid: slot('uid'),
      user_code: slot('user_code'),
      expires_at: slot('expires_at'),
    }
    this.upsertQuery = queryTemplate(
      db
        .insertInto('oidc_records')
        .values({ model, id: slot('id'), consumed_at: null, webauthn_challenge: null, ...columns })
        .onConflict((conflict) => conflict.columns(['model', 'id']).doUpdateSet(columns)),
    )
    this.consumeQuery = queryTemplate(
      db
        .updateTable('oidc_records')
        .set({ consumed_at: slot('now') })
        .where('model', '=', model)
        .where('id', '=', slot('id'))
        .where('consumed_at', 'is', null),
    )
    this.destroyQuery = queryTemplate(
      db.deleteFrom('oidc_records').where('model', '=', model).where('id', '=', slot('id')),
    )
    this.revokeQuery = queryTemplate(
      db
        .deleteFrom('oidc_records')
        .where('model', '=', model)
        .where('grant_id', '=', slot('grant_id')),
    )
    const find = (column: LookupColumn) =>
      queryTemplate<StoredRecord>(
        db
          .selectFrom('oidc_records')
          .select(['payload', 'expires_at', 'consumed_at'])
          .where('model', '=', model)
          .where(column, '=', slot('value'))
          .where((where) =>
            where.or([where('expires_at', 'is', null), where('expires_at', '>', slot('now'))]),
          ),
      )
    this.findQueries = { id: find('id'), uid: find('uid'), user_code: find('user_code') }
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    await this.db.executeQuery(
      this.upsertQuery({
        id,
        payload: JSON.stringify(payload),
        grant_id: payload.grantId ?? null,
        account_id: payload.accountId ?? null,
        // Only sessions are looked up by uid (Session.findByUid): an interaction's copy of its
        // session's uid stays in the payload, out of the uid index.
        uid: this.model === 'Session' ? (payload.uid ?? null) : null,
        user_code: payload.userCode ?? null,
        expires_at: expiresIn > 0 ? new Date(Date.now() + expiresIn * 1000).toISOString() : null,
      }),
    )
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return this.findBy('id', id)
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.findBy('uid', uid)
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.findBy('user_code', userCode)
  }

  /**
   * Marks a record (an authorization code, say) as used. The update succeeds only once, so two
   * requests racing with the same code cannot both redeem it: the second gets `invalid_grant`.
   */
  async consume(id: string): Promise<void> {
    const result = isStorable(id)
      ? await this.db.executeQuery(this.consumeQuery({ id, now: new Date().toISOString() }))
      : undefined
    if ((result?.numAffectedRows ?? 0n) === 0n) {
      throw new errors.InvalidGrant('the code or token was already used')
    }
  }

  async destroy(id: string): Promise<void> {
    if (isStorable(id)) await this.db.executeQuery(this.destroyQuery({ id }))
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.db.executeQuery(this.revokeQuery({ grant_id: grantId }))
  }

  private async findBy(column: LookupColumn, value: string): Promise<AdapterPayload | undefined> {
    if (!isStorable(value)) return undefined
    const { rows } = await this.db.executeQuery(
      this.findQueries[column]({ value, now: new Date().toISOString() }),
    )
    const row = rows[0]
    if (row === undefined) return undefined
    const payload = JSON.parse(row.payload) as AdapterPayload
    if (row.consumed_at !== null) payload.consumed = Math.floor(Date.parse(row.consumed_at) / 1000)
    return payload
  }
}

/**
 * Whether a value from a request (a code at the token endpoint, a uid in a URL) can name a stored
 * record. None holds a NUL character, and PostgreSQL refuses a bound string that does (error 22021),
 * which would answer the request with a 500 instead of "not found".
 */
function isStorable(value: string): boolean {
  return !value.includes('\u0000')
}

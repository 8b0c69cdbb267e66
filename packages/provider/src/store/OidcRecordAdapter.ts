import type { Kysely } from 'kysely'
import { type Adapter, type AdapterPayload, errors } from 'oidc-provider'
import type { ProviderDatabase } from './schema.ts'

/**
 * oidc-provider's storage for one model (Session, Interaction, Grant, AuthorizationCode, ...), kept
 * in the `oidc_records` table so that sign-ins, codes and tokens survive a restart and can be shared
 * by several instances.
 */
export class OidcRecordAdapter implements Adapter {
  constructor(
    private readonly db: Kysely<ProviderDatabase>,
    private readonly model: string,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const columns = {
      payload: JSON.stringify(payload),
      grant_id: payload.grantId ?? null,
      account_id: payload.accountId ?? null,
      uid: payload.uid ?? null,
      user_code: payload.userCode ?? null,
      expires_at: expiresIn > 0 ? new Date(Date.now() + expiresIn * 1000).toISOString() : null,
    }
    await this.db
      .insertInto('oidc_records')
      .values({ model: this.model, id, consumed_at: null, webauthn_challenge: null, ...columns })
      .onConflict((conflict) => conflict.columns(['model', 'id']).doUpdateSet(columns))
      .execute()
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
    const result = await this.db
      .updateTable('oidc_records')
      .set({ consumed_at: new Date().toISOString() })
      .where('model', '=', this.model)
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .executeTakeFirst()
    if (result.numUpdatedRows === 0n) {
      throw new errors.InvalidGrant('the code or token was already used')
    }
  }

  async destroy(id: string): Promise<void> {
    await this.db
      .deleteFrom('oidc_records')
      .where('model', '=', this.model)
      .where('id', '=', id)
      .execute()
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.db
      .deleteFrom('oidc_records')
      .where('model', '=', this.model)
      .where('grant_id', '=', grantId)
      .execute()
  }

  private async findBy(
    column: 'id' | 'uid' | 'user_code',
    value: string,
  ): Promise<AdapterPayload | undefined> {
    const row = await this.db
      .selectFrom('oidc_records')
      .select(['payload', 'expires_at', 'consumed_at'])
      .where('model', '=', this.model)
      .where(column, '=', value)
      .where((where) =>
        where.or([
          where('expires_at', 'is', null),
          where('expires_at', '>', new Date().toISOString()),
        ]),
      )
      .executeTakeFirst()
    if (row === undefined) return undefined
    const payload = JSON.parse(row.payload) as AdapterPayload
    if (row.consumed_at !== null) payload.consumed = Math.floor(Date.parse(row.consumed_at) / 1000)
    return payload
  }
}

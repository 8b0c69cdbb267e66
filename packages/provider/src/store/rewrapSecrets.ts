import type { SecretBox } from '@passkey-id/store'
import type { Kysely } from 'kysely'
import type { ProviderDatabase } from './schema.ts'

/** What `rewrapSecrets` changed, each value named by where it lives (`secrets/<name>`, `signing_keys/<kid>`). */
export interface RewrapReport {
  /** Values that were in clear and are now sealed. */
  encrypted: string[]
  /** Values sealed under another key of the keyring, now sealed under its first key. */
  resealed: string[]
  /** Values already sealed under the first key, opened to check them and left as they were. */
  unchanged: string[]
}

/** One stored secret: where it lives, and how to write it back. */
interface StoredSecret {
  where: string
  stored: string
  write: (value: string) => Promise<unknown>
}

/**
 * Brings every secret at rest (the `secrets` rows and the signing keys' private JWKs) under the
 * first key of `box`, in one transaction: `secrets encrypt` (with `fromClear`, clear values are
 * sealed) and `secrets rotate-key` (values sealed under an older key of the keyring are re-sealed).
 * Every value is opened first, so one that cannot be (a wrong key, a changed value, a clear value
 * during a rotation) rolls everything back with the box's one-line reason. Running it again
 * changes nothing.
 */
export function rewrapSecrets(
  db: Kysely<ProviderDatabase>,
  box: SecretBox,
  { fromClear }: { fromClear: boolean },
): Promise<RewrapReport> {
  return db.transaction().execute(async (trx) => {
    const secrets = await trx
      .selectFrom('secrets')
      .select(['name', 'value'])
      .orderBy('name')
      .execute()
    const keys = await trx
      .selectFrom('signing_keys')
      .select(['kid', 'private_jwk'])
      .orderBy('created_at')
      .execute()
    const all: StoredSecret[] = [
      ...secrets.map((row) => ({
        where: `secrets/${row.name}`,
        stored: row.value,
        write: (value: string) =>
          trx.updateTable('secrets').set({ value }).where('name', '=', row.name).execute(),
      })),
      ...keys.map((row) => ({
        where: `signing_keys/${row.kid}`,
        stored: row.private_jwk,
        write: (value: string) =>
          trx
            .updateTable('signing_keys')
            .set({ private_jwk: value })
            .where('kid', '=', row.kid)
            .execute(),
      })),
    ]
    const report: RewrapReport = { encrypted: [], resealed: [], unchanged: [] }
    for (const { where, stored, write } of all) {
      const storedKeyId = box.keyIdOf(stored)
      const inClear = storedKeyId === undefined && fromClear
      const value = inClear ? stored : box.open(stored, where)
      if (storedKeyId === box.keyId) {
        report.unchanged.push(where)
        continue
      }
      await write(box.seal(value, where))
      report[inClear ? 'encrypted' : 'resealed'].push(where)
    }
    return report
  })
}

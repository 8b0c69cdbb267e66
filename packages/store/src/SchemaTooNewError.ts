import { ConfigError } from '@passkey-id/runtime'

/**
 * The database has migrations this version does not know: a newer version upgraded it. Running on
 * would misread its tables, so the start stops here with one line, having changed nothing.
 */
export class SchemaTooNewError extends ConfigError {
  override name = 'SchemaTooNewError'

  constructor(unknown: string, newestKnown: string | undefined) {
    super(
      `the database was upgraded by a newer version of passkey-id (migration ${unknown}; this version knows up to ${newestKnown ?? 'none'}): run that version or a newer one; nothing was changed`,
    )
  }
}

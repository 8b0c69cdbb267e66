import { asksForHelp } from '@passkey-id/runtime'
import { redactUrl } from '@passkey-id/store'
import type { ProviderConfig } from '../config.ts'
import { copyDatabase } from './copyDatabase.ts'

const USAGE = `usage: passkey-id-provider db copy --from <SQLite file>
  copy  copies the provider's SQLite database (sqlite:./data/passkey-id.db, or a path) into the
        empty PostgreSQL database of DATABASE_URL: accounts, passkeys, consents, signing keys and
        secrets, so every app's sub stays the same. Stop the provider on SQLite first; then start
        the instances on DATABASE_URL with the same ENCRYPTION_KEY`

/**
 * `db copy --from <file>` on the command line: moving from SQLite to PostgreSQL (see
 * `copyDatabase`). Prints what it copied; a refusal is a `ConfigError` the CLI prints in one line.
 * Returns the exit code.
 */
export async function runDbCommand(
  args: readonly string[],
  config: Pick<ProviderConfig, 'databaseUrl'>,
  print: (line: string) => void = console.log,
): Promise<number> {
  const [command, ...options] = args
  const from = readFrom(options)
  const help = asksForHelp(args)
  if (help || command !== 'copy' || from === undefined) {
    print(USAGE)
    return help || command === undefined ? 0 : 2
  }
  const { copied, expired } = await copyDatabase(from, config.databaseUrl)
  const rows = copied.map(({ table, rows }) => `${rows} ${table}`).join(', ')
  print(`copied ${rows} into ${redactUrl(config.databaseUrl)}`)
  if (expired > 0) print(`left behind ${expired} expired oidc_records (codes, sessions, tokens)`)
  print(
    'start the provider with this DATABASE_URL (and the same ENCRYPTION_KEY, if any); keep the SQLite file until it runs',
  )
  return 0
}

/** The value of `--from <value>` or `--from=<value>`, if given once and nothing else is. */
function readFrom(options: readonly string[]): string | undefined {
  const [first, second] = options
  if (options.length === 2 && first === '--from') return second
  if (options.length === 1 && first?.startsWith('--from=')) return first.slice('--from='.length)
  return undefined
}

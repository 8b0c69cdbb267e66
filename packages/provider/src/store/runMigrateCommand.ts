import { asksForHelp } from '@passkey-id/runtime'
import { openProviderStore } from './openProviderStore.ts'

const USAGE = `usage: passkey-id-provider migrate
  brings the database of DATABASE_URL up to this version's schema, and nothing else: run it once
  before restarting the instances of an upgrade (README: Upgrading)`

/**
 * `migrate` on the command line: brings the database's schema up to this version and stops, so
 * that an upgrade of several instances migrates once, before they restart one by one. Prints what
 * it applied, or that there was nothing to apply; returns the exit code. A schema newer than this
 * version is refused (`SchemaTooNewError`), changing nothing.
 */
export async function runMigrateCommand(
  args: readonly string[],
  databaseUrl: string,
  print: (line: string) => void = console.log,
): Promise<number> {
  // It takes no arguments: anything after it is a mistake, or a request for help, never a migration.
  if (args.length > 0) {
    print(USAGE)
    return asksForHelp(args) ? 0 : 2
  }
  let applied: string[] = []
  const db = await openProviderStore(databaseUrl, {
    poolSize: 1,
    atStart: async (_locked, names) => {
      applied = names
    },
  })
  await db.destroy()
  print(
    applied.length > 0
      ? `applied ${applied.join(', ')}`
      : 'the database schema is current: nothing to apply',
  )
  return 0
}

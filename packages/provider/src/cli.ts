import module from 'node:module'
import {
  asksForHelp,
  ConfigError,
  exitOnUnsupportedNode,
  reportReady,
  serverEnvironment,
} from '@passkey-id/runtime'

// `npm run provider`: the provider alone, configured from environment variables, until Ctrl-C.
// `npm run provider -- migrate`: the database's schema brought up to this version, nothing else.
// `npm run provider -- keys <list|add-next|promote>`: signing-key rotation on the same database.
// `npm run provider -- secrets <encrypt|rotate-key>`: encrypting its secrets at rest (ENCRYPTION_KEY).
// `npm run provider -- db copy --from <SQLite file>`: moving to the PostgreSQL of DATABASE_URL.
// `npm run provider -- accounts <list|show|disable|enable|delete|recovery-link>`: the operator's
// view of accounts.

// First, before the server's modules are loaded (a static import would load them ahead of this
// line): on an old Node they fail with errors that do not say the Node is the problem.
exitOnUnsupportedNode()
// Most of a start is loading modules: V8's compiled code is kept in the system's temporary folder for
// the next start. (`npm start` sets NODE_COMPILE_CACHE for its servers, which also keeps the modules
// stripped of their types: see `compileCacheEnvironment`.)
module.enableCompileCache()

/** The longest a stop waits for the requests in flight before exiting anyway. */
const STOP_GRACE_MS = 10_000

const USAGE = `usage: passkey-id-provider [<command>]   (configured by environment variables: README)
  (no command)   runs the provider until Ctrl-C or SIGTERM
  migrate        brings the database's schema up to this version, and nothing else
  keys           signing-key rotation: keys help
  secrets        encrypting secrets at rest: secrets help
  db             moving from SQLite to PostgreSQL: db help
  accounts       listing, disabling, enabling and deleting accounts, recovery links: accounts --help`

/** The commands; anything else on the command line is a mistake, not a start of the server. */
const COMMANDS = new Set(['migrate', 'keys', 'secrets', 'db', 'accounts'])

try {
  const [command, ...args] = process.argv.slice(2)
  if (command !== undefined && !COMMANDS.has(command)) {
    // Before the configuration is read: help needs none, and a typo should not start a server.
    console.log(USAGE)
    process.exitCode = asksForHelp([command]) ? 0 : 2
  } else {
    await runCommand(command, args)
  }
} catch (error) {
  console.error(error instanceof ConfigError ? `passkey-id provider: ${error.message}` : error)
  process.exitCode = 1
}

/** Reads the configuration and runs `command`, or with none the provider itself. */
async function runCommand(command: string | undefined, args: string[]): Promise<void> {
  const { loadProviderConfig } = await import('./config.ts')
  const config = loadProviderConfig(serverEnvironment())
  if (command === 'migrate') {
    const { runMigrateCommand } = await import('./store/runMigrateCommand.ts')
    process.exitCode = await runMigrateCommand(args, config.databaseUrl)
  } else if (command === 'keys') {
    const { runKeysCommand } = await import('./keys/runKeysCommand.ts')
    process.exitCode = await runKeysCommand(args, config)
  } else if (command === 'secrets') {
    const { runSecretsCommand } = await import('./store/runSecretsCommand.ts')
    process.exitCode = await runSecretsCommand(args, config)
  } else if (command === 'db') {
    const { runDbCommand } = await import('./store/runDbCommand.ts')
    process.exitCode = await runDbCommand(args, config)
  } else if (command === 'accounts') {
    const { runAccountsCommand } = await import('./operator/runAccountsCommand.ts')
    process.exitCode = await runAccountsCommand(args, config)
  } else {
    const [{ startProvider }, { default: closeWithGrace }] = await Promise.all([
      import('./startProvider.ts'),
      import('close-with-grace'),
    ])
    const provider = await startProvider(config)
    // SIGTERM or Ctrl-C: stop accepting connections, let the requests in flight finish, close the
    // database pool, exit 0. Past STOP_GRACE_MS the process exits 1 anyway (README: "Stopping").
    closeWithGrace({ delay: STOP_GRACE_MS }, async ({ err, signal }) => {
      if (err !== undefined) provider.log.error({ err }, 'stopping after an unexpected error')
      else provider.log.info(`${signal ?? 'exit'}: stopping, finishing requests in flight`)
      await provider.close()
    })
    reportReady()
  }
}

import { ConfigError } from '@passkey-id/runtime'
import closeWithGrace from 'close-with-grace'
import { loadProviderConfig } from './config.ts'
import { runKeysCommand } from './keys/runKeysCommand.ts'
import { startProvider } from './startProvider.ts'

// `npm run provider`: the provider alone, configured from environment variables, until Ctrl-C.
// `npm run provider -- keys <list|add-next|promote>`: signing-key rotation on the same database.
try {
  const config = loadProviderConfig()
  const [command, ...args] = process.argv.slice(2)
  if (command === 'keys') {
    process.exitCode = await runKeysCommand(args, config.databaseUrl)
  } else {
    const provider = await startProvider(config)
    closeWithGrace({ delay: 10_000 }, async ({ err }) => {
      if (err !== undefined) provider.log.error({ err }, 'stopping after an unexpected error')
      await provider.close()
    })
  }
} catch (error) {
  console.error(error instanceof ConfigError ? `passkey-id provider: ${error.message}` : error)
  process.exitCode = 1
}

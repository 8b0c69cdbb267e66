import { ConfigError } from '@passkey-id/runtime'
import closeWithGrace from 'close-with-grace'
import { loadProviderConfig } from './config.ts'
import { startProvider } from './startProvider.ts'

// `npm run provider`: the provider alone, configured from environment variables, until Ctrl-C.
try {
  const provider = await startProvider(loadProviderConfig())
  closeWithGrace({ delay: 10_000 }, async ({ err }) => {
    if (err !== undefined) provider.log.error({ err }, 'stopping after an unexpected error')
    await provider.close()
  })
} catch (error) {
  console.error(error instanceof ConfigError ? `passkey-id provider: ${error.message}` : error)
  process.exitCode = 1
}

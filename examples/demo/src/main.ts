import { ConfigError, safeLogSerializers } from '@passkey-id/runtime'
import closeWithGrace from 'close-with-grace'
import { buildDemo } from './app.ts'
import { loadDemoConfig } from './config.ts'

// `npm run demo`: the demo API alone, signing in through ISSUER, until Ctrl-C.
try {
  const config = loadDemoConfig()
  const app = await buildDemo({
    ...config,
    logger: { level: config.logLevel, serializers: safeLogSerializers },
  })
  await app.listen({ port: config.port, host: config.host })
  app.log.info(`passkey-id demo ready: open ${config.appUrl}/docs`)
  closeWithGrace({ delay: 10_000 }, () => app.close())
} catch (error) {
  console.error(error instanceof ConfigError ? `passkey-id demo: ${error.message}` : error)
  process.exitCode = 1
}

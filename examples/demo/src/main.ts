import { ConfigError, readOrigin, readPort, safeLogSerializers } from '@passkey-id/runtime'
import closeWithGrace from 'close-with-grace'
import { buildDemo } from './app.ts'

// `npm run demo`: the demo API on http://localhost:8000, signing in through ISSUER.
try {
  const port = readPort('PORT', process.env.PORT, 8000)
  const appUrl = readOrigin('PUBLIC_URL', process.env.PUBLIC_URL, `http://localhost:${port}`)
  const issuer = readOrigin('ISSUER', process.env.ISSUER, 'http://localhost:8080')
  const app = await buildDemo({
    issuer,
    appUrl,
    logger: { level: process.env.LOG_LEVEL ?? 'info', serializers: safeLogSerializers },
  })
  await app.listen({ port, host: process.env.HOST ?? 'localhost' })
  app.log.info(`passkey-id demo ready: open ${appUrl}/docs`)
  closeWithGrace({ delay: 10_000 }, () => app.close())
} catch (error) {
  console.error(error instanceof ConfigError ? `passkey-id demo: ${error.message}` : error)
  process.exitCode = 1
}

import { buildDemo, loadDemoConfig } from '@passkey-id/demo'
import { loadProviderConfig, startProvider } from '@passkey-id/provider'
import { ConfigError, safeLogSerializers } from '@passkey-id/runtime'
import closeWithGrace from 'close-with-grace'

// `npm start`: the provider on :8080 and the demo API on :8000 in one process, until Ctrl-C.
// Each reads its own variables with a prefix (PROVIDER_PORT, DEMO_PORT, ...), since both have a PORT.
function prefixed(prefix: string): NodeJS.ProcessEnv {
  // Quieter than each alone: two servers share one terminal. LOG_LEVEL applies to both.
  const env: NodeJS.ProcessEnv = { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' }
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith(prefix)) env[name.slice(prefix.length)] = value
  }
  return env
}

try {
  const providerConfig = loadProviderConfig(prefixed('PROVIDER_'))
  const demoConfig = loadDemoConfig({ ISSUER: providerConfig.publicUrl, ...prefixed('DEMO_') })
  const provider = await startProvider(providerConfig)
  const demo = await buildDemo({
    ...demoConfig,
    logger: { level: demoConfig.logLevel, serializers: safeLogSerializers },
  })
  await demo.listen({ port: demoConfig.port, host: demoConfig.host })
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err !== undefined) console.error(err)
    else console.log(`\n${signal ?? 'stop'}: closing the demo and the provider`)
    await demo.close()
    await provider.close()
  })
  console.log(
    `passkey-id provider: ${providerConfig.publicUrl}  (database ${providerConfig.databaseUrl})`,
  )
  console.log(`demo API:            ${demoConfig.appUrl}/docs  <- open this, click Authorize`)
  console.log('Press Ctrl-C to stop.')
} catch (error) {
  console.error(error instanceof ConfigError ? `passkey-id: ${error.message}` : error)
  process.exitCode = 1
}

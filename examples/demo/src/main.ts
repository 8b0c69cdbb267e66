import module from 'node:module'
import {
  ConfigError,
  exitOnUnsupportedNode,
  reportReady,
  safeLogSerializers,
  serverEnvironment,
} from '@passkey-id/runtime'

// `npm run demo`: the demo API alone, signing in through ISSUER, until Ctrl-C.

// First, before the server's modules are loaded (a static import would load them ahead of this
// line): on an old Node they fail with errors that do not say the Node is the problem.
exitOnUnsupportedNode()
// Most of a start is loading modules: V8's compiled code is kept in the system's temporary folder for
// the next start. (`npm start` sets NODE_COMPILE_CACHE for its servers, which also keeps the modules
// stripped of their types: see `compileCacheEnvironment`.)
module.enableCompileCache()

try {
  const [{ buildDemo }, { loadDemoConfig }, { default: closeWithGrace }] = await Promise.all([
    import('./app.ts'),
    import('./config.ts'),
    import('close-with-grace'),
  ])
  const config = loadDemoConfig(serverEnvironment())
  const app = await buildDemo({
    ...config,
    logger: { level: config.logLevel, serializers: safeLogSerializers },
  })
  await app.listen({ port: config.port, host: config.host })
  app.log.info(`passkey-id demo ready: open ${config.appUrl}/docs`)
  closeWithGrace({ delay: 10_000 }, () => app.close())
  reportReady()
} catch (error) {
  console.error(error instanceof ConfigError ? `passkey-id demo: ${error.message}` : error)
  process.exitCode = 1
}

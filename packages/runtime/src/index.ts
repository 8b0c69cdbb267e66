export { asksForHelp } from './asksForHelp.ts'
export { compileCacheEnvironment } from './compileCacheEnvironment.ts'
export {
  ConfigError,
  type LogLevel,
  readBoolean,
  readChoice,
  readEncryptionKeys,
  readInteger,
  readLogLevel,
  readOrigin,
  readPort,
} from './env.ts'
export { exitOnUnsupportedNode } from './exitOnUnsupportedNode.ts'
export { isSameOriginRequest } from './isSameOriginRequest.ts'
export { READY, reportReady } from './reportReady.ts'
export { safeLogSerializers } from './safeLogSerializers.ts'
export { SERVER_ENVIRONMENT, serverEnvironment } from './serverEnvironment.ts'

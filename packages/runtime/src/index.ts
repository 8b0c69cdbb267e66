export {
  ConfigError,
  type LogLevel,
  readBoolean,
  readChoice,
  readInteger,
  readLogLevel,
  readOrigin,
  readPort,
} from './env.ts'
export { isSameOriginRequest } from './isSameOriginRequest.ts'
export { safeLogSerializers } from './safeLogSerializers.ts'

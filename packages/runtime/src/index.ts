export { ConfigError, readBoolean, readChoice, readInteger, readOrigin, readPort } from './env.ts'
export { safeLogSerializers } from './safeLogSerializers.ts'

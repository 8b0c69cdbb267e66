export { ConfigError, readBoolean, readChoice, readInteger, readOrigin, readPort } from './env.ts'
export { isSameOriginRequest } from './isSameOriginRequest.ts'
export { safeLogSerializers } from './safeLogSerializers.ts'

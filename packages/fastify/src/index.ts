export { safeLogSerializers } from '@passkey-id/runtime'
export { bearerToken } from './bearerToken.ts'
export { type AuthenticatedUser, type PasskeyIdOptions, passkeyId } from './passkeyId.ts'
export type { ApiSession, SessionStore } from './sessions/SessionStore.ts'

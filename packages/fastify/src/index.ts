export { safeLogSerializers } from '@passkey-id/runtime'
export { bearerToken } from './bearerToken.ts'
export { type AuthenticatedUser, type PasskeyIdOptions, passkeyId } from './passkeyId.ts'

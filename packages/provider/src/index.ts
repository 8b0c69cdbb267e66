export { loadProviderConfig, type ProviderConfig } from './config.ts'
export { createProviderServer } from './createProviderServer.ts'
export { startProvider } from './startProvider.ts'

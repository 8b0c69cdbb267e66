export { getOrCreateSecret, type SecretsTable } from './getOrCreateSecret.ts'
export { migrateToLatest } from './migrateToLatest.ts'
export { openDatabase } from './openDatabase.ts'
export { type DatabaseLocation, parseDatabaseUrl } from './parseDatabaseUrl.ts'

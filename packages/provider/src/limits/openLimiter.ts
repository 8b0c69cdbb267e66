import { databaseKind } from '@passkey-id/store'
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import type { ProviderConfig } from '../config.ts'
import type { ProviderDatabase } from '../store/schema.ts'
import type { CounterStore } from './CounterStore.ts'
import { createLimiter, type Limiter } from './createLimiter.ts'
import { databaseCounterStore } from './databaseCounterStore.ts'
import { type FailOpenStore, failOpen } from './failOpen.ts'
import { memoryCounterStore } from './memoryCounterStore.ts'
import { redisCounterStore } from './redisCounterStore.ts'

/**
 * The provider's limiter over the counter store its deployment calls for: Redis when REDIS_URL is
 * set (any number of instances, any database); else the PostgreSQL database, which the instances
 * share; else this process's memory (SQLite: one instance). The shared stores fail open (see
 * `failOpen`). Under RATE_LIMITS=off nothing is opened and nothing counted. Windows open and close
 * by `now`, the provider's clock (Redis keeps its own, by its keys' expiry).
 */
export function openLimiter(
  config: Pick<ProviderConfig, 'rateLimits' | 'redisUrl'>,
  db: Kysely<ProviderDatabase>,
  log: FastifyBaseLogger,
  now: () => number = Date.now,
): Limiter {
  if (!config.rateLimits) return createLimiter(memoryCounterStore(0), false)
  return createLimiter(counterStore(config.redisUrl, db, log, now), true, now)
}

function counterStore(
  redisUrl: string | undefined,
  db: Kysely<ProviderDatabase>,
  log: FastifyBaseLogger,
  now: () => number,
): CounterStore {
  if (redisUrl !== undefined) {
    let guarded: FailOpenStore | undefined
    const redis = redisCounterStore(redisUrl, (error) => guarded?.reportError(error))
    guarded = failOpen(redis, log, 'Redis (REDIS_URL)')
    return guarded
  }
  if (databaseKind(db) === 'postgres')
    return failOpen(databaseCounterStore(db, now), log, 'the database')
  return memoryCounterStore(undefined, now)
}

import { Redis } from 'ioredis'
import type { CounterStore } from './CounterStore.ts'

/** The longest a count waits for Redis before the request goes on without it (see `failOpen`). */
const COMMAND_TIMEOUT_MS = 500

/**
 * Adds ARGV[1] to KEYS[1] (never below 0) and gives it ARGV[2] ms to live when it has no expiry
 * yet, in one step on the server: returns the count and the ms left. A take-away from a counter that
 * does not exist creates nothing.
 */
const ADD_SCRIPT = `
local by = tonumber(ARGV[1])
if by < 0 and redis.call('EXISTS', KEYS[1]) == 0 then return {0, 0} end
local count = redis.call('INCRBY', KEYS[1], by)
if count < 0 then
  redis.call('SET', KEYS[1], 0, 'KEEPTTL')
  count = 0
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {count, ttl}
`

/**
 * Counters in Redis (REDIS_URL), shared by every instance whatever their database. Each count is one
 * Lua script, atomic on the server; keys carry a `passkey-id:rl:` prefix and expire with their
 * window. Commands fail at once while Redis is unreachable (no offline queue) and after
 * `COMMAND_TIMEOUT_MS` when it hangs, so a Redis outage never holds a request: `failOpen` decides.
 * The client reconnects by itself; `onError` hears each connection error.
 */
export function redisCounterStore(url: string, onError: (error: Error) => void): CounterStore {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    keyPrefix: 'passkey-id:rl:',
  })
  redis.on('error', onError)
  redis.defineCommand('passkeyIdAdd', { numberOfKeys: 1, lua: ADD_SCRIPT })
  const add = (
    redis as unknown as Record<string, (...args: unknown[]) => Promise<[number, number]>>
  ).passkeyIdAdd
  return {
    async add(key, by, windowMs) {
      const [count, ttl] = await (add as NonNullable<typeof add>).call(redis, key, by, windowMs)
      return { count, resetAt: Date.now() + ttl }
    },
    async close() {
      redis.disconnect()
    },
  }
}

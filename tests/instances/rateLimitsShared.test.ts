import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import { freePort } from '@passkey-id/testing/http'
import { startProviderProcess, startRoundRobinProxy } from '@passkey-id/testing/processes'
import { startTestProvider, type TestProvider } from '@passkey-id/testing/provider'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { LIMITS } from '../../packages/provider/src/limits/limitTable.ts'

// The limits shared by instances: two on one PostgreSQL schema (counters in its table), two behind
// a round-robin proxy counting in Redis; which client address counts under each TRUST_PROXY form;
// and a Redis outage (a private redis-server, stopped and started again by the test).

const LOOK_UPS = LIMITS.usernameLookUps.max
const GUESSES = LIMITS.failedCodeRedemptions.max

/** A username look-up (the sign-up options step) from `forwardedFor`, if given; 400 without an interaction. */
async function lookUp(base: string, forwardedFor?: string): Promise<number> {
  const response = await fetch(`${base}/interaction/none/sign-up/options`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      'sec-fetch-site': 'same-origin',
      ...(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }),
    },
    body: JSON.stringify({ username: 'alice' }),
  })
  await response.body?.cancel()
  return response.status
}

/** A guessed authorization code at the token endpoint (400 invalid_grant, until the limit). */
async function guess(base: string, index: number): Promise<number> {
  const response = await fetch(`${base}/openid/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: 'http://localhost:8000',
      redirect_uri: 'http://localhost:8000/cb',
      code: `guess-${index}-${'x'.repeat(40)}`,
      code_verifier: 'v'.repeat(43),
    }),
  })
  await response.body?.cancel()
  return response.status
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length

describe('two instances on one PostgreSQL schema share their counters', () => {
  let database: TestDatabase
  let instances: TestProvider[]
  beforeAll(async () => {
    database = await testDatabaseUrl('provider', {
      ...process.env,
      PASSKEY_ID_TEST_DATABASE: 'postgres',
    })
    instances = [await startTestProvider({}, database), await startTestProvider({}, database)]
  })
  afterAll(async () => {
    for (const instance of instances) await instance.stop()
    await database.drop()
  })

  it(`answers ${LOOK_UPS} username look-ups across both, alternating, then 429 on both`, async () => {
    const statuses: number[] = []
    for (let index = 0; index < LOOK_UPS + 20; index += 1)
      statuses.push(await lookUp(instances[index % 2]?.url ?? ''))
    expect(count(statuses, 400)).toBe(LOOK_UPS)
    expect(count(statuses, 429)).toBe(20)
  })

  it(`refuses guessed codes after ${GUESSES} across both (at most one more: the other's next failure)`, async () => {
    const statuses: number[] = []
    for (let index = 0; index < GUESSES + 40; index += 1)
      statuses.push(await guess(instances[index % 2]?.url ?? '', index))
    expect(count(statuses, 400)).toBeGreaterThanOrEqual(GUESSES)
    expect(count(statuses, 400)).toBeLessThanOrEqual(GUESSES + 1)
    expect(statuses.slice(-10).every((status) => status === 429)).toBe(true)
  })
})

describe('two instances behind a round-robin proxy count in Redis', () => {
  let instances: TestProvider[]
  let proxy: Awaited<ReturnType<typeof startRoundRobinProxy>>
  let redis: Redis
  beforeAll(async () => {
    // A database number of this run's own on the shared Redis, emptied of earlier counters.
    const db = 1 + (process.pid % 15)
    redis = new Redis(`redis://127.0.0.1:6379/${db}`)
    const old = await redis.keys('passkey-id:rl:*')
    if (old.length > 0) await redis.del(...old)
    const proxyPort = await freePort()
    const env = {
      REDIS_URL: `redis://127.0.0.1:6379/${db}`,
      PUBLIC_URL: `http://localhost:${proxyPort}`,
    }
    instances = [await startTestProvider(env), await startTestProvider(env)]
    proxy = await startRoundRobinProxy(instances.map(port), proxyPort)
  })
  afterAll(async () => {
    await proxy.close()
    for (const instance of instances) await instance.close()
    const keys = await redis.keys('passkey-id:rl:*')
    if (keys.length > 0) await redis.del(...keys)
    redis.disconnect()
  })

  it(`answers ${LOOK_UPS} look-ups through the proxy, half on each instance, then 429`, async () => {
    const statuses: number[] = []
    for (let index = 0; index < LOOK_UPS + 20; index += 1) statuses.push(await lookUp(proxy.url))
    // One more may pass: a count that Redis answers after the 500 ms command timeout (a stalled
    // process on a loaded machine) fails open, so that one request past the limit goes through.
    const answered = count(statuses, 400)
    expect(answered).toBeGreaterThanOrEqual(LOOK_UPS)
    expect(answered).toBeLessThanOrEqual(LOOK_UPS + 1)
    expect(count(statuses, 429)).toBe(LOOK_UPS + 20 - answered)
    const backends = new Set(
      proxy.log.filter((entry) => entry.status === 400).map((e) => e.backend),
    )
    expect(backends).toEqual(new Set([0, 1]))
    expect(await redis.keys('passkey-id:rl:usernameLookUps:*')).toHaveLength(1)
  })

  it(`refuses guessed codes after ${GUESSES} through the proxy`, async () => {
    const statuses: number[] = []
    for (let index = 0; index < GUESSES + 40; index += 1)
      statuses.push(await guess(proxy.url, index))
    // At most two more: the other instance's next failure (it learns the count at its own next
    // one), and one whose count timed out (500 ms, a stalled process on a loaded machine) and failed
    // open, leaving its instance one failure behind. Without the shared count each instance would
    // let its own ${GUESSES} through.
    expect(count(statuses, 400)).toBeGreaterThanOrEqual(GUESSES)
    expect(count(statuses, 400)).toBeLessThanOrEqual(GUESSES + 2)
  })
})

/** The port an instance listens on (its URL is the proxy's). */
function port(instance: TestProvider): number {
  const address = instance.app.server.address()
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP')
  return address.port
}

describe('TRUST_PROXY decides which address a request counts under', () => {
  let provider: TestProvider | undefined
  afterEach(async () => {
    await provider?.close()
    provider = undefined
  })

  /** Uses up the look-ups of one forwarded address; returns what another forwarded address gets. */
  async function exhaustThenTryAnother(env: Record<string, string>): Promise<number> {
    provider = await startTestProvider(env)
    const statuses: number[] = []
    for (let index = 0; index <= LOOK_UPS; index += 1)
      statuses.push(await lookUp(provider.url, '203.0.113.1'))
    expect(statuses.at(-1)).toBe(429)
    return lookUp(provider.url, '203.0.113.2')
  }

  it('unset: X-Forwarded-For is ignored (the peer is the client)', async () => {
    expect(await exhaustThenTryAnother({})).toBe(429)
  })

  it('a hop count (1): the address the proxy in front forwarded', async () => {
    expect(await exhaustThenTryAnother({ TRUST_PROXY: '1' })).toBe(400)
  })

  it('a CIDR list with the peer in it: the forwarded address', async () => {
    expect(await exhaustThenTryAnother({ TRUST_PROXY: '127.0.0.0/8,::1/128' })).toBe(400)
  })

  it('a CIDR list without the peer: the untrusted peer’s X-Forwarded-For is ignored', async () => {
    expect(await exhaustThenTryAnother({ TRUST_PROXY: '10.0.0.0/8' })).toBe(429)
  })
})

describe('a Redis outage', () => {
  let dir: string
  let redisPort: number
  let server: ChildProcess | undefined

  async function startRedis(): Promise<void> {
    server = spawn(
      'redis-server',
      ['--port', String(redisPort), '--save', '', '--appendonly', 'no', '--dir', dir],
      {
        stdio: 'ignore',
      },
    )
    const client = new Redis({ port: redisPort, lazyConnect: true, retryStrategy: () => 100 })
    // Refusals while the server starts are expected: the loop below waits for its PONG.
    client.on('error', () => {})
    for (let attempt = 0; attempt < 50; attempt += 1) {
      try {
        await client.connect()
        await client.ping()
        break
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
    client.disconnect()
  }

  async function stopRedis(): Promise<void> {
    const stopping = server
    if (stopping === undefined || stopping.exitCode !== null) return
    await new Promise((resolve) => {
      stopping.once('exit', resolve)
      stopping.kill('SIGKILL')
    })
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'passkey-id-redis-'))
    redisPort = await freePort()
    await startRedis()
  })
  afterAll(async () => {
    await stopRedis()
    await rm(dir, { recursive: true, force: true })
  })

  it('fails open, logs the outage at error once, and enforces the limits again when Redis is back', async () => {
    const database = await mkdtemp(join(tmpdir(), 'passkey-id-outage-'))
    const provider = await startProviderProcess({
      DATABASE_URL: join(database, 'provider.db'),
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      LOG_LEVEL: 'info',
    })
    try {
      const exhaust = async () => {
        const statuses: number[] = []
        for (let index = 0; index <= LOOK_UPS; index += 1) statuses.push(await lookUp(provider.url))
        return statuses
      }
      const before = await exhaust()
      expect(count(before, 400)).toBe(LOOK_UPS)
      expect(before.at(-1)).toBe(429)

      await stopRedis()
      const during: number[] = []
      for (let index = 0; index < LOOK_UPS * 2; index += 1) {
        const started = Date.now()
        during.push(await lookUp(provider.url))
        // A Redis that is gone never holds a request (no offline queue): the first count after the
        // kill may spend the 500 ms command timeout; 5 s leaves room for a loaded machine, and a
        // held request would wait for Redis to come back, which it does not in this loop.
        expect(Date.now() - started).toBeLessThan(5000)
      }
      expect(count(during, 400)).toBe(LOOK_UPS * 2)
      const outages = provider.output().match(/rate limits are not enforced: Redis \(REDIS_URL\)/g)
      expect(outages).toHaveLength(1)
      expect(provider.output()).toMatch(/"level":50[^\n]*rate limits are not enforced/)

      await startRedis()
      // The client reconnects within its retry delay (2 s at most); counting starts afresh.
      await expect
        .poll(
          async () => {
            await lookUp(provider.url)
            return provider.output().includes('rate limits are enforced again')
          },
          { timeout: 10_000, interval: 250 },
        )
        .toBe(true)
      const after = await exhaust()
      expect(after.at(-1)).toBe(429)
    } finally {
      await provider.stop()
      await rm(database, { recursive: true, force: true })
    }
  }, 120_000)
})

import { randomBytes } from 'node:crypto'
import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import { freePort, TestBrowser } from '@passkey-id/testing/http'
import {
  type ProviderProcess,
  type RoundRobinProxy,
  runProviderCommand,
  startProviderProcess,
  startRoundRobinProxy,
} from '@passkey-id/testing/processes'
import {
  buildAuthorizationRequest,
  discoverAsApp,
  signInThroughProvider,
  signInWithCodeFlow,
} from '@passkey-id/testing/sign-in'
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// Two provider processes on one PostgreSQL schema behind a round-robin proxy, both with the proxy's
// URL as their issuer, as behind a load balancer: whatever one instance keeps, the other must see.
// Always PostgreSQL (SQLite has one instance), so this runs once, not in each database's project.

const STEP_MS = 240_000
const APP = 'https://one.example'
const OTHER_APP = 'https://two.example'
/** How many codes are each redeemed on both instances at once. */
const RACES = 20

let database: TestDatabase
let proxy: RoundRobinProxy
let ports: number[]
let instances: ProviderProcess[] = []
let env: Record<string, string>

/** Starts the instance `index` on its port, behind the proxy. */
const startInstance = (index: number) =>
  startProviderProcess({ ...env, PORT: String(ports[index]) })

/** Restarts the instances one by one, as a rolling restart behind a load balancer does. */
async function restartAll(): Promise<void> {
  for (const [index, instance] of instances.entries()) {
    expect(await instance.stop()).toEqual({ code: 0, signal: null })
    instances[index] = await startInstance(index)
  }
}

beforeAll(async () => {
  database = await testDatabaseUrl('provider', {
    ...process.env,
    PASSKEY_ID_TEST_DATABASE: 'postgres',
  })
  ports = [await freePort(), await freePort()]
  proxy = await startRoundRobinProxy(ports)
  env = {
    DATABASE_URL: database.url,
    PUBLIC_URL: proxy.url,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DATABASE_POOL_SIZE: '4',
  }
  // Together, on the empty schema: the start-up lock gives them one set of keys.
  instances = await Promise.all([startInstance(0), startInstance(1)])
}, STEP_MS)
afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop('SIGKILL')))
  await proxy?.close()
  await database?.drop()
})

/** openid-client as the app, every request sent to the instance `index` instead of the proxy. */
async function appOn(index: number, clientId = APP): Promise<oidc.Configuration> {
  const config = await discoverAsApp(proxy.url, clientId)
  const backend = `http://localhost:${ports[index]}`
  config[oidc.customFetch] = (url, options) =>
    fetch(url.replace(proxy.url, backend), options as RequestInit)
  return config
}

const jwksOf = async (index: number) =>
  (await (await fetch(`http://localhost:${ports[index]}/openid/jwks`)).json()) as JSONWebKeySet

describe('two instances on one PostgreSQL schema behind a round-robin proxy', () => {
  const authenticator = createSoftwareAuthenticator()
  /** The browser that signed in in the first test, signed in to the provider since. */
  const browser = new TestBrowser()

  /** A one-use code for APP, from the signed-in browser, and what the app keeps to redeem it. */
  async function code(config: oidc.Configuration) {
    const request = await buildAuthorizationRequest(config, { redirectUri: `${APP}/cb` })
    const { callback, sawConsent } = await signInThroughProvider(
      browser,
      authenticator,
      request.url,
    )
    expect(sawConsent).toBe(false)
    return { callback, request }
  }

  /** An ID token signed by the instance `index` (the token request goes to it alone). */
  async function idTokenFrom(index: number): Promise<string> {
    const config = await appOn(index)
    const { callback, request } = await code(config)
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    })
    return String(tokens.id_token)
  }

  /** Verifies `token` with the keys the instance `index` publishes. */
  const verifiedBy = async (index: number, token: string) =>
    (
      await jwtVerify(token, createLocalJWKSet(await jwksOf(index)), {
        issuer: proxy.url,
        audience: APP,
      })
    ).protectedHeader.kid

  it(
    'a sign-up, then a sign-in with consent, token and userinfo, each request on the other instance than the one before',
    async () => {
      const first = proxy.log.length
      const signUp = await signInWithCodeFlow(
        await discoverAsApp(proxy.url, APP),
        new TestBrowser(),
        authenticator,
        { redirectUri: `${APP}/cb`, script: { signUp: { username: 'twice' } } },
      )
      const app = await discoverAsApp(proxy.url, OTHER_APP)
      const { tokens, outcome } = await signInWithCodeFlow(app, browser, authenticator, {
        redirectUri: `${OTHER_APP}/cb`,
        scope: 'openid avatar',
      })
      expect(outcome.sawConsent).toBe(true)
      const sub = String(tokens.claims()?.sub)
      const userinfo = await oidc.fetchUserInfo(app, tokens.access_token, sub)
      expect(userinfo).toMatchObject({ sub, nickname: 'twice' })
      expect(String(signUp.tokens.claims()?.sub)).not.toBe(sub)

      const served = proxy.log.slice(first)
      const steps = served.map(({ method, path }) => `${method} ${path.split('?')[0]}`)
      // The ceremonies' two halves (a sign-in's first is its page, which carries its options), the
      // consent and the code's redemption were all among them.
      for (const step of [
        'POST /interaction/:uid/sign-up/options',
        'POST /interaction/:uid/sign-up',
        'GET /interaction/:uid',
        'POST /interaction/:uid/sign-in',
        'POST /interaction/:uid/consent',
        'POST /openid/token',
        'GET /openid/userinfo',
      ]) {
        const pattern = new RegExp(`^${step.replace(':uid', '[^/]+')}$`)
        expect(
          steps.some((each) => pattern.test(each)),
          step,
        ).toBe(true)
      }
      expect(
        served.every((request) => request.status < 500),
        JSON.stringify(served),
      ).toBe(true)
      for (const [index, request] of served.entries()) {
        if (index > 0) expect(request.backend, steps[index]).not.toBe(served[index - 1]?.backend)
      }
    },
    STEP_MS,
  )

  it(
    `one code redeemed on both instances at once: exactly one success and one invalid_grant, ${RACES} times in a row`,
    async () => {
      const apps = [await appOn(0), await appOn(1)]
      for (let race = 0; race < RACES; race++) {
        const { callback, request } = await code(apps[race % 2] as oidc.Configuration)
        const results = await Promise.allSettled(
          apps.map((app) =>
            oidc.authorizationCodeGrant(app, callback, {
              pkceCodeVerifier: request.verifier,
              expectedState: request.state,
              expectedNonce: request.nonce,
            }),
          ),
        )
        const outcomes = results.map((result) =>
          result.status === 'fulfilled'
            ? 'tokens'
            : (result.reason as oidc.ResponseBodyError).error,
        )
        expect(outcomes.sort(), `race ${race}`).toEqual(['invalid_grant', 'tokens'])
      }
    },
    STEP_MS,
  )

  it(
    'a key rotated with the CLI: both publish the same keys at each step, and verify each other’s tokens',
    async () => {
      const command = async (step: 'add-next' | 'promote') => {
        const { exit, output } = await runProviderCommand(['keys', step], env)
        expect(exit, output).toEqual({ code: 0, signal: null })
      }
      /** Both instances publish the same keys; a token of each verifies with the other's keys. */
      const agree = async (keys: number) => {
        const [one, two] = [await jwksOf(0), await jwksOf(1)]
        expect(one).toEqual(two)
        expect(one.keys).toHaveLength(keys)
        const tokens = [await idTokenFrom(0), await idTokenFrom(1)]
        expect(await verifiedBy(1, String(tokens[0]))).toBe(
          decodeProtectedHeader(String(tokens[0])).kid,
        )
        expect(await verifiedBy(0, String(tokens[1]))).toBe(
          decodeProtectedHeader(String(tokens[1])).kid,
        )
        return tokens.map((token) => decodeProtectedHeader(token).kid)
      }

      const before = await idTokenFrom(0)
      const oldKid = decodeProtectedHeader(before).kid
      expect(await agree(2)).toEqual([oldKid, oldKid])

      await command('add-next')
      await restartAll()
      expect(await agree(4)).toEqual([oldKid, oldKid])

      await command('promote')
      await restartAll()
      const [newKid, otherKid] = await agree(4)
      expect(newKid).not.toBe(oldKid)
      expect(otherKid).toBe(newKid)
      // Signed before the promotion, and still valid with either instance's keys.
      expect(await verifiedBy(0, before)).toBe(oldKid)
      expect(await verifiedBy(1, before)).toBe(oldKid)
    },
    STEP_MS,
  )
})

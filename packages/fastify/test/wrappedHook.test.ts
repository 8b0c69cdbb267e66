import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type HookHandlerDoneFunction,
} from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { authenticates, passkeyId } from '../src/index.ts'
import { type FakeIssuer, startFakeIssuer } from './support/startFakeIssuer.ts'

const APP = 'http://localhost:8000'

/** What a hook of the app's own saw when it called `app.authenticate`. */
interface Call {
  /** Whether `app.authenticate` let the request through before it returned: no promise, no await. */
  synchronous: boolean
  /** Whether the hook ran with the Fastify instance as `this`, as Fastify calls hooks. */
  thisIsApp: boolean
}

describe('app.authenticate inside a hook of the app’s own', () => {
  let fake: FakeIssuer
  let app: FastifyInstance
  let withEmail: string
  let withoutEmail: string
  const calls: Call[] = []
  // Fastify builds `request.routeOptions` anew on every read; the hook made for a route's scopes
  // reads nothing per request, the fallback for a hook the plugin cannot see reads it every time.
  let routeOptionsReads = 0

  /** A wrapper as an app writes one: its own rule first (internal calls pass), then the plugin's. */
  function wrapper(app: FastifyInstance) {
    return function (
      this: FastifyInstance,
      request: FastifyRequest,
      reply: FastifyReply,
      done: HookHandlerDoneFunction,
    ) {
      if (request.headers['x-internal'] === 'yes') return done()
      let admitted = false
      app.authenticate.call(this, request, reply, (error) => {
        admitted = true
        done(error)
      })
      calls.push({ synchronous: admitted, thisIsApp: this === app })
    }
  }

  beforeAll(async () => {
    fake = await startFakeIssuer()
    app = Fastify()
    await app.register(passkeyId, { issuer: fake.issuer, appUrl: APP })
    app.addHook('onRequest', (request, _reply, done) => {
      let prototype = Object.getPrototypeOf(request)
      while (Object.getOwnPropertyDescriptor(prototype, 'routeOptions') === undefined)
        prototype = Object.getPrototypeOf(prototype)
      const builtIn = Object.getOwnPropertyDescriptor(prototype, 'routeOptions')?.get
      Object.defineProperty(request, 'routeOptions', {
        get() {
          routeOptionsReads += 1
          return builtIn?.call(this)
        },
      })
      done()
    })
    const email = { config: { scopes: ['email'] } }
    const handler = async (request: FastifyRequest) => ({ sub: request.user?.sub ?? null })
    app.get('/direct', { ...email, onRequest: app.authenticate }, handler)
    app.get(
      '/marked',
      { ...email, onRequest: Object.assign(wrapper(app), { [authenticates]: true }) },
      handler,
    )
    app.get(
      '/marked-pre-handler',
      { ...email, preHandler: [Object.assign(wrapper(app), { [authenticates]: true })] },
      handler,
    )
    app.get('/unmarked', { ...email, onRequest: wrapper(app) }, handler)
    await app.register(async (scope) => {
      scope.addHook('onRequest', app.authenticate)
      scope.get('/instance-hook', email, handler)
    })
    await app.ready()
    withEmail = await fake.jwt()
    withoutEmail = await fake.jwt({ claims: { scope: 'openid' } })
  })
  afterAll(async () => {
    await app.close()
    await fake.server.close()
  })

  const call = (url: string, token?: string, headers: Record<string, string> = {}) =>
    app.inject({
      url,
      headers: token === undefined ? headers : { ...headers, authorization: `Bearer ${token}` },
    })

  it.each(['/direct', '/marked', '/marked-pre-handler', '/unmarked', '/instance-hook'])(
    '%s admits by token and route scopes',
    async (url) => {
      expect((await call(url)).statusCode).toBe(401)
      const refused = await call(url, withoutEmail)
      expect(refused.statusCode).toBe(403)
      expect(refused.headers['www-authenticate']).toMatch(
        /error="insufficient_scope", .*scope="email"/,
      )
      const admitted = await call(url, withEmail)
      expect(admitted.statusCode).toBe(200)
      expect(admitted.json()).toEqual({ sub: 'user-1' })
    },
  )

  it('keeps the wrapper’s own rule and its `this`', async () => {
    const internal = await call('/marked', undefined, { 'x-internal': 'yes' })
    expect(internal.statusCode).toBe(200)
    expect(internal.json()).toEqual({ sub: null })
    calls.length = 0
    await call('/marked', withEmail)
    expect(calls).toEqual([{ synchronous: true, thisIsApp: true }])
  })

  it('keeps the fast path through a marked wrapper: synchronous, and nothing read per request', async () => {
    for (const url of ['/direct', '/marked', '/marked-pre-handler']) {
      await call(url, withEmail)
      calls.length = 0
      routeOptionsReads = 0
      expect((await call(url, withEmail)).statusCode).toBe(200)
      expect(routeOptionsReads, url).toBe(0)
      expect(calls.every((each) => each.synchronous)).toBe(true)
    }
  })

  it('still checks the route scopes through a hook it cannot see, reading the route options', async () => {
    for (const url of ['/unmarked', '/instance-hook']) {
      routeOptionsReads = 0
      expect((await call(url, withEmail)).statusCode).toBe(200)
      expect(routeOptionsReads, url).toBeGreaterThan(0)
    }
  })

  it('shows routes with app.authenticate or a marked hook as protected in the OpenAPI document', async () => {
    const spec = (await app.inject({ url: '/docs/json' })).json()
    const security = (url: string) => spec.paths[url].get.security
    expect(security('/direct')).toEqual([{ openIdConnect: ['email'] }])
    expect(security('/marked')).toEqual([{ openIdConnect: ['email'] }])
    expect(security('/marked-pre-handler')).toEqual([{ openIdConnect: ['email'] }])
    // The plugin cannot see inside an unmarked hook, nor hooks added to an instance.
    expect(security('/unmarked')).toBeUndefined()
    expect(security('/instance-hook')).toBeUndefined()
  })
})

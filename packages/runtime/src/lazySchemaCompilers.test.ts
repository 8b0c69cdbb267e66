import Fastify, { type FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { lazySchemaCompilers } from './lazySchemaCompilers.ts'

/** One route of each kind of schema: body, querystring (coerced), params and response. */
function addRoutes(app: FastifyInstance): FastifyInstance {
  app.post(
    '/items/:id',
    {
      schema: {
        params: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', maximum: 10 } },
          additionalProperties: false,
        },
        body: {
          type: 'object',
          properties: { name: { type: 'string', minLength: 1 } },
          required: ['name'],
        },
        response: {
          200: {
            type: 'object',
            properties: { id: { type: 'integer' }, limit: { type: 'integer' } },
          },
        },
      },
    },
    async (request) => ({
      ...(request.params as object),
      ...(request.query as object),
      secret: 'not in the response schema',
    }),
  )
  return app
}

const REQUESTS = [
  { method: 'POST', url: '/items/7?limit=3', payload: { name: 'a' } },
  { method: 'POST', url: '/items/7', payload: { name: '' } },
  { method: 'POST', url: '/items/7', payload: {} },
  { method: 'POST', url: '/items/seven', payload: { name: 'a' } },
  { method: 'POST', url: '/items/7?limit=11', payload: { name: 'a' } },
  { method: 'POST', url: '/items/7?other=1', payload: { name: 'a' } },
] as const

describe('lazySchemaCompilers', () => {
  it("answers every request as Fastify's own compilers do", async () => {
    const eager = addRoutes(Fastify())
    const schemas = lazySchemaCompilers()
    const lazy = addRoutes(
      Fastify({ schemaController: { compilersFactory: schemas.compilersFactory } }),
    )
    try {
      for (const request of REQUESTS) {
        const [expected, actual] = await Promise.all([eager.inject(request), lazy.inject(request)])
        expect({ status: actual.statusCode, body: actual.json() }).toEqual({
          status: expected.statusCode,
          body: expected.json(),
        })
      }
      // The coerced querystring, and the response serialized through its schema.
      const answer = await lazy.inject(REQUESTS[0])
      expect(answer.json()).toEqual({ id: 7, limit: 3 })
      expect((await lazy.inject(REQUESTS[1])).json().message).toBe(
        'body/name must NOT have fewer than 1 characters',
      )
    } finally {
      await Promise.all([eager.close(), lazy.close()])
    }
  })

  it('compiles the schemas not used yet when asked, and names a route whose schema is wrong', async () => {
    const schemas = lazySchemaCompilers()
    const app = Fastify({ schemaController: { compilersFactory: schemas.compilersFactory } })
    app.post('/wrong', { schema: { body: { type: 'objekt' } } }, async () => 'ok')
    // Added and made ready: nothing is compiled until first used.
    await app.ready()
    try {
      await expect(schemas.compilePending()).rejects.toThrow(
        'the body schema of POST /wrong does not compile',
      )
      // Each use fails as the first did (the failure is kept, not compiled again).
      for (let i = 0; i < 2; i++) {
        const answer = await app.inject({ method: 'POST', url: '/wrong', payload: {} })
        expect(answer.statusCode).toBe(500)
      }
    } finally {
      await app.close()
    }
  })

  /** A Fastify with these compilers whose Ajv counts what it compiles (through an Ajv plugin). */
  async function countingApp() {
    const schemas = lazySchemaCompilers()
    const counter = { compiled: 0 }
    const countCompiles = (ajv: { compile: (...args: unknown[]) => unknown }) => {
      const compile = ajv.compile.bind(ajv)
      ajv.compile = (...args) => {
        counter.compiled += 1
        return compile(...args)
      }
      return ajv
    }
    const app = addRoutes(
      Fastify({
        schemaController: { compilersFactory: schemas.compilersFactory },
        ajv: { plugins: [countCompiles as never] },
      }),
    )
    await app.ready()
    return { app, schemas, counter }
  }

  it('compiles nothing at start, then each schema once, on its first use', async () => {
    const { app, schemas, counter } = await countingApp()
    try {
      expect(counter.compiled).toBe(0)
      // The route's body, querystring and params schemas, on its first request.
      expect((await app.inject(REQUESTS[0])).statusCode).toBe(200)
      expect(counter.compiled).toBe(3)
      await schemas.compilePending()
      await app.inject(REQUESTS[1])
      expect(counter.compiled).toBe(3)
    } finally {
      await app.close()
    }
  })

  it('compiles the schemas not yet used when asked, and not again on use', async () => {
    const { app, schemas, counter } = await countingApp()
    try {
      await schemas.compilePending()
      expect(counter.compiled).toBe(3)
      expect((await app.inject(REQUESTS[0])).json()).toEqual({ id: 7, limit: 3 })
      expect(counter.compiled).toBe(3)
    } finally {
      await app.close()
    }
  })

  it('refuses a header schema, which Fastify lower-cases for its own compiler only', async () => {
    const schemas = lazySchemaCompilers()
    const app = Fastify({ schemaController: { compilersFactory: schemas.compilersFactory } })
    app.get(
      '/h',
      { schema: { headers: { type: 'object', properties: { 'x-tag': { type: 'string' } } } } },
      async () => 'ok',
    )
    try {
      await expect(app.ready()).rejects.toThrow(
        'the headers schema of GET /h is not supported here',
      )
    } finally {
      await app.close()
    }
  })
})

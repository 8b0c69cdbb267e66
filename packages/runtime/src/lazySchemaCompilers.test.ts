import Fastify, { type FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { lazySchemaCompilers } from './lazySchemaCompilers.ts'

/** One route of each kind of schema: body, querystring (coerced), params, headers and response. */
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
        headers: {
          type: 'object',
          properties: { 'x-tag': { type: 'string', maxLength: 3 } },
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
  { method: 'POST', url: '/items/7', headers: { 'x-tag': 'long' }, payload: { name: 'a' } },
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
      const answer = await app.inject({ method: 'POST', url: '/wrong', payload: {} })
      expect(answer.statusCode).toBe(500)
    } finally {
      await app.close()
    }
  })

  it('leaves nothing pending once compiled, and compiles each schema once', async () => {
    const schemas = lazySchemaCompilers()
    const app = addRoutes(
      Fastify({ schemaController: { compilersFactory: schemas.compilersFactory } }),
    )
    await app.ready()
    try {
      await schemas.compilePending()
      // A second pass has nothing to do: it resolves without yielding to the event loop.
      let turns = 0
      const counting = setInterval(() => turns++, 0)
      await schemas.compilePending()
      clearInterval(counting)
      expect(turns).toBe(0)
      expect((await app.inject(REQUESTS[0])).json()).toEqual({ id: 7, limit: 3 })
    } finally {
      await app.close()
    }
  })

  it('refuses a header schema that names a header with capitals', async () => {
    const schemas = lazySchemaCompilers()
    const app = Fastify({ schemaController: { compilersFactory: schemas.compilersFactory } })
    app.get(
      '/h',
      { schema: { headers: { type: 'object', properties: { 'X-Tag': { type: 'string' } } } } },
      async () => 'ok',
    )
    try {
      await expect(app.ready()).rejects.toThrow(
        'the headers schema of GET /h names X-Tag: name headers in lower case',
      )
    } finally {
      await app.close()
    }
  })
})

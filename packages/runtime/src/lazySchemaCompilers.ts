import { createRequire } from 'node:module'
import type { ValidatorFactory } from '@fastify/ajv-compiler'
import type { SerializerFactory } from '@fastify/fast-json-stringify-compiler'

/** Fastify's own compilers, loaded on the first schema compiled (Ajv alone is ~80 ms to load). */
const require = createRequire(import.meta.url)

/** What Fastify says of a schema it asks to compile: the schema, its route, the part of the request. */
type RouteSchema = {
  schema?: unknown
  method?: string
  url?: string
  httpPart?: string
}

/** One route schema whose compilation waits for its first use. */
type Pending = { route: RouteSchema; compile: () => unknown }

/** Route schemas compiled on first use: what `lazySchemaCompilers` returns. */
export interface LazySchemaCompilers {
  /** Fastify's `schemaController.compilersFactory` option. */
  compilersFactory: { buildValidator: ValidatorFactory; buildSerializer: SerializerFactory }
  /**
   * Compiles every schema not used yet, one per turn of the event loop so that requests go on
   * meanwhile. Rejects, naming the route, if one does not compile.
   */
  compilePending(): Promise<void>
}

/**
 * Fastify's compilers (Ajv for the request, fast-json-stringify for the response), with each route
 * schema compiled on its first use instead of while the server starts. Compiling every route's
 * schemas took ~200 ms of a ~1.1 s provider start; the first request of a route now pays its own
 * few milliseconds, and `compilePending` compiles the rest once the server listens.
 *
 * Validation and serialization are Fastify's own, with one difference Fastify makes for any compiler
 * it is given: it does not lower-case header schemas for it, so header schemas are refused when the
 * route is added.
 */
export function lazySchemaCompilers(): LazySchemaCompilers {
  const pending = new Set<Pending>()
  let validators: ValidatorFactory | undefined
  let serializers: SerializerFactory | undefined

  /** A function that compiles `route`'s schema on its first call, and is listed until then. */
  function deferred<F extends (...args: never[]) => unknown>(
    route: RouteSchema,
    compileNow: () => F,
  ): () => F {
    let compiled: F | undefined
    let failure: unknown
    const entry: Pending = { route, compile: () => compile() }
    const compile = (): F => {
      // A schema that does not compile fails each use the same way, without compiling again.
      if (failure !== undefined) throw failure
      if (compiled === undefined) {
        try {
          compiled = compileNow()
        } catch (error) {
          failure = error
          throw error
        } finally {
          pending.delete(entry)
        }
      }
      return compiled
    }
    pending.add(entry)
    return compile
  }

  const buildValidator: ValidatorFactory = (externalSchemas, options) => {
    let compiler: ReturnType<ValidatorFactory> | undefined
    return (route) => {
      refuseHeaderSchemas(route)
      const compile = deferred(route, () => {
        validators ??= (require('@fastify/ajv-compiler') as () => ValidatorFactory)()
        compiler ??= validators(externalSchemas, options)
        return compiler(route)
      })
      const validate = (data: unknown, context?: unknown) =>
        (compile() as (data: unknown, context?: unknown) => unknown)(data, context)
      // Fastify reads Ajv's `errors` after a failed validation, and passes the request as parent
      // data (to let Ajv coerce a whole part) when the function has a `schemaEnv`.
      Object.defineProperties(validate, {
        errors: { get: () => compile().errors },
        schemaEnv: { get: () => (compile() as { schemaEnv?: unknown }).schemaEnv },
      })
      return validate as ReturnType<ReturnType<ValidatorFactory>>
    }
  }

  const buildSerializer: SerializerFactory = (externalSchemas, options) => {
    let compiler: ReturnType<SerializerFactory> | undefined
    return (route) => {
      const compile = deferred(route, () => {
        serializers ??= (
          require('@fastify/fast-json-stringify-compiler') as () => SerializerFactory
        )()
        compiler ??= serializers(externalSchemas, options)
        return compiler(route)
      })
      return (data: unknown) => compile()(data)
    }
  }

  async function compilePending(): Promise<void> {
    // Each entry is compiled as it comes: one listed after the loop began waits for the next call.
    for (const entry of [...pending]) {
      await new Promise((resolve) => setImmediate(resolve))
      try {
        entry.compile()
      } catch (error) {
        const { method, url, httpPart = 'response' } = entry.route
        throw new Error(`the ${httpPart} schema of ${method} ${url} does not compile`, {
          cause: error,
        })
      }
    }
  }

  return { compilersFactory: { buildValidator, buildSerializer }, compilePending }
}

/**
 * Fastify lower-cases the names in a header schema, at every depth, for its own compiler only (and
 * warns of `$ref`s there): with these compilers a header schema would silently check the wrong names.
 * Neither server has one; a route that adds one is refused, and checks its headers in its handler.
 */
function refuseHeaderSchemas({ httpPart, method, url }: RouteSchema): void {
  if (httpPart === 'headers') {
    throw new Error(
      `the headers schema of ${method} ${url} is not supported here (Fastify lower-cases header names for its own compiler only): check the headers in the route's handler`,
    )
  }
}

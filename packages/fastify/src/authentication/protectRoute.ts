import type { RouteOptions } from 'fastify'
import { SECURITY_SCHEME } from '../docs/registerDocs.ts'
import type { Authenticator, RouteHook } from './createAuthenticator.ts'

/**
 * The mark of a hook that authenticates with `app.authenticate`. `app.authenticate` carries it; a
 * hook of the app's own that calls `app.authenticate` (a wrapper, `@fastify/auth`'s composition)
 * carries it too once the app copies it: `Object.assign(hook, { [authenticates]: true })`. A route
 * with such a hook keeps the fast path and is shown as protected in the OpenAPI document.
 */
export const authenticates: unique symbol = Symbol.for('@passkey-id/fastify.authenticates')

/** A hook that may carry the mark. */
type MaybeMarked = RouteHook & { [authenticates]?: unknown }

/**
 * Runs as the `onRoute` hook. On a route whose onRequest or preHandler hooks include
 * `app.authenticate`, or a hook marked with `authenticates`, it puts in the hook made for the route's
 * scopes (`config.scopes`), so that nothing is looked up per request, and adds the route's
 * `security` requirement to its OpenAPI schema.
 */
export function protectRoute(route: RouteOptions, authenticator: Authenticator): void {
  const scopes = route.config?.scopes ?? []
  let protectedRoute = false
  const specialise = <Hook>(hooks: Hook | Hook[] | undefined): Hook | Hook[] | undefined => {
    if (Array.isArray(hooks)) return hooks.map((hook) => specialise(hook) as Hook)
    if (hooks === (authenticator.authenticate as unknown)) {
      protectedRoute = true
      return authenticator.forRoute(scopes) as Hook
    }
    if (typeof hooks === 'function' && (hooks as MaybeMarked)[authenticates] === true) {
      protectedRoute = true
      return authenticator.around(hooks as MaybeMarked, scopes) as Hook
    }
    return hooks
  }
  route.onRequest = specialise(route.onRequest)
  route.preHandler = specialise(route.preHandler)
  if (protectedRoute) route.schema = { ...route.schema, security: [{ [SECURITY_SCHEME]: scopes }] }
}

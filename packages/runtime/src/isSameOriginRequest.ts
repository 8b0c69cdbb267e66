import type { FastifyRequest } from 'fastify'

/**
 * Whether a state-changing request comes from pages of `origin` itself (CSRF defence), for requests
 * that a cookie authenticates: the provider's interaction steps, an API's session.
 *
 * Browsers say where a request comes from in `Sec-Fetch-Site`; where they send it, only
 * `same-origin` passes. Older browsers fall back to `Origin`, which must be ours when it names one
 * (with `Referrer-Policy: no-referrer` a form post sends `Origin: null`). The cookies these requests
 * carry are `SameSite=Lax` besides, so a cross-site post arrives without them either way.
 */
export function isSameOriginRequest(request: FastifyRequest, origin: string): boolean {
  const site = request.headers['sec-fetch-site']
  if (site !== undefined) return site === 'same-origin'
  const requestOrigin = request.headers.origin
  return requestOrigin === undefined || requestOrigin === 'null' || requestOrigin === origin
}

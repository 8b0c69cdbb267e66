import type { FastifyRequest } from 'fastify'

/**
 * Whether a state-changing request comes from the provider's own pages (CSRF defence).
 *
 * Browsers say where a request comes from in `Sec-Fetch-Site`; where they send it, only
 * `same-origin` passes. Older browsers fall back to `Origin`, which must be ours when it names one
 * (with `Referrer-Policy: no-referrer` a form post sends `Origin: null`). The interaction cookie is
 * `SameSite=Lax` besides, so a cross-site post never reaches an interaction either way.
 */
export function isSameOriginRequest(request: FastifyRequest, origin: string): boolean {
  const site = request.headers['sec-fetch-site']
  if (site !== undefined) return site === 'same-origin'
  const requestOrigin = request.headers.origin
  return requestOrigin === undefined || requestOrigin === 'null' || requestOrigin === origin
}

import type { ProviderError } from '../errors/ProviderError.ts'
import type { SafeHtml } from './html.ts'
import { messagePage } from './messagePage.ts'
import { wantsPage } from './wantsPage.ts'

/** The screen a refusal is shown on: its page title, and what follows the sentence (a link back). */
export interface ErrorScreen {
  title?: string
  body?: SafeHtml
}

/** A refusal ready to send, as a page or as JSON, with its headers (`Retry-After`, if temporary). */
export type ErrorResponse = { status: number; headers: Record<string, string> } & (
  | { html: string }
  | { json: { error: string; message: string; field?: string } }
)

/**
 * The answer to a refused request, by the one rule of `wantsPage`: a page with the sentence for a
 * person, titled for the screen (or, off any screen, for the status); or JSON
 * `{ error, message, field? }` with the sentence for an app. A temporary refusal carries
 * `Retry-After`. Used by the Fastify routes and by the
 * oidc-provider endpoints alike.
 */
export function errorResponse(
  error: ProviderError,
  accept: string | undefined,
  screen: ErrorScreen = {},
): ErrorResponse {
  const status = error.statusCode
  const headers: Record<string, string> =
    error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) }
  if (!wantsPage(accept))
    return {
      status,
      headers,
      json: { error: error.error, message: error.appMessage, field: error.field },
    }
  const title = screen.title ?? titleFor(status)
  return {
    status,
    headers,
    html: messagePage({ title, message: error.message, body: screen.body }),
  }
}

function titleFor(status: number): string {
  if (status === 404) return 'Page not found'
  if (status === 503) return 'Try again in a moment'
  if (status === 429) return 'Too many attempts'
  if (status >= 500) return 'Something went wrong'
  return 'This request cannot be handled'
}

import { redactUrl } from './redactUrl.ts'

/**
 * One line saying why the database at `url` could not be reached, for the refusal at start:
 * `DATABASE_URL <url without its password>: cannot connect: <first line of the reason> (<code>)`.
 *
 * Node's connect reports the failure of every address it tried (localhost is ::1 and 127.0.0.1) as
 * an AggregateError with an empty message; the first of them says what a person needs.
 */
export function describeConnectError(url: string, error: unknown): string {
  const cause =
    error instanceof AggregateError && error.message === '' && error.errors.length > 0
      ? error.errors[0]
      : error
  const message = cause instanceof Error ? cause.message : String(cause)
  const code = (cause as { code?: unknown } | null)?.code
  const reason = message.split('\n')[0]?.trim() || 'no reason given'
  return `DATABASE_URL ${redactUrl(url)}: cannot connect: ${reason}${typeof code === 'string' ? ` (${code})` : ''}`
}

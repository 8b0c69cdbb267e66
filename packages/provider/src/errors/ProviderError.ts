import { ERROR_CATALOGUE, type ErrorEntry } from './errorCatalogue.ts'

/** The name of a refusal in the catalogue. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE

type Entry<C extends ErrorCode> = (typeof ERROR_CATALOGUE)[C]

/** What the sentences of a refusal are made from (`undefined` when they are fixed). */
type DetailsOf<C extends ErrorCode> =
  Entry<C> extends { person: (details: infer D) => string }
    ? D
    : Entry<C> extends { app: (details: infer D) => string }
      ? D
      : undefined

/** The library error behind a refusal, kept for the log and never shown. */
type Cause = { cause?: unknown }

/** `new ProviderError(code)` for a fixed sentence; `new ProviderError(code, details)` otherwise. */
type ProviderErrorArguments = {
  [C in ErrorCode]: DetailsOf<C> extends undefined
    ? [code: C, details?: Cause]
    : [code: C, details: DetailsOf<C> & Cause]
}[ErrorCode]

/**
 * A refused request, as the error catalogue describes it: its status, its `error` code, the
 * sentence a person reads (`message`), the one an app reads in JSON (`appMessage`), the form field
 * it is about, and for a temporary refusal when to retry. Thrown anywhere a request is refused; the
 * pages' error handler answers it with a page or JSON. A library error behind it goes in `cause`,
 * for the log only.
 */
export class ProviderError extends Error {
  override name = 'ProviderError'
  readonly code: ErrorCode
  readonly statusCode: ErrorEntry['status']
  readonly error: string
  readonly appMessage: string
  readonly field: ErrorEntry['field']
  /** Seconds after which the same request may succeed (`Retry-After`), for a temporary refusal. */
  readonly retryAfterSeconds: number | undefined

  constructor(...[code, details]: ProviderErrorArguments) {
    const entry: ErrorEntry = ERROR_CATALOGUE[code]
    const say = (sentence: ErrorEntry['person']) =>
      typeof sentence === 'string' ? sentence : sentence(details as never)
    super(say(entry.person), { cause: details?.cause })
    this.code = code
    this.statusCode = entry.status
    this.error = entry.error ?? code
    this.appMessage = say(entry.app ?? entry.person)
    this.field = entry.field
    const retry = entry.retryAfterSeconds
    this.retryAfterSeconds = typeof retry === 'function' ? retry(details as never) : retry
  }
}

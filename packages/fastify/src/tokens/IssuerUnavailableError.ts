/**
 * The provider could not be reached or answered nonsense: the API cannot check tokens right now.
 * The message names the provider and the underlying reason, for the operator's log; what an app
 * reads instead is the `issuerUnavailable` refusal (see `refuse.ts`), which leaves the reason out.
 */
export class IssuerUnavailableError extends Error {
  override name = 'IssuerUnavailableError'
  /** The issuer URL that failed. */
  readonly issuer: string

  constructor(issuer: string, cause: unknown) {
    super(
      `the sign-in provider ${issuer} cannot be reached or gave an unusable answer (${reasonOf(cause)})`,
      { cause },
    )
    this.issuer = issuer
  }
}

/** The most specific message in `error`: fetch failures hide the network error in `cause`. */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  return error.cause instanceof Error ? error.cause.message : error.message
}

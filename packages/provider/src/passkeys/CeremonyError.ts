/**
 * A passkey ceremony that cannot go on, with the HTTP status and a message for the person: what
 * happened and what to do next. The page shows `message` as is, and marks and focuses the form
 * field named by `field` when the problem is in what the person typed.
 */
export class CeremonyError extends Error {
  override name = 'CeremonyError'

  constructor(
    readonly statusCode: 400 | 401 | 403 | 404 | 409,
    readonly code: string,
    message: string,
    readonly field?: 'username' | 'email',
  ) {
    super(message)
  }
}

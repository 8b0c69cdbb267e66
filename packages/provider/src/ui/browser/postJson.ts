/**
 * An error the server explained: its message for the person, the form field it is about, and its
 * `error` code (the catalogue's), by which a script reacts to a particular refusal.
 */
export class ServerError extends Error {
  constructor(
    message: string,
    readonly field?: string,
    readonly code?: string,
  ) {
    super(message)
  }
}

/**
 * POSTs JSON to the provider, with this page's cookies, and returns the parsed answer. An error
 * answer becomes a `ServerError` with the server's message, which the pages show as is.
 */
export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  })
  const data = (await response.json().catch(() => ({}))) as T & {
    error?: string
    message?: string
    field?: string
  }
  if (!response.ok) {
    throw new ServerError(
      data.message ?? `The server answered ${response.status}. Try again.`,
      data.field,
      data.error,
    )
  }
  return data
}

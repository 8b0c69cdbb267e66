import type { CookieSessions } from './cookieSessions.ts'
import type { ApiSession } from './SessionStore.ts'

/** A session as `app.sessions.list` shows it: without its access token, which stays in the store. */
export type ListedSession = Omit<ApiSession, 'accessToken'>

/** `app.sessions`: the API's sessions per person. */
export interface SessionManager {
  /** The person's live sessions, newest first. */
  list(sub: string): Promise<ListedSession[]>
  /** Ends every session of the person; resolves to how many there were. */
  endAll(sub: string): Promise<number>
}

/**
 * `app.sessions` over the running sessions; without them, one whose calls fail saying how to turn
 * sessions on, rather than a missing decorator that fails with a TypeError.
 */
export function sessionManager(sessions: CookieSessions | undefined): SessionManager {
  if (sessions === undefined) {
    const off = async (): Promise<never> => {
      throw new Error(
        'app.sessions needs the API sessions, which are off: register passkeyId with `sessions: true` (or `sessions: { databaseUrl }`).',
      )
    }
    return { list: off, endAll: off }
  }
  return {
    // An app may well send this list to the browser; the tokens must not go with it.
    list: async (sub) =>
      (await sessions.store.listBySubject(sub)).map(({ accessToken: _, ...listed }) => listed),
    endAll: (sub) => sessions.store.deleteBySubject(sub),
  }
}

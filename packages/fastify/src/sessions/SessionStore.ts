/**
 * A signed-in person's session on the API, kept server side. The cookie holds a random value that
 * only it holds: the store gets a digest of it as `id`, and the access token sealed under it.
 */
export interface ApiSession {
  /** The SHA-256 of the cookie's value (base64url): a copy of the store holds no cookie. */
  id: string
  sub: string
  /** The token's scopes at sign-in, for listing; a request gets the token's as the provider says. */
  scopes: string[]
  /**
   * The access token the session was started with, sealed (AES-256-GCM) under a key derived from
   * the cookie's value, and opened with each request's cookie so that the provider can be asked
   * again whether it still vouches for it (RFC 7662 introspection takes the token itself, not an
   * identifier). The session ends when it stops vouching, or when the token does not open: a store
   * must give it back byte for byte (4/3 of the token's length plus 56 characters).
   */
  accessToken: string
  /** The profile from the provider at sign-in, returned by `request.user.userinfo()`. */
  profile: Record<string, unknown>
  createdAt: Date
  expiresAt: Date
}

/**
 * Where sessions live. The default keeps them in a database (a SQLite file or PostgreSQL), so
 * they survive a restart and several instances share them; implement this to keep them elsewhere.
 */
export interface SessionStore {
  create(session: ApiSession): Promise<void>
  /** The session, unless it does not exist or has expired. */
  find(id: string): Promise<ApiSession | undefined>
  delete(id: string): Promise<void>
  /** The live sessions of one person, newest first. */
  listBySubject(sub: string): Promise<ApiSession[]>
  /** Ends every session of one person; returns how many there were. */
  deleteBySubject(sub: string): Promise<number>
  /**
   * Resolves when the store can be used now, rejects when it cannot (its database is down, say).
   * Optional: `/readyz` (the `health` option) asks it, and a store without it counts as ready.
   */
  ping?(): Promise<void>
  /** The secret that signs session cookies, created once and kept. */
  cookieSecret(): Promise<string>
  close(): Promise<void>
}

/** A username and optional email that passed validation, ready to store. */
export interface SignUpDetails {
  username: string
  email: string | null
}

/** The outcome of validating a sign-up form: the details, or a message to show next to the field. */
export type SignUpValidation =
  | { ok: true; details: SignUpDetails }
  | { ok: false; field: 'username' | 'email'; message: string }

const USERNAME = /^[A-Za-z0-9](?:[A-Za-z0-9]|[._-](?![._-])){1,28}[A-Za-z0-9]$/
// Deliberately loose: the one real check of an address is a message that arrives, which comes later.
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/

/**
 * Checks what a person typed on the sign-up form. Usernames are 3 to 30 ASCII letters, digits and
 * single dots, dashes or underscores, starting and ending with a letter or digit: no look-alike
 * Unicode, nothing that needs escaping in a URL or a log line.
 */
export function validateSignUp(input: { username?: unknown; email?: unknown }): SignUpValidation {
  const username = typeof input.username === 'string' ? input.username.trim() : ''
  const usernameMessage = usernameProblem(username)
  if (usernameMessage !== undefined) {
    return { ok: false, field: 'username', message: usernameMessage }
  }
  const email = typeof input.email === 'string' ? input.email.trim() : ''
  if (email === '') return { ok: true, details: { username, email: null } }
  const emailMessage = emailProblem(email)
  if (emailMessage !== undefined) return { ok: false, field: 'email', message: emailMessage }
  return { ok: true, details: { username, email } }
}

/**
 * What is wrong with a trimmed username, as a sentence to show the person, or `undefined` if it is
 * acceptable. The one username rule: sign-up and the profile form both use it.
 */
export function usernameProblem(username: string): string | undefined {
  if (username === '') return 'Choose a username.'
  if (!USERNAME.test(username)) {
    return 'A username has 3 to 30 letters (a to z), digits, and single dots, dashes or underscores, and starts and ends with a letter or digit.'
  }
  return undefined
}

/**
 * What is wrong with a trimmed, non-empty email address, as a sentence to show the person, or
 * `undefined` if it is acceptable. The one email rule: sign-up and the profile form both use it.
 */
export function emailProblem(email: string): string | undefined {
  if (email.length > 254 || !EMAIL.test(email)) {
    return 'That email address does not look right; check it, or leave it empty.'
  }
  return undefined
}

/** The form of a username that uniqueness is checked on: "Alice" and "alice" are one name. */
export function usernameKey(username: string): string {
  return username.toLowerCase()
}

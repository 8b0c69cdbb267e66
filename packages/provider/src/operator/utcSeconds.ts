/**
 * A stored ISO-8601 time as the `accounts` command prints it: to the second, in UTC, the same width
 * on every line (the stored milliseconds mean nothing to an operator).
 */
export function utcSeconds(iso: string): string {
  return `${iso.slice(0, 19)}Z`
}

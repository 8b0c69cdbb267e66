import { parsePostgresUrl } from './parsePostgresUrl.ts'

/**
 * The database URL as it may be printed: a PostgreSQL URL's password (in the user part or as a
 * `password` parameter) becomes `***`. A SQLite location has none and is returned as is.
 */
export function redactUrl(url: string): string {
  const value = url.trim()
  if (!/^postgres(ql)?:/i.test(value)) return url
  const parsed = parsePostgresUrl(value)
  if (parsed === null) return 'postgres://(not a valid URL)'
  if (parsed.url.password !== '') parsed.url.password = '***'
  if (parsed.url.searchParams.has('password')) parsed.url.searchParams.set('password', '***')
  return parsed.text()
}

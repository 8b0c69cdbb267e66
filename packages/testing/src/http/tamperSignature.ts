/**
 * `value` with the first character of its signature changed: the part after the last `.` (a JWT's
 * or a signed cookie's signature), or the whole value when it has no `.` (an opaque token).
 *
 * The first character, because every bit of it counts: the last character of base64url text can
 * carry unused bits, so changing it may decode to the very same bytes and leave the value valid.
 */
export function tamperSignature(value: string): string {
  const start = value.lastIndexOf('.') + 1
  const replacement = value[start] === 'A' ? 'B' : 'A'
  return `${value.slice(0, start)}${replacement}${value.slice(start + 1)}`
}

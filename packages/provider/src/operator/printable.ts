/** C0 and C1 control characters, DEL, and the bidirectional overrides a terminal would act on. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what it finds
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/**
 * A stored value as the operator's terminal may print it: every control character written as its
 * `\u` escape. Profile values are checked when saved, but the command prints what the database holds,
 * and a value that moves the cursor or changes colours must not forge or hide a line of output.
 */
export function printable(value: string): string {
  return value.replace(
    CONTROLS,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

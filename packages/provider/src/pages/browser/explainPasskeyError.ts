import { ServerError } from './postJson.ts'

/** What a failed passkey step means to a person, and the form field it is about, if any. */
export function explainPasskeyError(error: unknown): { text: string; field?: string } {
  if (error instanceof ServerError) return { text: error.message, field: error.field }
  if (error instanceof Error) {
    // @simplewebauthn/browser wraps the browser's DOMException; its name says what happened.
    const name = (error as { cause?: { name?: string } }).cause?.name ?? error.name
    if (name === 'NotAllowedError' || name === 'AbortError') {
      return {
        text: 'The passkey request was cancelled or timed out. Try again when you are ready.',
      }
    }
    if (name === 'InvalidStateError') {
      return {
        text: 'This device already holds a passkey for this account. Sign in with it, or use another device.',
      }
    }
    return { text: error.message }
  }
  return { text: 'Something went wrong. Try again.' }
}

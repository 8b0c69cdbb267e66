import { PASSKEY_PROMPT_ERRORS } from '../../errors/browser/passkeyPromptErrors.ts'
import { ServerError } from './postJson.ts'

/**
 * What a failed passkey step means to a person, and the form field it is about, if any: the
 * provider's own sentence when it refused the step, otherwise a fixed sentence chosen by the kind
 * of browser error (the browser's and the library's wording is never shown).
 */
export function explainPasskeyError(error: unknown): { text: string; field?: string } {
  if (error instanceof ServerError) return { text: error.message, field: error.field }
  // fetch rejects with a TypeError only when the request could not be made at all.
  if (error instanceof TypeError) return { text: PASSKEY_PROMPT_ERRORS.unreachable }
  // @simplewebauthn/browser wraps the browser's DOMException; its name says what happened.
  const name =
    error instanceof Error
      ? ((error as { cause?: { name?: string } }).cause?.name ?? error.name)
      : undefined
  if (name === 'NotAllowedError' || name === 'AbortError')
    return { text: PASSKEY_PROMPT_ERRORS.cancelled }
  if (name === 'InvalidStateError') return { text: PASSKEY_PROMPT_ERRORS.alreadyOnDevice }
  // No authenticator here can verify the person or keep a discoverable passkey.
  if (name === 'ConstraintError') return { text: PASSKEY_PROMPT_ERRORS.unsupportedDevice }
  return { text: PASSKEY_PROMPT_ERRORS.failed }
}

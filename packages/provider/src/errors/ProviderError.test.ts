import { describe, expect, it } from 'vitest'
import { ERROR_CATALOGUE } from './errorCatalogue.ts'
import { ProviderError } from './ProviderError.ts'

describe('ProviderError', () => {
  it('takes its status, code and sentence from the catalogue', () => {
    const error = new ProviderError('signed_out')
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({
      code: 'signed_out',
      error: 'signed_out',
      statusCode: 401,
      message: ERROR_CATALOGUE.signed_out.person,
      appMessage: ERROR_CATALOGUE.signed_out.person,
      field: undefined,
    })
  })

  it('makes sentences from the details, and marks the field', () => {
    const error = new ProviderError('username_taken', { username: 'alice' })
    expect(error).toMatchObject({ statusCode: 409, field: 'username' })
    expect(error.message).toBe('The username "alice" is taken. Choose another one.')
  })

  it('keeps an app code of its own, an app sentence, and the library error as cause only', () => {
    const cause = new SyntaxError("Unexpected token 'x' in JSON at position 0")
    const error = new ProviderError('malformed_request', { reason: cause.message, cause })
    expect(error).toMatchObject({ error: 'invalid_request', statusCode: 400, cause })
    expect(error.message).not.toContain(cause.message)
    expect(error.appMessage).toBe(`The request is malformed: ${cause.message}.`)
  })

  it('writes every fixed sentence as a sentence: a capital first, a full stop last', () => {
    const fixed = Object.entries(ERROR_CATALOGUE).flatMap(([code, entry]) =>
      typeof entry.person === 'string' ? [[code, entry.person] as const] : [],
    )
    expect(fixed.length).toBeGreaterThan(20)
    for (const [code, sentence] of fixed) expect(sentence, code).toMatch(/^[A-Z].*[.)]$/s)
  })
})

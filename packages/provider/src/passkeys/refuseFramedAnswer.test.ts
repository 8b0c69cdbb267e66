import { describe, expect, it } from 'vitest'
import { ProviderError } from '../errors/ProviderError.ts'
import { refuseFramedAnswer } from './refuseFramedAnswer.ts'

/** clientDataJSON as a browser sends it: the JSON, base64url-encoded. */
function encoded(clientData: unknown): string {
  return Buffer.from(JSON.stringify(clientData)).toString('base64url')
}

const SIGN_IN = { type: 'webauthn.get', challenge: 'abc', origin: 'https://id.example.com' }

describe('refuseFramedAnswer', () => {
  it.each([
    ['crossOrigin: true', { ...SIGN_IN, crossOrigin: true }],
    [
      'crossOrigin: true with a topOrigin',
      { ...SIGN_IN, crossOrigin: true, topOrigin: 'https://evil.example' },
    ],
    [
      'a topOrigin without crossOrigin',
      { ...SIGN_IN, crossOrigin: false, topOrigin: 'https://evil.example' },
    ],
  ])('refuses client data with %s as passkey_framed', (_case, clientData) => {
    const error = (() => {
      try {
        refuseFramedAnswer(encoded(clientData))
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toMatchObject({ code: 'passkey_framed', statusCode: 400 })
    expect((error as Error).message).toMatch(/inside a page of another website/)
  })

  it.each([
    ['crossOrigin: false', { ...SIGN_IN, crossOrigin: false }],
    ['no crossOrigin member', SIGN_IN],
    ['crossOrigin as a string', { ...SIGN_IN, crossOrigin: 'true' }],
  ])('lets client data with %s through to the library', (_case, clientData) => {
    expect(() => refuseFramedAnswer(encoded(clientData))).not.toThrow()
  })

  it.each([
    ['bytes that are no JSON', 'AAAA'],
    ['JSON that is no object', Buffer.from('null').toString('base64url')],
  ])('leaves %s to the library to refuse', (_case, clientDataJSON) => {
    expect(() => refuseFramedAnswer(clientDataJSON)).not.toThrow()
  })
})

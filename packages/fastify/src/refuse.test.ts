import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { REFUSALS, type RefusalDetails, type RefusalName, refuse } from './refuse.ts'

const APP = 'http://localhost:8000'

/** Sends one refusal through a real Fastify reply and returns what the client gets. */
async function refused<Name extends RefusalName>(name: Name, details: RefusalDetails<Name>) {
  const app = Fastify()
  app.get('/', (_request, reply) => refuse(reply, name, details))
  const response = await app.inject({ url: '/' })
  await app.close()
  return response
}

describe('refuse', () => {
  it('answers a request without credentials with a bare Bearer challenge (RFC 6750 3.1)', async () => {
    const response = await refused('noCredentials', { appUrl: APP })
    expect(response.statusCode).toBe(401)
    expect(response.headers['www-authenticate']).toBe(`Bearer realm="${APP}"`)
    expect(response.json()).toEqual({
      error: 'unauthorized',
      message: 'Sign in first: this route needs an access token (Authorization: Bearer <token>).',
    })
  })

  it('puts the error and its message in the challenge, with no double quote inside', async () => {
    const response = await refused('malformedHeader', { appUrl: APP, problem: 'not_bearer' })
    expect(response.statusCode).toBe(400)
    const { message } = response.json()
    expect(message).toBe(
      'Malformed Authorization header: the Authorization header must be "Bearer <token>".',
    )
    expect(response.headers['www-authenticate']).toBe(
      `Bearer realm="${APP}", error="invalid_request", error_description="${message.replaceAll('"', "'")}"`,
    )
  })

  it('names the missing scopes in the message and every scope the route needs in the challenge', async () => {
    const one = await refused('insufficientScope', {
      appUrl: APP,
      required: ['openid', 'email'],
      granted: ['openid'],
    })
    expect(one.statusCode).toBe(403)
    expect(one.json().message).toBe('This route needs the scope email; sign in again and grant it.')
    expect(one.headers['www-authenticate']).toMatch(
      /error="insufficient_scope", .*, scope="openid email"$/,
    )
    const two = await refused('insufficientScope', {
      appUrl: APP,
      required: ['email', 'phone'],
      granted: [],
    })
    expect(two.json().message).toBe(
      'This route needs the scopes email phone; sign in again and grant them.',
    )
  })

  it('says why a token was refused, in our words', async () => {
    const response = await refused('invalidToken', { appUrl: APP, problem: 'expired' })
    expect(response.statusCode).toBe(401)
    expect(response.json()).toEqual({
      error: 'invalid_token',
      message: 'The access token was refused: it has expired (exp); sign in again.',
    })
  })

  it('answers 503 with Retry-After and no challenge when the provider is unavailable', async () => {
    const response = await refused('issuerUnavailable', {
      action: 'session',
      issuer: 'https://id.example.com',
    })
    expect(response.statusCode).toBe(503)
    expect(response.headers['retry-after']).toBe('5')
    expect(response.headers['www-authenticate']).toBeUndefined()
    expect(response.json()).toEqual({
      error: 'temporarily_unavailable',
      message:
        'Cannot start a session: the sign-in provider https://id.example.com cannot be reached or gave an unusable answer. Try again shortly.',
    })
  })

  it('sends every refusal as { error, message } with the status and challenge its row names', async () => {
    const details = {
      appUrl: APP,
      problem: 'inactive',
      required: ['email'],
      granted: [],
      action: 'token',
      issuer: 'https://id.example.com',
    } as never
    for (const [name, row] of Object.entries(REFUSALS)) {
      const response = await refused(name as RefusalName, details)
      expect(response.statusCode, name).toBe(row.status)
      expect(response.json(), name).toEqual({ error: row.error, message: expect.any(String) })
      // A sentence an app can show: it starts with a capital letter and ends with a full stop.
      expect(response.json().message, name).toMatch(/^[A-Z].*\.$/)
      const challenge = response.headers['www-authenticate']
      if (row.challenge === 'none') expect(challenge, name).toBeUndefined()
      else expect(challenge, name).toMatch(new RegExp(`^Bearer realm="${APP}"`))
      if (row.challenge === 'error') expect(challenge, name).toContain(`error="${row.error}"`)
    }
  })
})

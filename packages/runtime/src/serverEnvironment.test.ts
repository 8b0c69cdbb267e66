import { describe, expect, it } from 'vitest'
import { ConfigError } from './env.ts'
import { SERVER_ENVIRONMENT, serverEnvironment } from './serverEnvironment.ts'

describe('serverEnvironment', () => {
  it('is the environment itself for a server run alone', () => {
    const env = { PORT: '8080', HOME: '/root' }
    expect(serverEnvironment(env)).toBe(env)
  })

  it('is only what npm start handed the server when it runs under npm start', () => {
    const env = { PORT: '3000', [SERVER_ENVIRONMENT]: JSON.stringify({ PORT: '9090' }) }
    expect(serverEnvironment(env)).toEqual({ PORT: '9090' })
  })

  it('refuses a value that is not JSON with one line naming the variable', () => {
    expect(() => serverEnvironment({ [SERVER_ENVIRONMENT]: 'PORT=9090' })).toThrow(
      new ConfigError('PASSKEY_ID_SERVER_ENV is set by npm start and must be JSON; unset it'),
    )
  })
})

import { describe, expect, it } from 'vitest'
import { resolveOptions } from './resolveOptions.ts'

describe('resolveOptions', () => {
  it('fills in every default', () => {
    expect(
      resolveOptions({ issuer: 'http://localhost:8080/', appUrl: 'http://localhost:8000/docs' }),
    ).toEqual({
      issuer: 'http://localhost:8080',
      appUrl: 'http://localhost:8000',
      clientId: 'http://localhost:8000',
      timeoutSeconds: 5,
      verification: {
        audience: 'http://localhost:8000',
        clockToleranceSeconds: 30,
        revalidateAfterSeconds: 60,
        cacheSize: 10_000,
      },
      docs: {
        routePrefix: '/docs',
        title: 'API',
        version: '0.1.0',
        description: undefined,
        scopes: ['openid', 'avatar', 'email'],
      },
      sessions: false,
      health: false,
    })
  })

  it('takes what is given, and session defaults for `sessions: true`', () => {
    const settings = resolveOptions({
      issuer: 'https://id.example.com',
      appUrl: 'https://api.example.com',
      clientId: 'registered-id',
      docs: false,
      sessions: true,
    })
    expect(settings.clientId).toBe('registered-id')
    expect(settings.verification.audience).toBe('registered-id')
    expect(settings.docs).toBe(false)
    expect(settings.sessions).toEqual({
      store: undefined,
      databaseUrl: 'sqlite:./data/sessions.db',
      ttlSeconds: 8 * 3600,
      routePrefix: '/session',
      cacheSize: 10_000,
    })
    expect(
      resolveOptions({ ...settings, sessions: { ttlSeconds: 60 }, cacheSize: 500 }).sessions,
    ).toMatchObject({ ttlSeconds: 60, routePrefix: '/session', cacheSize: 500 })
  })

  it('refuses a revalidateAfterSeconds over 60 in one line: a revoked token would outlive the bound', () => {
    const options = { issuer: 'http://localhost:8080', appUrl: 'http://localhost:8000' }
    expect(resolveOptions({ ...options, revalidateAfterSeconds: 0 }).verification).toMatchObject({
      revalidateAfterSeconds: 0,
    })
    expect(
      resolveOptions({ ...options, revalidateAfterSeconds: 1.5 }).verification
        .revalidateAfterSeconds,
    ).toBe(1.5)
    for (const value of [61, 3600, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => resolveOptions({ ...options, revalidateAfterSeconds: value })).toThrow(
        new RegExp(
          `^passkeyId option revalidateAfterSeconds must be a number of seconds from 0 to 60 \\(the most a revoked token keeps working\\), not ${String(value)}$`,
        ),
      )
    }
  })
})

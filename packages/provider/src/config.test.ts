import { describe, expect, it } from 'vitest'
import { loadProviderConfig } from './config.ts'

describe('loadProviderConfig', () => {
  it('defaults to a provider on http://localhost:8080 with a SQLite file', () => {
    expect(loadProviderConfig({})).toEqual({
      port: 8080,
      host: 'localhost',
      publicUrl: 'http://localhost:8080',
      rpId: 'localhost',
      databaseUrl: 'sqlite:./data/passkey-id.db',
      databasePoolSize: 10,
      encryptionKeys: [],
      trustProxy: false,
      rateLimits: true,
      redisUrl: undefined,
      signUps: 'open',
      allowedApps: [],
      securityEventsDays: 90,
      mail: { kind: 'print', from: { name: 'passkey-id', address: 'no-reply@localhost' } },
      recovery: 'email',
      lifetimes: {
        accessToken: 600,
        authorizationCode: 60,
        idToken: 3600,
        session: 1_209_600,
        interaction: 600,
      },
      pkceOptionalForLoopback: true,
      legacyFlows: 'loopback',
      logLevel: 'info',
    })
  })

  it('reads TRUST_PROXY as a hop count or a list of addresses and CIDRs, and refuses true', () => {
    expect(loadProviderConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false)
    expect(loadProviderConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false)
    expect(loadProviderConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2)
    expect(loadProviderConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.10,::1' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.1.10',
      '::1',
    ])
    expect(() => loadProviderConfig({ TRUST_PROXY: 'true' })).toThrow(
      /^TRUST_PROXY must be the number of proxies in front .* not "true": trusting every X-Forwarded-For/,
    )
    expect(() => loadProviderConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(
      /^TRUST_PROXY must .* not "10.0.0.0\/33"$/,
    )
  })

  it('reads RATE_LIMITS, REDIS_URL, SIGNUPS and ALLOWED_APPS', () => {
    const config = loadProviderConfig({
      RATE_LIMITS: 'off',
      REDIS_URL: 'redis://127.0.0.1:6379',
      SIGNUPS: 'closed',
      ALLOWED_APPS: 'https://App.example.com/, *.Example.org, http://localhost:8000',
    })
    expect(config.rateLimits).toBe(false)
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379')
    expect(config.signUps).toBe('closed')
    expect(config.allowedApps).toEqual([
      'https://app.example.com',
      '*.example.org',
      'http://localhost:8000',
    ])
    expect(() => loadProviderConfig({ REDIS_URL: 'http://x' })).toThrow(/^REDIS_URL must be/)
    expect(() => loadProviderConfig({ SIGNUPS: 'maybe' })).toThrow(/^SIGNUPS must be one of/)
    expect(() => loadProviderConfig({ ALLOWED_APPS: '*.com' })).toThrow(
      /^ALLOWED_APPS must list origins and host patterns/,
    )
    expect(() => loadProviderConfig({ ALLOWED_APPS: 'http://app.example.com' })).toThrow(
      /^ALLOWED_APPS must use https:\/\//,
    )
  })

  it('reads SMTP_URL, MAIL_FROM and SMTP_TIMEOUT; without SMTP_URL, prints mail on loopback only', () => {
    expect(
      loadProviderConfig({
        SMTP_URL: 'smtps://user:secret@mail.example.com:465',
        MAIL_FROM: '"Example ID" <id@example.com>',
        SMTP_TIMEOUT: '5',
      }).mail,
    ).toEqual({
      kind: 'smtp',
      url: 'smtps://user:secret@mail.example.com:465',
      from: { name: 'Example ID', address: 'id@example.com' },
      timeoutSeconds: 5,
    })
    expect(loadProviderConfig({ SMTP_URL: 'smtp://127.0.0.1:2525' }).mail).toMatchObject({
      kind: 'smtp',
      timeoutSeconds: 10,
    })
    expect(loadProviderConfig({ PUBLIC_URL: 'https://id.example.com' }).mail).toEqual({
      kind: 'off',
    })
    expect(
      loadProviderConfig({ PUBLIC_URL: 'https://id.example.com', MAIL_FROM: 'id@example.com' })
        .mail,
    ).toEqual({ kind: 'off' })
    // The URL is never echoed: it may hold a password.
    expect(() => loadProviderConfig({ SMTP_URL: 'http://user:secret@mail.example.com' })).toThrow(
      /^SMTP_URL must be a URL such as smtp:\/\/.* not the value given$/,
    )
    expect(() => loadProviderConfig({ SMTP_URL: 'smtp://user:secret@' })).toThrow(/^SMTP_URL/)
    for (const from of ['id@example.com\r\nBcc: everyone@example.com', 'not an address', 'A <b>']) {
      expect(() => loadProviderConfig({ MAIL_FROM: from })).toThrow(/^MAIL_FROM must be an address/)
    }
    expect(() => loadProviderConfig({ SMTP_TIMEOUT: '0' })).toThrow(/^SMTP_TIMEOUT/)
  })

  it('reads RECOVERY: email (default), admin or off, and refuses anything else in one line', () => {
    expect(loadProviderConfig({ RECOVERY: 'admin' }).recovery).toBe('admin')
    expect(loadProviderConfig({ RECOVERY: 'off' }).recovery).toBe('off')
    expect(() => loadProviderConfig({ RECOVERY: 'sms' })).toThrow(/^RECOVERY /)
  })

  it('reads LEGACY_FLOWS: loopback (default), on or off, in any case', () => {
    expect(loadProviderConfig({ LEGACY_FLOWS: '' }).legacyFlows).toBe('loopback')
    expect(loadProviderConfig({ LEGACY_FLOWS: 'loopback' }).legacyFlows).toBe('loopback')
    expect(loadProviderConfig({ LEGACY_FLOWS: 'on' }).legacyFlows).toBe('on')
    expect(loadProviderConfig({ LEGACY_FLOWS: ' OFF ' }).legacyFlows).toBe('off')
  })

  it('reads every lifetime', () => {
    const config = loadProviderConfig({
      ACCESS_TOKEN_TTL: '300',
      CODE_TTL: '30',
      ID_TOKEN_TTL: '900',
      SESSION_TTL: '86400',
      INTERACTION_TTL: '120',
    })
    expect(config.lifetimes).toEqual({
      accessToken: 300,
      authorizationCode: 30,
      idToken: 900,
      session: 86_400,
      interaction: 120,
    })
  })

  it('derives the issuer from PORT and the RP ID from PUBLIC_URL', () => {
    expect(loadProviderConfig({ PORT: '9000' }).publicUrl).toBe('http://localhost:9000')
    const config = loadProviderConfig({
      PUBLIC_URL: 'https://id.example.com',
      RP_ID: 'example.com',
    })
    expect(config.rpId).toBe('example.com')
    expect(loadProviderConfig({ PUBLIC_URL: 'https://ID.Example.com/' }).rpId).toBe(
      'id.example.com',
    )
  })

  it('refuses an IP address as RP ID, as WebAuthn does', () => {
    expect(() => loadProviderConfig({ PUBLIC_URL: 'http://127.0.0.1:8080' })).toThrow(
      /RP_ID .*IP address/,
    )
    expect(() => loadProviderConfig({ RP_ID: '::1' })).toThrow(/IP address/)
  })

  it('refuses an RP ID that is not the host or a parent of it', () => {
    expect(() =>
      loadProviderConfig({ PUBLIC_URL: 'https://id.example.com', RP_ID: 'other.com' }),
    ).toThrow(/RP_ID must be the host of PUBLIC_URL \(id.example.com\)/)
    expect(() =>
      loadProviderConfig({ PUBLIC_URL: 'https://id.example.com', RP_ID: 'ample.com' }),
    ).toThrow(/RP_ID/)
  })

  it('reads ENCRYPTION_KEY as a keyring, the key to seal with first', () => {
    const [next, old] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)]
    expect(
      loadProviderConfig({ ENCRYPTION_KEY: `${next.toString('base64')},${old.toString('base64')}` })
        .encryptionKeys,
    ).toEqual([next, old])
  })

  it('reads DATABASE_POOL_SIZE, from 1 to 100 connections', () => {
    expect(loadProviderConfig({ DATABASE_POOL_SIZE: '4' }).databasePoolSize).toBe(4)
    expect(() => loadProviderConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(
      /^DATABASE_POOL_SIZE must be a whole number from 1 to 100, not "0"$/,
    )
  })

  it('reads SECURITY_EVENTS_DAYS, from 1 to 3650 days', () => {
    expect(loadProviderConfig({ SECURITY_EVENTS_DAYS: '30' }).securityEventsDays).toBe(30)
    expect(() => loadProviderConfig({ SECURITY_EVENTS_DAYS: '0' })).toThrow(
      /^SECURITY_EVENTS_DAYS must be a whole number of days from 1 to 3650, not "0"$/,
    )
  })

  it('names the variable in every refusal', () => {
    expect(() => loadProviderConfig({ ACCESS_TOKEN_TTL: '10' })).toThrow(/^ACCESS_TOKEN_TTL must/)
    expect(() => loadProviderConfig({ CODE_TTL: '3600' })).toThrow(
      /^CODE_TTL must be a whole number of seconds from 10 to 600/,
    )
    expect(() => loadProviderConfig({ ID_TOKEN_TTL: 'soon' })).toThrow(/^ID_TOKEN_TTL must/)
    expect(() => loadProviderConfig({ SESSION_TTL: '1' })).toThrow(/^SESSION_TTL must/)
    expect(() => loadProviderConfig({ PKCE_FOR_LOOPBACK: 'never' })).toThrow(
      /^PKCE_FOR_LOOPBACK must/,
    )
    expect(() => loadProviderConfig({ LEGACY_FLOWS: 'true' })).toThrow(
      /^LEGACY_FLOWS must be one of loopback, on, off, not "true"/,
    )
    expect(() => loadProviderConfig({ LOG_LEVEL: 'loud' })).toThrow(/^LOG_LEVEL must/)
    expect(() => loadProviderConfig({ ENCRYPTION_KEY: 'secret' })).toThrow(
      /^ENCRYPTION_KEY must be 32 random bytes in base64 .*: make one with openssl rand -base64 32$/,
    )
    expect(() => loadProviderConfig({ PUBLIC_URL: 'http://id.example.com' })).toThrow(
      /^PUBLIC_URL must use https/,
    )
  })
})

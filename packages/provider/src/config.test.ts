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
      trustProxy: false,
      lifetimes: { accessToken: 600, authorizationCode: 60, idToken: 3600, session: 1_209_600 },
      pkceOptionalForLoopback: true,
      legacyFlows: 'loopback',
      logLevel: 'info',
    })
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
    })
    expect(config.lifetimes).toEqual({
      accessToken: 300,
      authorizationCode: 30,
      idToken: 900,
      session: 86_400,
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
    expect(() => loadProviderConfig({ PUBLIC_URL: 'http://id.example.com' })).toThrow(
      /^PUBLIC_URL must use https/,
    )
  })
})

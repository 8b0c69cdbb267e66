import { type ProviderWithAccount, startProviderWithAccount } from '@passkey-id/testing/provider'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

describe('lifetimes come from the configuration', () => {
  let fixture: ProviderWithAccount

  beforeAll(async () => {
    fixture = await startProviderWithAccount({
      env: { ACCESS_TOKEN_TTL: '120', ID_TOKEN_TTL: '300' },
    })
  })
  afterAll(() => fixture.close())

  it('issues access tokens and ID tokens that last as configured', async () => {
    const { tokens } = await fixture.signIn()
    expect(tokens.expires_in).toBeGreaterThan(100)
    expect(tokens.expires_in).toBeLessThanOrEqual(120)
    const claims = tokens.claims()
    expect(Number(claims?.exp) - Number(claims?.iat)).toBe(300)
  })
})

import { type ProviderWithAccount, startProviderWithAccount } from '@passkey-id/testing/provider'
import { discoverAsApp } from '@passkey-id/testing/sign-in'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

describe('token revocation (RFC 7009) for public clients', () => {
  let fixture: ProviderWithAccount

  beforeAll(async () => {
    fixture = await startProviderWithAccount()
  })
  afterAll(() => fixture.close())

  const revoke = (form: Record<string, string>) =>
    fetch(`${fixture.provider.url}/openid/revoke`, {
      method: 'POST',
      body: new URLSearchParams(form),
    })

  it('is advertised in discovery at /openid/revoke', () => {
    expect(fixture.config.serverMetadata().revocation_endpoint).toBe(
      `${fixture.provider.url}/openid/revoke`,
    )
  })

  it('revokes an app its own access token: introspection and userinfo stop accepting it', async () => {
    const { tokens } = await fixture.signIn()
    await oidc.tokenRevocation(fixture.config, tokens.access_token)
    expect(await oidc.tokenIntrospection(fixture.config, tokens.access_token)).toEqual({
      active: false,
    })
    await expect(
      oidc.fetchUserInfo(fixture.config, tokens.access_token, oidc.skipSubjectCheck),
    ).rejects.toThrow()
  })

  it('does not let another app revoke a token, and says nothing about it (200, as RFC 7009 asks)', async () => {
    const { tokens } = await fixture.signIn()
    const otherApp = await discoverAsApp(fixture.provider.url, 'https://app.example.com')
    await oidc.tokenRevocation(otherApp, tokens.access_token)
    expect(await oidc.tokenIntrospection(fixture.config, tokens.access_token)).toMatchObject({
      active: true,
    })
  })

  it('answers an unknown token with 200 and a missing one with invalid_request', async () => {
    const unknown = await revoke({ client_id: 'http://localhost:8000', token: 'not-a-token' })
    expect(unknown.status).toBe(200)
    const missing = await revoke({ client_id: 'http://localhost:8000' })
    expect(missing.status).toBe(400)
    expect(await missing.json()).toMatchObject({ error: 'invalid_request' })
    const noClient = await revoke({ token: 'not-a-token' })
    expect(noClient.status).toBe(400)
  })

  it('leaves the account able to sign in', async () => {
    await fixture.expectAccountStillSignsIn()
  })
})

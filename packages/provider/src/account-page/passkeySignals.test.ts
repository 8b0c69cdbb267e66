import { describe, expect, it } from 'vitest'
import { passkeySignals } from './passkeySignals.ts'

describe('passkeySignals', () => {
  it('puts the RP ID, user handle, accepted passkeys and username on a hidden element, escaped', () => {
    expect(
      passkeySignals({
        rpId: 'id.example.com',
        userHandle: 'aGFuZGxl',
        credentialIds: ['cred-1', 'cred_2'],
        username: 'a"b<c',
      }).value,
    ).toBe(
      '<div id="passkey-signals" hidden data-rp-id="id.example.com" data-user-id="aGFuZGxl" data-credential-ids="cred-1 cred_2" data-name="a&quot;b&lt;c"></div>',
    )
  })

  it('has no name once the account is deleted, and an empty list of accepted passkeys', () => {
    const signals = passkeySignals({ rpId: 'localhost', userHandle: 'aGFuZGxl', credentialIds: [] })
    expect(signals.value).toContain('data-credential-ids=""')
    expect(signals.value).not.toContain('data-name')
  })
})

import { describe, expect, it } from 'vitest'
import type { Account } from '../accounts/accountStore.ts'
import { accountPage } from './accountPage.ts'

const ACCOUNT = {
  id: 'acc1',
  user_handle: 'handle',
  username: 'alice',
  username_key: 'alice',
  email: 'alice@example.com',
  avatar: 'fox',
  created_at: '2024-01-01T00:00:00.000Z',
  updated_at: '2024-01-01T00:00:00.000Z',
  profile_updated_at: null,
  email_verified_at: null,
  verified_email_key: null,
} as unknown as Account

const VIEW = {
  account: ACCOUNT,
  passkeys: [],
  apps: [],
  activity: [],
  issuer: 'https://id.example.com',
  rpId: 'id.example.com',
  fresh: true,
  passkeyProviders: new Map(),
}

describe('accountPage', () => {
  it('offers Send verification code, and the code field once a code is on its way', () => {
    const before = accountPage({ ...VIEW, email: { enabled: true, pending: undefined } })
    expect(before).toContain('formaction="/account/email/send-code"')
    expect(before).toContain('>Send verification code</button>')
    expect(before).toContain('This address is not verified yet.')
    expect(before).not.toContain('Verification code</label>')
    const pending = accountPage({
      ...VIEW,
      email: {
        enabled: true,
        pending: { email: 'alice@example.com', expiresAt: '2024-01-01T00:10:00.000Z' },
      },
    })
    expect(pending).toContain('<label for="verification-code">Verification code</label>')
    expect(pending).toContain('<button type="submit" form="verify-email">Verify</button>')
    expect(pending).toContain(
      '<form id="verify-email" method="post" action="/account/email/verify"',
    )
  })

  it('says email verification is off when the service has no mail server, with no button', () => {
    const off = accountPage({ ...VIEW, email: { enabled: false, pending: undefined } })
    expect(off).toContain('Email verification is off: this service has no mail server set up')
    expect(off).not.toContain('Send verification code')
  })

  it('says a verified address is verified', () => {
    const page = accountPage({
      ...VIEW,
      account: { ...ACCOUNT, email_verified_at: '2024-01-01T00:05:00.000Z' },
      email: { enabled: true, pending: undefined },
    })
    expect(page).toContain('This address is verified.')
  })
})

import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { TestBrowser } from '@passkey-id/testing/http'
import { runProviderCommand } from '@passkey-id/testing/processes'
import {
  LOOPBACK_REDIRECT_URI,
  type ProviderWithAccount,
  startProviderWithAccount,
} from '@passkey-id/testing/provider'
import { signInWithCodeFlow } from '@passkey-id/testing/sign-in'
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openProviderStore } from '../src/store/openProviderStore.ts'

/** Each CLI run starts Node and tsx: seconds on a busy machine. */
const STEP_MS = 120_000

describe('npm run provider -- accounts (real CLI processes against a running provider)', () => {
  let fixture: ProviderWithAccount

  beforeAll(async () => {
    fixture = await startProviderWithAccount()
  }, STEP_MS)
  afterAll(() => fixture?.close())

  /** `npm run provider -- <args>` on the fixture's database: exit code and lines printed. */
  async function provider(args: string[], env: Record<string, string> = {}) {
    const { exit, output } = await runProviderCommand(args, {
      DATABASE_URL: fixture.provider.config.databaseUrl,
      PUBLIC_URL: fixture.provider.url,
      ...env,
    })
    return { code: exit.code, output, lines: output.split('\n').filter((line) => line !== '') }
  }

  /** Alice's passkey answers a new sign-in page; the provider's JSON answer. */
  async function alicePasskeyAnswer() {
    const { browser, interaction } = await fixture.openSignInPage()
    const options = await browser.postJson<PublicKeyCredentialRequestOptionsJSON>(
      `${interaction.base}/sign-in/options`,
      {},
    )
    expect(options.status).toBe(200)
    return browser.postJson<{ error?: string; message?: string }>(
      `${interaction.base}/sign-in`,
      fixture.authenticator.authenticate(options.body, { origin: fixture.provider.url }),
    )
  }

  const introspect = (token: string) => oidc.tokenIntrospection(fixture.config, token)
  const userinfo = (token: string) =>
    oidc.fetchUserInfo(fixture.config, token, oidc.skipSubjectCheck)

  it(
    'prints usage and exits 0 for --help, 2 for bad arguments, without starting a server',
    async () => {
      const help = await provider(['accounts', '--help'])
      expect(help.code).toBe(0)
      for (const command of ['list', 'show', 'disable', 'enable', 'delete', 'recovery-link'])
        expect(help.output).toMatch(new RegExp(`^  ${command}\\b`, 'm'))
      const top = await provider(['--help'])
      expect(top.code).toBe(0)
      expect(top.output).toMatch(/^ {2}accounts\b/m)
      for (const bad of [
        ['accounts', 'frobnicate'],
        ['accounts', 'show'],
        ['accounts', 'show', 'alice', 'bob'],
        ['accounts', 'disable', 'alice', '--yes'],
        ['accounts', 'recovery-link', 'alice', '--yes'],
        ['accounts', 'list', 'alice'],
        ['frobnicate'],
      ]) {
        const run = await provider(bad)
        expect({ bad, code: run.code }).toEqual({ bad, code: 2 })
        expect(run.lines[0]).toMatch(/^usage: passkey-id-provider/)
      }
      const unknown = await provider(['accounts', 'show', 'nobody'])
      expect(unknown).toMatchObject({ code: 1, lines: ['there is no account named "nobody"'] })
    },
    STEP_MS,
  )

  it(
    'lists and shows an account without a secret',
    async () => {
      const list = await provider(['accounts', 'list'])
      expect(list.code).toBe(0)
      expect(list.lines[0]).toMatch(/^USERNAME\s+CREATED\s+PASSKEYS\s+EMAIL\s+DISABLED$/)
      expect(list.lines[1]).toMatch(/^alice\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+1\s+none\s+no$/)
      expect(list.lines).toHaveLength(2)

      // Any letter case names the account, as at sign-up.
      const show = await provider(['accounts', 'show', 'ALICE'])
      expect(show.code).toBe(0)
      expect(show.lines).toEqual(
        expect.arrayContaining([
          'account alice',
          '  status    enabled',
          'passkeys (1)',
          expect.stringMatching(/^ {2}Passkey 1: created \S+Z, never used, on one device$/),
          'apps (1)',
          expect.stringMatching(/^ {2}http:\/\/localhost:8000: allowed \S+Z, openid$/),
          expect.stringMatching(/^ {2}\S+Z sign_up from 127\.0\.0\.1 via http:\/\/localhost:8000$/),
        ]),
      )
      const db = await openProviderStore(fixture.provider.config.databaseUrl)
      try {
        const secrets = [
          ...(await db.selectFrom('passkeys').select(['id', 'public_key']).execute()).flatMap(
            (row) => [row.id, row.public_key],
          ),
          ...(await db.selectFrom('accounts').select('user_handle').execute()).map(
            (row) => row.user_handle,
          ),
          ...(await db.selectFrom('oidc_records').select('id').execute()).map((row) => row.id),
        ]
        expect(secrets.length).toBeGreaterThan(3)
        for (const secret of secrets) expect(show.output).not.toContain(secret)
      } finally {
        await db.destroy()
      }
    },
    STEP_MS,
  )

  it(
    'disable ends the sessions and tokens (userinfo, introspection) and refuses sign-in; enable lets the account sign in again',
    async () => {
      const browser = new TestBrowser()
      const { tokens } = await fixture.signIn({ browser })
      expect(await introspect(tokens.access_token)).toMatchObject({ active: true })

      const disabled = await provider(['accounts', 'disable', 'alice'], { LOG_LEVEL: 'info' })
      expect(disabled.code).toBe(0)
      expect(disabled.lines).toContain(
        "disabled alice: its sessions and apps' tokens are ended, its sign-ins refused; `accounts enable alice` undoes it",
      )
      // The event's log line, as the server writes one, on the command's stderr.
      const logged = disabled.lines
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line))
      expect(logged).toEqual([
        expect.objectContaining({
          event: 'security',
          kind: 'account_disabled',
          ip: 'the command line',
          account: expect.any(String),
        }),
      ])

      // At once, with no wait: an app's plugin sees it at its next check (revalidateAfterSeconds).
      expect(await introspect(tokens.access_token)).toEqual({ active: false })
      await expect(userinfo(tokens.access_token)).rejects.toThrow()
      const refused = await alicePasskeyAnswer()
      expect(refused.status).toBe(403)
      expect(refused.body).toEqual({
        error: 'account_disabled',
        message:
          'This account is disabled by the operator of this service, so it cannot sign in. Ask them to enable it again.',
      })

      expect((await provider(['accounts', 'list'])).lines[1]).toMatch(/\s+since \S+Z$/)
      const again = await provider(['accounts', 'disable', 'alice'])
      expect(again.code).toBe(0)
      expect(again.lines[0]).toMatch(/^alice is already disabled \(since \S+Z\)/)

      const enabled = await provider(['accounts', 'enable', 'alice'])
      expect(enabled).toMatchObject({
        code: 0,
        lines: ['enabled alice: it can sign in again, with the same apps and consents'],
      })
      // The tokens ended with their session; the browser sees the sign-in page, not the app; the
      // account signs in again with the same sub and no consent page, and its new token works.
      expect(await introspect(tokens.access_token)).toEqual({ active: false })
      await fixture.openSignInPage({ browser })
      const renewed = await fixture.expectAccountStillSignsIn()
      expect(await userinfo(renewed.access_token)).toMatchObject({ sub: fixture.sub })

      const show = await provider(['accounts', 'show', 'alice'])
      expect(show.lines).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^ {2}\S+Z account_enabled from the command line$/),
          expect.stringMatching(/^ {2}\S+Z account_disabled from the command line$/),
          expect.stringMatching(/^ {2}\S+Z sign_in_failed from 127\.0\.0\.1 via http/),
        ]),
      )
      expect((await provider(['accounts', 'enable', 'alice'])).lines).toEqual([
        'alice is not disabled: nothing to do',
      ])
    },
    STEP_MS,
  )

  it(
    'delete without --yes says what would go and exits 2; with --yes the account and its tokens go',
    async () => {
      const bob = createSoftwareAuthenticator()
      const { tokens } = await signInWithCodeFlow(fixture.config, new TestBrowser(), bob, {
        redirectUri: LOOPBACK_REDIRECT_URI,
        script: { signUp: { username: 'bob', email: 'bob@example.com' } },
      })
      // An address given at sign-up is unverified: list says so, show prints it.
      expect((await provider(['accounts', 'list'])).lines[2]).toMatch(
        /^bob\s+\S+Z\s+1\s+unverified\s+no$/,
      )
      expect((await provider(['accounts', 'show', 'bob'])).lines).toContain(
        '  email     bob@example.com (not verified)',
      )
      const asked = await provider(['accounts', 'delete', 'bob'])
      expect(asked).toMatchObject({
        code: 2,
        lines: [
          'would delete bob: its profile, 1 passkey and the access of 1 app (their tokens stop working at once)',
          'nothing was deleted: run `accounts delete bob --yes` to delete it for good',
        ],
      })
      expect(await introspect(tokens.access_token)).toMatchObject({ active: true })

      const deleted = await provider(['accounts', 'delete', 'bob', '--yes'], { LOG_LEVEL: 'info' })
      expect(deleted.code).toBe(0)
      expect(deleted.lines).toContain(
        'deleted bob: its profile, 1 passkey and the access of 1 app (their tokens stop working at once)',
      )
      expect(
        deleted.lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line)),
      ).toEqual([
        expect.objectContaining({ kind: 'account_deleted_by_operator', ip: 'the command line' }),
      ])
      expect(await introspect(tokens.access_token)).toEqual({ active: false })
      expect((await provider(['accounts', 'show', 'bob'])).code).toBe(1)
      const list = await provider(['accounts', 'list'])
      expect(list.lines.map((line) => line.split(/\s+/)[0])).toEqual(['USERNAME', 'alice'])
    },
    STEP_MS,
  )
})

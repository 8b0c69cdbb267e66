import { isSameOriginRequest } from '@passkey-id/runtime'
import type { RegistrationResponseJSON } from '@simplewebauthn/server'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type Provider from 'oidc-provider'
import { type Account, type AccountStore, UsernameTakenError } from '../accounts/accountStore.ts'
import type { EmailVerification } from '../accounts/emailVerification.ts'
import { ProviderError } from '../errors/ProviderError.ts'
import { listSecurityEvents } from '../events/listSecurityEvents.ts'
import { recordSecurityEvent } from '../events/recordSecurityEvent.ts'
import type { Limiter } from '../limits/createLimiter.ts'
import { ACCOUNT_MAILS } from '../mail/accountMails.ts'
import type { Mailer } from '../mail/createMailer.ts'
import {
  ACCOUNT_PAGE_CALLBACK_PATH,
  accountPageAuthorizationUrl,
  isAccountPageClient,
} from '../oidc/clients/accountPageClient.ts'
import type { ConsentStore } from '../oidc/consent/consentStore.ts'
import { revokeConsent } from '../oidc/consent/revokeConsent.ts'
import { deleteAccount } from '../oidc/deleteAccount.ts'
import { finishAddPasskey } from '../passkeys/finishAddPasskey.ts'
import type { PasskeyContext } from '../passkeys/PasskeyCeremonies.ts'
import { PASSKEY_NAME_MAX_LENGTH } from '../passkeys/passkeyStore.ts'
import type { PasskeyProviderList } from '../passkeys/readPasskeyProviderList.ts'
import { registrationResponseSchema } from '../passkeys/requestSchemas.ts'
import { startAddPasskey } from '../passkeys/startAddPasskey.ts'
import {
  containsControlCharacters,
  type ProfileField,
  validateProfile,
} from '../profile/validateProfile.ts'
import type { ProviderDatabase } from '../store/schema.ts'
import { errorHandler } from '../ui/errorHandler.ts'
import { html, type SafeHtml } from '../ui/html.ts'
import { messagePage } from '../ui/messagePage.ts'
import { securityHeaders } from '../ui/securityHeaders.ts'
import type { EmailCodeSteps } from '../verification/emailCodeSteps.ts'
import { type AccountPageView, accountPage } from './accountPage.ts'
import { accountScript } from './accountScript.ts'
import { passkeySignals } from './passkeySignals.ts'

/** What the account page is built from. */
export interface AccountRoutesOptions {
  oidc: Provider
  db: Kysely<ProviderDatabase>
  accounts: AccountStore
  consents: ConsentStore
  ceremonies: PasskeyContext
  /** Counts each form a signed-in account posts (`accountFormsPerAccount`). */
  limiter: Limiter
  /** Sends verification codes and notices (disabled when mail is off). */
  mailer: Mailer
  emailVerification: EmailVerification
  /** Sending and checking codes, as the step after a sign-up does. */
  codeSteps: EmailCodeSteps
  /** Whose icons the passkey list shows, by each passkey's AAGUID. */
  passkeyProviders: PasskeyProviderList
}

/** How many of the account's security events "Recent activity" lists. */
const RECENT_ACTIVITY = 20

/** How recent a sign-in must be to add or remove a passkey or delete the account. */
const FRESH_SIGN_IN_SECONDS = 10 * 60

/** What `?done=` after a successful form says; a fixed list, so nothing from the URL is echoed. */
const NOTICES = {
  profile: 'Your profile is saved. Apps see the change the next time they ask for it.',
  'passkey-added': 'The new passkey is added. You can sign in with it now.',
  'passkey-renamed': 'The passkey is renamed.',
  'passkey-removed': 'The passkey is removed: it no longer signs in to this account.',
  'app-revoked':
    'The app can no longer see your account: its access tokens stop working, and it must ask for your consent again.',
  'code-sent':
    'A 6-digit verification code is on its way to your email address. Enter it below: it works for 10 minutes.',
  'email-verified':
    'Your email address is verified. Apps you allow to see it are told so from now on.',
} as const

type Signed = { sessionId: string; account: Account; fresh: boolean }

/**
 * The account page at `/account`: a person manages their profile, passkeys and approved apps, signs
 * out or deletes the account. It is signed in through the provider's own authorization endpoint, as
 * an app whose client_id is the issuer, so it shares the sign-in session with every app: signing in
 * here signs in there, and signing out ends both. Every POST must come from the page itself.
 */
export async function accountRoutes(
  app: FastifyInstance,
  options: AccountRoutesOptions,
): Promise<void> {
  const { oidc, db, accounts, consents, ceremonies, limiter, mailer, emailVerification } = options
  const { passkeyProviders, codeSteps } = options
  const { passkeys } = ceremonies
  const issuer = ceremonies.origin
  const headers = securityHeaders({ https: issuer.startsWith('https:'), formActions: [] })

  /** The person signed in to the provider in this browser, from oidc-provider's session cookie. */
  async function signedIn(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<Signed | undefined> {
    const session = await oidc.Session.get(oidc.createContext(request.raw, reply.raw))
    if (session.accountId === undefined) return undefined
    const account = await accounts.findById(session.accountId)
    if (account === undefined) return undefined
    return { sessionId: session.jti, account, fresh: !session.past(FRESH_SIGN_IN_SECONDS) }
  }

  async function page(signed: Signed, view: Partial<AccountPageView> = {}): Promise<string> {
    const [list, apps, activity, pending] = await Promise.all([
      passkeys.list(signed.account.id),
      consents.list(signed.account.id),
      listSecurityEvents(db, signed.account.id, RECENT_ACTIVITY),
      emailVerification.pending(signed.account.id),
    ])
    return accountPage({
      account: signed.account,
      passkeys: list,
      apps,
      activity,
      issuer,
      rpId: ceremonies.rpId,
      fresh: signed.fresh,
      email: { enabled: mailer.enabled, pending },
      passkeyProviders,
      ...view,
    })
  }

  app.addHook('onRequest', async (request, reply) => {
    reply.headers(headers).header('cache-control', 'no-store')
    if (request.method === 'POST' && !isSameOriginRequest(request, issuer))
      throw new ProviderError('cross_site_request', { page: 'your account page' })
  })

  app.setErrorHandler(errorHandler({ title: 'Your account', body: backToAccount() }))

  /** Loads the signed-in person for a POST, or refuses it: the page they came from is stale. */
  async function requireSignedIn(request: FastifyRequest, reply: FastifyReply): Promise<Signed> {
    const signed = await signedIn(request, reply)
    if (signed === undefined) throw new ProviderError('signed_out')
    await limiter.take('accountFormsPerAccount', signed.account.id)
    return signed
  }

  function done(reply: FastifyReply, what: keyof typeof NOTICES, anchor: string) {
    return reply.redirect(`/account?done=${what}#${anchor}`, 303)
  }

  app.get<{ Querystring: { done?: string } }>('/account', async (request, reply) => {
    const signed = await signedIn(request, reply)
    if (signed === undefined) return reply.redirect('/account/sign-in', 303)
    const what = request.query.done
    const notice =
      typeof what === 'string' && Object.hasOwn(NOTICES, what)
        ? NOTICES[what as keyof typeof NOTICES]
        : undefined
    return reply.type('text/html; charset=utf-8').send(await page(signed, { notice }))
  })

  app.get<{ Querystring: { confirm?: string } }>('/account/sign-in', async (request, reply) => {
    const authorize = accountPageAuthorizationUrl(issuer, {
      confirm: request.query.confirm !== undefined,
    })
    return reply.redirect(authorize, 303)
  })

  app.get<{ Querystring: { error?: string } }>(
    ACCOUNT_PAGE_CALLBACK_PATH,
    async (request, reply) => {
      if (request.query.error === undefined) return reply.redirect('/account', 303)
      const failed = new ProviderError('account_sign_in_failed')
      return reply
        .code(failed.statusCode)
        .type('text/html; charset=utf-8')
        .send(
          messagePage({
            title: 'Not signed in',
            message: failed.message,
            body: backToAccount('Sign in'),
          }),
        )
    },
  )

  app.post<{ Body: Record<string, unknown> }>(
    '/account/profile',
    // Every field at its longest, in a script that percent-encodes to 9 bytes a character, fits.
    { bodyLimit: 16 * 1024, schema: { body: { type: 'object', maxProperties: 40 } } },
    async (request, reply) => {
      const signed = await requireSignedIn(request, reply)
      const form = request.body
      const shown = Object.fromEntries(
        Object.entries(form).filter(
          (entry): entry is [ProfileField, string] => typeof entry[1] === 'string',
        ),
      )
      const validation = validateProfile(form)
      if (!validation.ok)
        return respond(reply, 400, signed, { form: shown, errors: validation.errors })
      try {
        const updated = await accounts.updateProfile(signed.account.id, validation.profile)
        noticeAddressChanged(request, signed.account, updated.email)
      } catch (error) {
        if (!(error instanceof UsernameTakenError)) throw error
        // Only a username the form changed can be taken.
        const username = String(validation.profile.username)
        const taken = new ProviderError('username_taken', { username })
        return respond(reply, taken.statusCode, signed, {
          form: shown,
          errors: { username: taken.message },
        })
      }
      return done(reply, 'profile', 'profile')
    },
  )

  // Posted by the profile form's `Send verification code` button: the whole profile form arrives,
  // and only its Email field is read (see `emailCodeSteps` for what is saved when).
  app.post<{ Body: Record<string, unknown> }>(
    '/account/email/send-code',
    { bodyLimit: 16 * 1024, schema: { body: { type: 'object', maxProperties: 40 } } },
    async (request, reply) => {
      const signed = await requireSignedIn(request, reply)
      const typed = request.body.email
      const email = typeof typed === 'string' ? typed.trim() : ''
      try {
        await codeSteps.send(request, signed.account, email)
      } catch (error) {
        if (error instanceof ProviderError) return refuseEmail(reply, signed, email)(error)
        throw error
      }
      noticeAddressChanged(request, signed.account, email)
      return done(reply, 'code-sent', 'email')
    },
  )

  app.post<{ Body: { code: string } }>(
    '/account/email/verify',
    { schema: { body: oneFieldForm('code', 100) } },
    async (request, reply) => {
      const signed = await requireSignedIn(request, reply)
      try {
        await codeSteps.verify(request, signed.account, request.body.code)
      } catch (error) {
        if (error instanceof ProviderError) return refuseEmail(reply, signed)(error)
        throw error
      }
      return done(reply, 'email-verified', 'email')
    },
  )

  app.post('/account/passkeys/options', async (request, reply) => {
    const signed = await requireSignedIn(request, reply)
    // A stolen session must not become lasting access through a passkey of the thief's.
    if (!signed.fresh) throw new ProviderError('sign_in_again', { action: 'add a passkey' })
    return startAddPasskey(
      ceremonies,
      signed.sessionId,
      signed.account,
      await passkeys.list(signed.account.id),
    )
  })

  app.post<{ Body: RegistrationResponseJSON }>(
    '/account/passkeys',
    { schema: { body: registrationResponseSchema } },
    async (request, reply) => {
      const signed = await requireSignedIn(request, reply)
      await finishAddPasskey(ceremonies, signed.sessionId, signed.account.id, request.body)
      await recordSecurityEvent(db, request, { kind: 'passkey_added', account: signed.account.id })
      const verified = verifiedAddress(signed.account)
      if (verified !== undefined)
        mailer.notify(
          ACCOUNT_MAILS.passkeyAdded({ issuer }, verified, signed.account.username),
          request.log,
        )
      return { added: true }
    },
  )

  app.post<{ Body: { id: string; name: string } }>(
    '/account/passkeys/rename',
    {
      schema: { body: passkeyFormSchema({ name: { type: 'string', maxLength: 1000 } }, ['name']) },
    },
    async (request, reply) => {
      const signed = await requireSignedIn(request, reply)
      const name = request.body.name.trim()
      const problem = passkeyNameProblem(name)
      if (problem !== undefined) return refuse(reply, signed, 'passkeys', problem)
      if (!(await passkeys.rename(signed.account.id, request.body.id, name)))
        return refuse(reply, signed, 'passkeys', new ProviderError('no_such_passkey'))
      await recordSecurityEvent(db, request, {
        kind: 'passkey_renamed',
        account: signed.account.id,
      })
      return done(reply, 'passkey-renamed', 'passkeys')
    },
  )

  app.post<{ Body: { id: string; confirm_last?: string } }>(
    '/account/passkeys/remove',
    { schema: { body: passkeyFormSchema({ confirm_last: { type: 'string', maxLength: 10 } }) } },
    async (request, reply) => {
      const signed = await requireSignedIn(request, reply)
      const { id } = request.body
      if (!signed.fresh)
        return refuse(
          reply,
          signed,
          'passkeys',
          new ProviderError('sign_in_again', { action: 'remove a passkey' }),
        )
      const removal = await passkeys.remove(signed.account.id, id, {
        evenTheLast: request.body.confirm_last === 'yes',
      })
      if (removal === 'last') {
        const last = new ProviderError('last_passkey')
        return respond(reply, last.statusCode, signed, {
          confirmLastPasskey: id,
          problem: { section: 'passkeys', message: last.message },
        })
      }
      if (removal === 'not-found')
        return refuse(reply, signed, 'passkeys', new ProviderError('no_such_passkey'))
      await recordSecurityEvent(db, request, {
        kind: 'passkey_removed',
        account: signed.account.id,
      })
      return done(reply, 'passkey-removed', 'passkeys')
    },
  )

  app.post<{ Body: { client_id: string } }>(
    '/account/apps/revoke',
    { schema: { body: oneFieldForm('client_id', 300) } },
    async (request, reply) => {
      const signed = await requireSignedIn(request, reply)
      const clientId = request.body.client_id
      // No app's origin holds one, and PostgreSQL refuses a NUL in any parameter (a 500).
      if (containsControlCharacters(clientId))
        return refuse(
          reply,
          signed,
          'apps',
          new ProviderError('malformed_request', {
            reason: 'the client_id contains control characters',
          }),
        )
      if (
        isAccountPageClient(clientId, issuer) ||
        !(await revokeConsent(oidc, db, consents, signed.account.id, clientId))
      )
        return refuse(reply, signed, 'apps', new ProviderError('app_not_allowed'))
      await recordSecurityEvent(db, request, {
        kind: 'app_revoked',
        account: signed.account.id,
        clientId,
      })
      return done(reply, 'app-revoked', 'apps')
    },
  )

  app.post<{ Body: { confirm: string } }>(
    '/account/delete',
    { schema: { body: oneFieldForm('confirm', 200) } },
    async (request, reply) => {
      const signed = await requireSignedIn(request, reply)
      if (request.body.confirm.trim() !== signed.account.username)
        return refuse(
          reply,
          signed,
          'delete',
          new ProviderError('deletion_not_confirmed', { username: signed.account.username }),
        )
      if (!signed.fresh)
        return refuse(
          reply,
          signed,
          'delete',
          new ProviderError('sign_in_again', { action: 'delete your account' }),
        )
      await deleteAccount(db, signed.account.id)
      await recordSecurityEvent(db, request, {
        kind: 'account_deleted',
        account: signed.account.id,
      })
      return reply.type('text/html; charset=utf-8').send(
        messagePage({
          title: 'Account deleted',
          message:
            'Your account, its passkeys and every app’s access are deleted. You can remove the passkey from your device or passkey manager too: it no longer signs in anywhere.',
          // Tells a passkey manager that takes the signal that none of them signs in any more.
          body: passkeySignals({
            rpId: ceremonies.rpId,
            userHandle: signed.account.user_handle,
            credentialIds: [],
          }),
          script: accountScript,
        }),
      )
    },
  )

  /**
   * Mails a notice to the account's old address when the address changed and the old one was
   * verified (an unverified address may be anyone's: nobody is mailed about it).
   */
  function noticeAddressChanged(request: FastifyRequest, before: Account, now: string | null) {
    const old = verifiedAddress(before)
    if (old === undefined || old === now) return
    mailer.notify(ACCOUNT_MAILS.addressChanged({ issuer }, old, before.username), request.log)
  }

  /**
   * Answers a verification form with the account page and `error` by the Email field; `typed`, when
   * given, is kept in the field.
   */
  function refuseEmail(reply: FastifyReply, signed: Signed, typed?: string) {
    return (error: ProviderError) => {
      if (error.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(error.retryAfterSeconds))
      return respond(reply, error.statusCode, signed, {
        emailProblem: error.message,
        ...(typed === undefined ? {} : { form: { email: typed } }),
      })
    }
  }

  /** Answers with the account page, showing what `view` adds (a problem, the submitted form). */
  async function respond(
    reply: FastifyReply,
    status: number,
    signed: Signed,
    view: Partial<AccountPageView>,
  ) {
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(await page(signed, view))
  }

  /**
   * Answers with the account page and the refusal shown in `section`, with its status. A refusal
   * for want of a recent sign-in links to one.
   */
  function refuse(
    reply: FastifyReply,
    signed: Signed,
    section: NonNullable<AccountPageView['problem']>['section'],
    error: ProviderError,
  ) {
    return respond(reply, error.statusCode, signed, {
      problem: {
        section,
        message: error.message,
        reauthenticate: error.code === 'sign_in_again',
      },
    })
  }
}

/** A form about one passkey: its id, and the fields of the action. */
function passkeyFormSchema(
  properties: Record<string, { type: 'string'; maxLength: number }>,
  required: string[] = [],
) {
  return {
    type: 'object',
    required: ['id', ...required],
    properties: {
      id: { type: 'string', minLength: 1, maxLength: 1400 },
      ...properties,
    },
  } as const
}

/** A form with one required text field. */
function oneFieldForm(name: string, maxLength: number) {
  return {
    type: 'object',
    required: [name],
    properties: { [name]: { type: 'string', maxLength } },
  } as const
}

/** Why a passkey name is refused, or undefined when it is fine. */
function passkeyNameProblem(name: string): ProviderError | undefined {
  if (name === '') return new ProviderError('passkey_name_empty')
  if (name.length > PASSKEY_NAME_MAX_LENGTH)
    return new ProviderError('passkey_name_too_long', { maxLength: PASSKEY_NAME_MAX_LENGTH })
  if (containsControlCharacters(name)) return new ProviderError('passkey_name_characters')
  return undefined
}

function backToAccount(label = 'Go to your account'): SafeHtml {
  return html`<p><a href="/account">${label}</a></p>`
}

/** The account's address when it is verified: the one notices go to. */
function verifiedAddress(account: Account): string | undefined {
  return account.email !== null && account.email_verified_at !== null ? account.email : undefined
}

import { createHash, randomBytes } from 'node:crypto'
import { isSameOriginRequest } from '@passkey-id/runtime'
import type { RegistrationResponseJSON } from '@simplewebauthn/server'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type Provider from 'oidc-provider'
import { type Account, type AccountStore, UsernameTakenError } from '../../accounts/accountStore.ts'
import type { ConsentStore } from '../../accounts/consentStore.ts'
import { deleteAccount } from '../../accounts/deleteAccount.ts'
import { PASSKEY_NAME_MAX_LENGTH, type PasskeyStore } from '../../accounts/passkeyStore.ts'
import {
  containsControlCharacters,
  type ProfileField,
  validateProfile,
} from '../../accounts/validateProfile.ts'
import { securityHeaders } from '../../http/securityHeaders.ts'
import { CeremonyError } from '../../passkeys/CeremonyError.ts'
import { finishAddPasskey } from '../../passkeys/finishAddPasskey.ts'
import type { PasskeyContext } from '../../passkeys/PasskeyCeremonies.ts'
import { startAddPasskey } from '../../passkeys/startAddPasskey.ts'
import { ACCOUNT_PAGE_CALLBACK_PATH } from '../../protocol/clients/accountPageClient.ts'
import { ROUTES } from '../../protocol/createOidcProvider.ts'
import type { ProviderDatabase } from '../../store/schema.ts'
import { ceremonyErrorHandler } from '../ceremonyErrorHandler.ts'
import { html, type SafeHtml } from '../html.ts'
import { messagePage } from '../messagePage.ts'
import { registrationResponseSchema } from '../schemas.ts'
import { type AccountPageView, accountPage } from './accountPage.ts'

/** What the account page is built from. */
export interface AccountRoutesOptions {
  oidc: Provider
  db: Kysely<ProviderDatabase>
  accounts: AccountStore
  passkeys: PasskeyStore
  consents: ConsentStore
  ceremonies: PasskeyContext
}

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
  const { oidc, db, accounts, passkeys, consents, ceremonies } = options
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
    const [list, apps] = await Promise.all([
      passkeys.list(signed.account.id),
      consents.list(signed.account.id),
    ])
    return accountPage({
      account: signed.account,
      passkeys: list,
      apps,
      issuer,
      fresh: signed.fresh,
      ...view,
    })
  }

  app.addHook('onRequest', async (request, reply) => {
    reply.headers(headers).header('cache-control', 'no-store')
    if (request.method === 'POST' && !isSameOriginRequest(request, issuer)) {
      throw new CeremonyError(
        403,
        'cross_site_request',
        'This request did not come from your account page. Open the account page and try again.',
      )
    }
  })

  app.setErrorHandler(ceremonyErrorHandler({ title: 'Your account', body: backToAccount() }))

  /** Loads the signed-in person for a POST, or refuses it: the page they came from is stale. */
  async function requireSignedIn(request: FastifyRequest, reply: FastifyReply): Promise<Signed> {
    const signed = await signedIn(request, reply)
    if (signed === undefined)
      throw new CeremonyError(
        401,
        'signed_out',
        'You are signed out, so nothing was changed. Open the account page, sign in, and try again.',
      )
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

  // The account page is an app of its own provider. Its code is never redeemed: the sign-in session
  // is what it needs, and oidc-provider sets that before redirecting. The PKCE verifier is thrown
  // away, so the code cannot be redeemed by anyone else either.
  app.get<{ Querystring: { confirm?: string } }>('/account/sign-in', async (request, reply) => {
    const authorize = new URL(ROUTES.authorization, issuer)
    authorize.search = new URLSearchParams({
      client_id: issuer,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: `${issuer}${ACCOUNT_PAGE_CALLBACK_PATH}`,
      code_challenge: createHash('sha256').update(randomBytes(32)).digest('base64url'),
      code_challenge_method: 'S256',
      ...(request.query.confirm === undefined ? {} : { prompt: 'login' }),
    }).toString()
    return reply.redirect(authorize.href, 303)
  })

  app.get<{ Querystring: { error?: string } }>(
    ACCOUNT_PAGE_CALLBACK_PATH,
    async (request, reply) => {
      if (request.query.error === undefined) return reply.redirect('/account', 303)
      return reply
        .code(400)
        .type('text/html; charset=utf-8')
        .send(
          messagePage({
            title: 'Not signed in',
            message: 'Signing in to your account did not complete. Try again.',
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
        await accounts.updateProfile(signed.account.id, validation.profile)
      } catch (error) {
        if (!(error instanceof UsernameTakenError)) throw error
        const username = `The username "${validation.profile.username}" is taken. Choose another one.`
        return respond(reply, 409, signed, { form: shown, errors: { username } })
      }
      return done(reply, 'profile', 'profile')
    },
  )

  app.post('/account/passkeys/options', async (request, reply) => {
    const signed = await requireSignedIn(request, reply)
    // A stolen session must not become lasting access through a passkey of the thief's.
    if (!signed.fresh)
      throw new CeremonyError(
        403,
        'sign_in_again',
        'To add a passkey, confirm it is you first: use "Sign in again" above the list, then add it.',
      )
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
      await finishAddPasskey(
        { ...ceremonies, passkeys },
        signed.sessionId,
        signed.account.id,
        request.body,
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
      if (problem !== undefined)
        return refuse(reply, signed, 400, { section: 'passkeys', message: problem })
      if (!(await passkeys.rename(signed.account.id, request.body.id, name)))
        return refuse(reply, signed, 404, noSuchPasskey())
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
        return refuse(reply, signed, 403, confirmFirst('passkeys', 'remove a passkey'))
      const removal = await passkeys.remove(signed.account.id, id, {
        evenTheLast: request.body.confirm_last === 'yes',
      })
      if (removal === 'last') {
        return respond(reply, 409, signed, {
          confirmLastPasskey: id,
          problem: {
            section: 'passkeys',
            message:
              'This is your only passkey, so it was not removed. Tick the box to confirm that the account becomes unreachable, or add another passkey first.',
          },
        })
      }
      if (removal === 'not-found') return refuse(reply, signed, 404, noSuchPasskey())
      return done(reply, 'passkey-removed', 'passkeys')
    },
  )

  app.post<{ Body: { client_id: string } }>(
    '/account/apps/revoke',
    { schema: { body: oneFieldForm('client_id', 300) } },
    async (request, reply) => {
      const signed = await requireSignedIn(request, reply)
      const clientId = request.body.client_id
      if (clientId === issuer || !(await consents.revoke(signed.account.id, clientId)))
        return refuse(reply, signed, 404, {
          section: 'apps',
          message: 'That app has no access to your account (it may have been revoked already).',
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
        return refuse(reply, signed, 400, {
          section: 'delete',
          message: `Nothing was deleted: type your username, ${signed.account.username}, exactly as shown to confirm.`,
        })
      if (!signed.fresh)
        return refuse(reply, signed, 403, confirmFirst('delete', 'delete your account'))
      await deleteAccount(db, signed.account.id)
      return reply.type('text/html; charset=utf-8').send(
        messagePage({
          title: 'Account deleted',
          message:
            'Your account, its passkeys and every app’s access are deleted. You can remove the passkey from your device or passkey manager too: it no longer signs in anywhere.',
        }),
      )
    },
  )

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

  /** Answers with the account page and `problem` shown in its section. */
  function refuse(
    reply: FastifyReply,
    signed: Signed,
    status: number,
    problem: NonNullable<AccountPageView['problem']>,
  ) {
    return respond(reply, status, signed, { problem })
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
function passkeyNameProblem(name: string): string | undefined {
  if (name === '') return 'Give the passkey a name, such as the device it is on.'
  if (name.length > PASSKEY_NAME_MAX_LENGTH)
    return `Shorten the passkey's name to at most ${PASSKEY_NAME_MAX_LENGTH} characters.`
  if (containsControlCharacters(name))
    return 'Use only letters, digits, spaces and punctuation in the name.'
  return undefined
}

function noSuchPasskey(): NonNullable<AccountPageView['problem']> {
  return {
    section: 'passkeys',
    message:
      'Your account has no such passkey (it may have been removed already). Nothing was changed.',
  }
}

/** The problem of an action that needs a recent sign-in, with the link to one. */
function confirmFirst(
  section: 'passkeys' | 'delete',
  action: string,
): NonNullable<AccountPageView['problem']> {
  return {
    section,
    message: `Nothing was changed: to ${action}, confirm it is you by signing in again, then repeat it.`,
    reauthenticate: true,
  }
}

function backToAccount(label = 'Go to your account'): SafeHtml {
  return html`<p><a href="/account">${label}</a></p>`
}

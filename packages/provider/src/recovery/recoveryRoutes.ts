import { isSameOriginRequest } from '@passkey-id/runtime'
import type { RegistrationResponseJSON } from '@simplewebauthn/server'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type Provider from 'oidc-provider'
import type { RecoveryLinks } from '../accounts/recoveryLinks.ts'
import { RECOVERY_LINK_PATH } from '../accounts/recoveryLinkUrl.ts'
import type { ProviderConfig } from '../config.ts'
import { ProviderError } from '../errors/ProviderError.ts'
import { recordSecurityEvent } from '../events/recordSecurityEvent.ts'
import { clientKey } from '../limits/clientKey.ts'
import type { Limiter } from '../limits/createLimiter.ts'
import { ACCOUNT_MAILS } from '../mail/accountMails.ts'
import type { Mailer } from '../mail/createMailer.ts'
import {
  accountPageAuthorizationUrl,
  isAccountPageClient,
} from '../oidc/clients/accountPageClient.ts'
import { loadBrowserInteraction } from '../oidc/loadBrowserInteraction.ts'
import type { PasskeyContext } from '../passkeys/PasskeyCeremonies.ts'
import { registrationResponseSchema } from '../passkeys/requestSchemas.ts'
import { containsControlCharacters } from '../profile/validateProfile.ts'
import { errorHandler } from '../ui/errorHandler.ts'
import { html } from '../ui/html.ts'
import { messagePage } from '../ui/messagePage.ts'
import { securityHeaders } from '../ui/securityHeaders.ts'
import { wantsPage } from '../ui/wantsPage.ts'
import { finishRecovery } from './finishRecovery.ts'
import { recoveryLinkPage } from './recoveryLinkPage.ts'
import { recoveryRequestPage } from './recoveryRequestPage.ts'
import { sendRecoveryLink } from './sendRecoveryLink.ts'
import { startRecoveryPasskey } from './startRecoveryPasskey.ts'

/** What the recovery pages are built from. */
export interface RecoveryRoutesOptions {
  /** RECOVERY: `email` offers the form, `admin` only the operator's links, `off` nothing. */
  mode: ProviderConfig['recovery']
  oidc: Provider
  ceremonies: PasskeyContext
  links: RecoveryLinks
  limiter: Limiter
  /** Mails the links and the notice after a recovery (off: the form is not offered). */
  mailer: Mailer
}

/** The longest name the form takes: an email address (RFC 5321) is at most 254 characters. */
const NAME_MAX_LENGTH = 254

/** What every request for a link is answered, whether or not a link is sent. */
const SENT =
  'If an account has this username or verified email address, a recovery link is on its way to that address. It works once, for 15 minutes, and no other link is sent in that time: if you got one recently, use the newest. No message after a few minutes? Check your spam folder and the name you entered; an account without a verified email address gets no link, and its owner can ask the operator of this service.'

/** The link's errors, by what `RecoveryLinks.check` found. */
const LINK_REFUSALS = {
  unknown: 'recovery_link_unknown',
  expired: 'recovery_link_expired',
  used: 'recovery_link_used',
  void: 'recovery_link_void',
} as const

type Params = { uid: string }

/**
 * Self-service account recovery, for a person who lost every passkey (RECOVERY; docs/recovery.md
 * has the threats and the answers to them):
 *
 * - `GET /recovery`, `POST /recovery`: `Username or email`, `Send recovery link`. The answer is the
 *   same page whatever the name; the look-up and the mail happen once it is sent
 *   (`sendRecoveryLink`), so its timing says nothing either.
 * - `GET /recovery/link#<token>`: only a page with `Create a new passkey` (a mail scanner opening it
 *   spends nothing); the token stays in the fragment, out of every request line and log.
 * - `GET /recovery/sign-in`: starts the account page's sign-in (prompt=login); the page's script
 *   follows it to its interaction, in which the passkey is created:
 * - `POST /interaction/:uid/recovery/options` checks the link (not spending it) and starts the
 *   ceremony; `POST /interaction/:uid/recovery` verifies the passkey, spends the link, adds the
 *   passkey and finishes the interaction as a sign-in of the account, so oidc-provider itself makes
 *   the session: the account page opens, and apps sign in silently, with the same `sub` and consents.
 *
 * With RECOVERY=admin the form says to ask the operator (`accounts recovery-link`), whose links work
 * here; so does email recovery when mail is off. With RECOVERY=off there are no routes at all.
 */
export async function recoveryRoutes(
  app: FastifyInstance,
  options: RecoveryRoutesOptions,
): Promise<void> {
  const { mode, oidc, ceremonies, links, limiter, mailer } = options
  if (mode === 'off') return
  const issuer = ceremonies.origin
  const { db, accounts } = ceremonies
  const headers = securityHeaders({ https: issuer.startsWith('https:'), formActions: [] })
  /** Why the form is not offered: recovery is the operator's, or mail is off. */
  const noForm =
    mode === 'admin'
      ? new ProviderError('recovery_by_operator')
      : mailer.enabled
        ? undefined
        : new ProviderError('recovery_mail_off')
  // Requests whose link is still being looked up and mailed: the server waits for them on close.
  const sending = new Set<Promise<void>>()

  app.addHook('onRequest', async (request, reply) => {
    reply.headers(headers).header('cache-control', 'no-store')
    if (request.method === 'POST' && !isSameOriginRequest(request, issuer))
      throw new ProviderError('cross_site_request', { page: 'the recovery page' })
  })
  app.addHook('onClose', async () => {
    await Promise.all(sending)
  })
  app.setErrorHandler(
    errorHandler({
      title: 'Account recovery',
      body: html`<p><a href="/recovery">Ask for a new recovery link</a></p>`,
    }),
  )

  app.get('/recovery', async (_request, reply) => {
    reply.type('text/html; charset=utf-8')
    if (noForm === undefined) return recoveryRequestPage()
    return messagePage({ title: 'Lost your passkey?', message: noForm.message })
  })

  app.post<{ Body: { username?: unknown } }>(
    '/recovery',
    { bodyLimit: 4 * 1024, schema: { body: { type: 'object', maxProperties: 10 } } },
    async (request, reply) => {
      if (noForm !== undefined) throw noForm
      const typed = typeof request.body.username === 'string' ? request.body.username : ''
      const name = typed.trim()
      const problem = nameProblem(name)
      if (problem !== undefined) {
        if (!wantsPage(request.headers.accept)) throw problem
        return reply
          .code(problem.statusCode)
          .type('text/html; charset=utf-8')
          .send(
            recoveryRequestPage({
              typed: typed.slice(0, NAME_MAX_LENGTH),
              problem: problem.message,
            }),
          )
      }
      await limiter.take('recoveryRequests', clientKey(request))
      // Only once the answer has gone: nothing about the account can change what or when it is.
      reply.raw.once('finish', () => {
        const work = sendRecoveryLink(
          { db, accounts, links, limiter, mailer, issuer },
          request,
          name,
        )
        sending.add(work)
        void work.finally(() => sending.delete(work))
      })
      if (!wantsPage(request.headers.accept)) return { message: SENT }
      return reply.type('text/html; charset=utf-8').send(
        messagePage({
          title: 'Check your email',
          message: SENT,
          body: html`<p><a href="/account">Back to signing in</a></p>`,
        }),
      )
    },
  )

  app.get(RECOVERY_LINK_PATH, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(recoveryLinkPage()),
  )

  app.get('/recovery/sign-in', async (_request, reply) =>
    reply.redirect(accountPageAuthorizationUrl(issuer, { confirm: true }), 303),
  )

  /**
   * The interaction of this browser for the account page's sign-in, at its login prompt and not
   * signed in yet: the one a recovery may finish.
   */
  async function loadInteraction(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) {
    const interaction = await loadBrowserInteraction(oidc, request, reply, request.params.uid)
    if (
      interaction.prompt.name !== 'login' ||
      !isAccountPageClient(String(interaction.params.client_id), issuer)
    )
      throw new ProviderError('recovery_not_here')
    if (interaction.result?.login !== undefined) throw new ProviderError('out_of_order')
    return interaction
  }

  /**
   * The account of a link that works, or the refusal, counted against the address
   * (`failedRecoveryLinks`): stale links and guesses alike. A disabled account gets nothing.
   */
  async function usableLink(request: FastifyRequest, token: string) {
    const checked = await links.check(token)
    if (checked.outcome !== 'valid') {
      await limiter.count('failedRecoveryLinks', clientKey(request))
      throw new ProviderError(LINK_REFUSALS[checked.outcome])
    }
    const account = await accounts.findById(checked.accountId)
    if (account === undefined) throw new ProviderError('recovery_link_unknown')
    if (account.disabled_at !== null) throw new ProviderError('account_disabled')
    return account
  }

  /** Runs `step` under the `failedRecoveryLinks` limit of the request's address. */
  async function limited<T>(request: FastifyRequest, step: () => Promise<T>): Promise<T> {
    const end = limiter.begin('failedRecoveryLinks', clientKey(request))
    try {
      return await step()
    } finally {
      end()
    }
  }

  app.post<{ Params: Params; Body: { token: string } }>(
    '/interaction/:uid/recovery/options',
    { schema: { body: tokenForm({}) } },
    (request, reply) =>
      limited(request, async () => {
        const interaction = await loadInteraction(request, reply)
        const account = await usableLink(request, request.body.token)
        return startRecoveryPasskey(ceremonies, interaction.uid, account)
      }),
  )

  app.post<{ Params: Params; Body: { token: string; response: RegistrationResponseJSON } }>(
    '/interaction/:uid/recovery',
    { schema: { body: tokenForm({ response: registrationResponseSchema }) } },
    (request, reply) =>
      limited(request, async () => {
        const interaction = await loadInteraction(request, reply)
        const { token, response } = request.body
        const account = await usableLink(request, token)
        await finishRecovery(
          { ...ceremonies, links },
          interaction.uid,
          { token, accountId: account.id },
          response,
        )
        await recordSecurityEvent(db, request, {
          kind: 'account_recovered',
          account: account.id,
        })
        if (account.email !== null && account.email_verified_at !== null)
          mailer.notify(
            ACCOUNT_MAILS.recovered({ issuer }, account.email, account.username),
            request.log,
          )
        const redirectTo = await oidc.interactionResult(
          request.raw,
          reply.raw,
          { login: { accountId: account.id } },
          { mergeWithLastSubmission: false },
        )
        return { redirectTo }
      }),
  )
}

/** Why the name typed in the form cannot be looked up, or undefined when it can. */
function nameProblem(name: string): ProviderError | undefined {
  if (name === '') return new ProviderError('recovery_name_missing')
  // PostgreSQL refuses a NUL in any parameter; no username or address holds a control character.
  if (name.length > NAME_MAX_LENGTH || containsControlCharacters(name))
    return new ProviderError('recovery_name_invalid')
  return undefined
}

/** A JSON body with the link's token and `properties`, all required, nothing else. */
function tokenForm(properties: Record<string, object>) {
  return {
    type: 'object',
    required: ['token', ...Object.keys(properties)],
    additionalProperties: false,
    properties: { token: { type: 'string', maxLength: 100 }, ...properties },
  } as const
}

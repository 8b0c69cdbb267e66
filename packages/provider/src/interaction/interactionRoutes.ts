import { isSameOriginRequest } from '@passkey-id/runtime'
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type Provider from 'oidc-provider'
import type { AccountStore } from '../accounts/accountStore.ts'
import { ProviderError } from '../errors/ProviderError.ts'
import { recordSecurityEvent } from '../events/recordSecurityEvent.ts'
import { isAccountPageClient } from '../oidc/clients/accountPageClient.ts'
import { approveConsent } from '../oidc/consent/approveConsent.ts'
import { NEW_REDIRECT_URI } from '../oidc/consent/approvedRedirectCheck.ts'
import type { ConsentStore } from '../oidc/consent/consentStore.ts'
import { type BrowserInteraction, loadBrowserInteraction } from '../oidc/loadBrowserInteraction.ts'
import { isScope } from '../oidc/scopes.ts'
import { finishSignIn } from '../passkeys/finishSignIn.ts'
import { finishSignUp } from '../passkeys/finishSignUp.ts'
import type { PasskeyContext } from '../passkeys/PasskeyCeremonies.ts'
import { pageSignInOptions } from '../passkeys/pageSignInOptions.ts'
import {
  authenticationResponseSchema,
  registrationResponseSchema,
  signUpFormSchema,
} from '../passkeys/requestSchemas.ts'
import { startSignIn } from '../passkeys/startSignIn.ts'
import { startSignUp } from '../passkeys/startSignUp.ts'
import { hasSignedUp } from '../store/ceremonySlot.ts'
import { errorHandler } from '../ui/errorHandler.ts'
import { securityHeaders } from '../ui/securityHeaders.ts'
import type { EmailCodeSteps } from '../verification/emailCodeSteps.ts'
import { consentPage } from './consentPage.ts'
import { recordFailedSignIn } from './recordFailedSignIn.ts'
import { saveInteractionResult } from './saveInteractionResult.ts'
import { signInPage } from './signInPage.ts'

type Interaction = BrowserInteraction
type Params = { uid: string }

/** What the interaction pages are built from. */
export interface InteractionRoutesOptions {
  oidc: Provider
  passkeys: PasskeyContext
  accounts: AccountStore
  consents: ConsentStore
  /** SIGNUPS: whether new accounts may be created here. */
  signUps: 'open' | 'closed'
  /** RECOVERY: whether the sign-in page links to `/recovery` (not when `off`). */
  recovery: 'email' | 'admin' | 'off'
  /** Whether mail is on: a sign-up with an address is then offered to verify it. */
  mailEnabled: boolean
  /** Email verification's steps, shared with the account page. */
  codeSteps: EmailCodeSteps
}

/**
 * The pages oidc-provider sends a person to when it needs them: sign in or sign up with a passkey
 * (`login` prompt), then allow or deny the app (`consent` prompt). Each step checks that it belongs
 * to this browser's interaction and comes in order; passkey steps speak JSON to the page's script.
 */
export async function interactionRoutes(
  app: FastifyInstance,
  options: InteractionRoutesOptions,
): Promise<void> {
  const { oidc, passkeys, accounts, consents, signUps, recovery, mailEnabled, codeSteps } = options
  const https = passkeys.origin.startsWith('https:')

  /** The interaction of this browser (its cookie), which must be the one in the URL and at `prompt`. */
  async function loadInteraction(
    request: FastifyRequest<{ Params: Params }>,
    reply: FastifyReply,
    prompt: 'login' | 'consent' | undefined,
  ) {
    const interaction = await loadBrowserInteraction(oidc, request, reply, request.params.uid)
    if (prompt !== undefined && interaction.prompt.name !== prompt)
      throw new ProviderError('out_of_order')
    return interaction
  }

  async function finishLogin(
    request: FastifyRequest,
    interaction: Interaction,
    accountId: string,
    kind: 'sign_in' | 'sign_up',
  ) {
    const redirectTo = await saveInteractionResult(
      interaction,
      { login: { accountId } },
      { mergeWithLastSubmission: false },
    )
    const clientId = String(interaction.params.client_id)
    await recordSecurityEvent(passkeys.db, request, { kind, account: accountId, clientId })
    return { redirectTo }
  }

  app.setErrorHandler(errorHandler({ title: 'Sign-in interrupted' }))

  /**
   * Loads the interaction for a new passkey ceremony: none starts once it has signed someone up or in
   * (the browser resumes at returnTo), so one interaction creates at most one account. A replayed
   * answer meets its taken challenge instead (`stale_challenge`).
   */
  async function loadForNewCeremony(
    request: FastifyRequest<{ Params: Params }>,
    reply: FastifyReply,
  ) {
    const interaction = await loadInteraction(request, reply, 'login')
    if (interaction.result?.login !== undefined) throw new ProviderError('out_of_order')
    return interaction
  }

  /**
   * Loads the interaction of the step after a sign-up, and the account it created: the interaction
   * must have created an account (`claimSignUp`), not signed one in, and not have resumed yet
   * (oidc-provider deletes it then, and `interaction_expired` answers). The login it recorded names
   * that account, since no ceremony starts in the interaction after it.
   */
  async function loadNewAccount(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) {
    const interaction = await loadInteraction(request, reply, 'login')
    const accountId = interaction.result?.login?.accountId
    if (accountId === undefined || !(await hasSignedUp(passkeys.db, interaction.uid)))
      throw new ProviderError('not_a_new_account')
    const account = await signedInAccount(accountId)
    if (account.email === null) throw new ProviderError('no_address_to_verify')
    return { account, email: account.email, clientId: String(interaction.params.client_id) }
  }

  /**
   * The account an interaction signed in, unless the operator deleted or disabled it since: a step
   * after the sign-in (the address's code, consent) then does nothing for it.
   */
  async function signedInAccount(accountId: string) {
    const account = await accounts.findById(accountId)
    if (account === undefined) throw new ProviderError('account_deleted')
    if (account.disabled_at !== null) throw new ProviderError('account_disabled')
    return account
  }

  /** SIGNUPS=closed: a sign-up step is refused before its body is read. */
  async function refuseWhenSignUpsClosed() {
    if (signUps === 'closed') throw new ProviderError('sign_ups_closed')
  }

  // Every POST here changes the sign-in: one from another site is refused before its body is read.
  app.addHook('onRequest', async (request) => {
    if (request.method === 'POST' && !isSameOriginRequest(request, passkeys.origin))
      throw new ProviderError('cross_site_request', { page: 'the sign-in page' })
  })

  app.get<{ Params: Params }>('/interaction/:uid', async (request, reply) => {
    const interaction = await loadInteraction(request, reply, undefined)
    const clientId = String(interaction.params.client_id)
    const redirectOrigin = new URL(String(interaction.params.redirect_uri)).origin
    reply
      .headers(securityHeaders({ https, formActions: [redirectOrigin] }))
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
    if (interaction.prompt.name === 'login')
      return signInPage({
        interactionUid: interaction.uid,
        // The page carries its sign-in's options, so that neither its autofill request nor its
        // button asks for them first; none once the interaction has signed someone up or in.
        signInOptions:
          interaction.result?.login === undefined
            ? await pageSignInOptions(passkeys, interaction.uid)
            : undefined,
        clientId,
        forAccountPage: isAccountPageClient(clientId, passkeys.origin),
        signUps,
        recovery,
        mailEnabled,
      })
    const account = await signedInAccount(String(interaction.session?.accountId))
    const scopes = String(interaction.params.scope ?? '')
      .split(' ')
      .filter(isScope)
    return consentPage({
      interactionUid: interaction.uid,
      clientId,
      issuer: passkeys.origin,
      account,
      scopes: [...new Set(scopes)],
      redirectUri: String(interaction.params.redirect_uri),
      onlyNewDestination: interaction.prompt.reasons.every((reason) => reason === NEW_REDIRECT_URI),
    })
  })

  app.post<{ Params: Params }>('/interaction/:uid/sign-in/options', async (request, reply) => {
    const interaction = await loadForNewCeremony(request, reply)
    return startSignIn(passkeys, interaction.uid)
  })

  app.post<{ Params: Params; Body: AuthenticationResponseJSON }>(
    '/interaction/:uid/sign-in',
    { schema: { body: authenticationResponseSchema } },
    async (request, reply) => {
      const interaction = await loadInteraction(request, reply, 'login')
      const attempt = {
        credentialId: request.body.id,
        clientId: String(interaction.params.client_id),
      }
      const { accountId } = await finishSignIn(passkeys, interaction.uid, request.body).catch(
        (error: unknown) => recordFailedSignIn(passkeys, request, attempt, error),
      )
      return finishLogin(request, interaction, accountId, 'sign_in')
    },
  )

  app.post<{ Params: Params; Body: { username?: string; email?: string } }>(
    '/interaction/:uid/sign-up/options',
    { schema: { body: signUpFormSchema }, onRequest: refuseWhenSignUpsClosed },
    async (request, reply) => {
      const interaction = await loadForNewCeremony(request, reply)
      return startSignUp(passkeys, interaction.uid, request.body)
    },
  )

  app.post<{ Params: Params; Body: RegistrationResponseJSON }>(
    '/interaction/:uid/sign-up',
    { schema: { body: registrationResponseSchema }, onRequest: refuseWhenSignUpsClosed },
    async (request, reply) => {
      const interaction = await loadInteraction(request, reply, 'login')
      const account = await finishSignUp(passkeys, interaction.uid, request.body)
      const finished = await finishLogin(request, interaction, account.id, 'sign_up')
      // The page then offers to verify the address before it resumes (nothing is mailed yet).
      return mailEnabled && account.email !== null
        ? { ...finished, emailToVerify: account.email }
        : finished
    },
  )

  // The step after a sign-up with an address: `Send verification code` mails the code to the address
  // the account was created with (only when pressed: a sign-up form must not mail any address typed
  // on its own), and `Verify` checks it, as on the account page.
  app.post<{ Params: Params }>(
    '/interaction/:uid/email/send-code',
    { bodyLimit: 1024 },
    async (request, reply) => {
      const { account, email, clientId } = await loadNewAccount(request, reply)
      await codeSteps.send(request, account, email, clientId)
      return { sent: true, email }
    },
  )

  app.post<{ Params: Params; Body: { code: string } }>(
    '/interaction/:uid/email/verify',
    {
      bodyLimit: 1024,
      schema: {
        body: {
          type: 'object',
          required: ['code'],
          properties: { code: { type: 'string', maxLength: 100 } },
        },
      },
    },
    async (request, reply) => {
      const { account, clientId } = await loadNewAccount(request, reply)
      await codeSteps.verify(request, account, request.body.code, clientId)
      return { verified: true }
    },
  )

  app.post<{ Params: Params; Body: { decision: 'allow' | 'deny' } }>(
    '/interaction/:uid/consent',
    {
      schema: {
        body: {
          type: 'object',
          required: ['decision'],
          properties: { decision: { enum: ['allow', 'deny'] } },
        },
      },
    },
    async (request, reply) => {
      const interaction = await loadInteraction(request, reply, 'consent')
      await signedInAccount(String(interaction.session?.accountId))
      const declined = request.body.decision === 'deny' && new ProviderError('access_denied')
      const result = declined
        ? { error: declined.error, error_description: declined.appMessage }
        : { consent: { grantId: await approveConsent(oidc, consents, interaction) } }
      const redirectTo = await saveInteractionResult(interaction, result, {
        mergeWithLastSubmission: true,
      })
      if (!declined)
        await recordSecurityEvent(passkeys.db, request, {
          kind: 'app_allowed',
          account: String(interaction.session?.accountId),
          clientId: String(interaction.params.client_id),
        })
      return reply.redirect(redirectTo, 303)
    },
  )
}

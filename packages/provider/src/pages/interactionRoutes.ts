import { isSameOriginRequest } from '@passkey-id/runtime'
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type Provider from 'oidc-provider'
import type { AccountStore } from '../accounts/accountStore.ts'
import type { ConsentStore } from '../accounts/consentStore.ts'
import { securityHeaders } from '../http/securityHeaders.ts'
import { CeremonyError } from '../passkeys/CeremonyError.ts'
import { finishSignIn } from '../passkeys/finishSignIn.ts'
import { finishSignUp } from '../passkeys/finishSignUp.ts'
import type { PasskeyContext } from '../passkeys/PasskeyCeremonies.ts'
import { startSignIn } from '../passkeys/startSignIn.ts'
import { startSignUp } from '../passkeys/startSignUp.ts'
import { isScope } from '../protocol/scopes.ts'
import { ceremonyErrorHandler } from './ceremonyErrorHandler.ts'
import { consentPage } from './consentPage.ts'
import {
  authenticationResponseSchema,
  registrationResponseSchema,
  signUpFormSchema,
} from './schemas.ts'
import { signInPage } from './signInPage.ts'

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>
type Params = { uid: string }

/** What the interaction pages are built from. */
export interface InteractionRoutesOptions {
  oidc: Provider
  passkeys: PasskeyContext
  accounts: AccountStore
  consents: ConsentStore
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
  const { oidc, passkeys, accounts, consents } = options
  const https = passkeys.origin.startsWith('https:')

  /** The interaction of this browser (its cookie), which must be the one in the URL and at `prompt`. */
  async function loadInteraction(
    request: FastifyRequest<{ Params: Params }>,
    reply: FastifyReply,
    prompt: 'login' | 'consent' | undefined,
  ) {
    let interaction: Interaction
    try {
      interaction = await oidc.interactionDetails(request.raw, reply.raw)
    } catch {
      throw new CeremonyError(
        400,
        'interaction_expired',
        'This sign-in has expired or was started in another browser. Go back to the app and start signing in again.',
      )
    }
    if (interaction.uid !== request.params.uid) {
      throw new CeremonyError(
        400,
        'interaction_mismatch',
        'This page belongs to another sign-in. Go back to the app and start signing in again.',
      )
    }
    if (prompt !== undefined && interaction.prompt.name !== prompt) {
      throw new CeremonyError(
        409,
        'out_of_order',
        'This step of the sign-in is already done. Reload the page to continue.',
      )
    }
    return interaction
  }

  function assertSameOrigin(request: FastifyRequest): void {
    if (!isSameOriginRequest(request, passkeys.origin)) {
      throw new CeremonyError(
        403,
        'cross_site_request',
        'This request did not come from the sign-in page. Reload the page and try again.',
      )
    }
  }

  async function finishLogin(request: FastifyRequest, reply: FastifyReply, accountId: string) {
    const redirectTo = await oidc.interactionResult(
      request.raw,
      reply.raw,
      { login: { accountId } },
      { mergeWithLastSubmission: false },
    )
    return { redirectTo }
  }

  app.setErrorHandler(ceremonyErrorHandler({ title: 'Sign-in interrupted' }))

  // Every POST here changes the sign-in: one from another site is refused before its body is read.
  app.addHook('onRequest', async (request) => {
    if (request.method === 'POST') assertSameOrigin(request)
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
        clientId,
        forAccountPage: clientId === passkeys.origin,
      })
    const account = await accounts.findById(String(interaction.session?.accountId))
    if (account === undefined)
      throw new CeremonyError(
        400,
        'interaction_expired',
        'The account of this sign-in no longer exists. Go back to the app and sign in again.',
      )
    const scopes = String(interaction.params.scope ?? '')
      .split(' ')
      .filter(isScope)
    return consentPage({
      interactionUid: interaction.uid,
      clientId,
      issuer: passkeys.origin,
      account,
      scopes: [...new Set(scopes)],
    })
  })

  app.post<{ Params: Params }>('/interaction/:uid/sign-in/options', async (request, reply) => {
    const interaction = await loadInteraction(request, reply, 'login')
    return startSignIn(passkeys, interaction.uid)
  })

  app.post<{ Params: Params; Body: AuthenticationResponseJSON }>(
    '/interaction/:uid/sign-in',
    { schema: { body: authenticationResponseSchema } },
    async (request, reply) => {
      const interaction = await loadInteraction(request, reply, 'login')
      const { accountId } = await finishSignIn(passkeys, interaction.uid, request.body)
      return finishLogin(request, reply, accountId)
    },
  )

  app.post<{ Params: Params; Body: { username?: string; email?: string } }>(
    '/interaction/:uid/sign-up/options',
    { schema: { body: signUpFormSchema } },
    async (request, reply) => {
      const interaction = await loadInteraction(request, reply, 'login')
      return startSignUp(passkeys, interaction.uid, request.body)
    },
  )

  app.post<{ Params: Params; Body: RegistrationResponseJSON }>(
    '/interaction/:uid/sign-up',
    { schema: { body: registrationResponseSchema } },
    async (request, reply) => {
      const interaction = await loadInteraction(request, reply, 'login')
      const account = await finishSignUp(passkeys, interaction.uid, request.body)
      return finishLogin(request, reply, account.id)
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
      const result =
        request.body.decision === 'deny'
          ? {
              error: 'access_denied',
              error_description: 'The person declined to sign in to this app.',
            }
          : { consent: { grantId: await approve(interaction) } }
      const redirectTo = await oidc.interactionResult(request.raw, reply.raw, result, {
        mergeWithLastSubmission: true,
      })
      return reply.redirect(redirectTo, 303)
    },
  )

  /** Grants what the consent prompt found missing, and remembers it for this account and app. */
  async function approve(interaction: Interaction): Promise<string> {
    const accountId = String(interaction.session?.accountId)
    const clientId = String(interaction.params.client_id)
    const grant =
      interaction.grantId === undefined
        ? new oidc.Grant({ accountId, clientId })
        : await oidc.Grant.find(interaction.grantId)
    if (grant === undefined)
      throw new CeremonyError(
        400,
        'interaction_expired',
        'This sign-in has expired. Go back to the app and sign in again.',
      )
    const details = interaction.prompt.details as {
      missingOIDCScope?: string[]
      missingOIDCClaims?: string[]
    }
    if (details.missingOIDCScope !== undefined)
      grant.addOIDCScope(details.missingOIDCScope.join(' '))
    if (details.missingOIDCClaims !== undefined) grant.addOIDCClaims(details.missingOIDCClaims)
    const grantId = await grant.save()
    await consents.remember(accountId, clientId, grant.getOIDCScope().split(' ').filter(isScope))
    return grantId
  }
}

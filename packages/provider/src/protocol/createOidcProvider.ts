import type { JWK } from 'jose'
import type { Kysely } from 'kysely'
import Provider, { type Configuration } from 'oidc-provider'
import type { AccountStore } from '../accounts/accountStore.ts'
import type { ConsentStore } from '../accounts/consentStore.ts'
import type { LegacyFlows, Lifetimes } from '../config.ts'
import { securityHeaders } from '../http/securityHeaders.ts'
import { html, trustedHtml } from '../pages/html.ts'
import { messagePage } from '../pages/messagePage.ts'
import { OidcRecordAdapter } from '../store/OidcRecordAdapter.ts'
import type { ProviderDatabase } from '../store/schema.ts'
import { accountClaims } from './accountClaims.ts'
import { accountPageRequests } from './clients/accountPageClient.ts'
import { appClientAdapter } from './clients/appClientAdapter.ts'
import { isLoopbackApp, isOnAppOrigin } from './clients/appOrigin.ts'
import { allowImplicitForLoopbackApps } from './implicit/allowImplicitForLoopbackApps.ts'
import { bareTokenRequests } from './implicit/bareTokenRequests.ts'
import { supportedResponseTypes } from './implicit/supportedResponseTypes.ts'
import { pairwiseSubject } from './pairwiseSubject.ts'
import { renderProtocolError } from './renderProtocolError.ts'
import { SCOPE_CLAIMS, SCOPES } from './scopes.ts'

/** Passwordless.ID's endpoint paths, so apps written for it only change their base URL. */
export const ROUTES = {
  authorization: '/openid/authorize',
  token: '/openid/token',
  userinfo: '/openid/userinfo',
  jwks: '/openid/jwks',
  end_session: '/openid/logout',
  introspection: '/openid/introspect',
  revocation: '/openid/revoke',
} as const

/** What the protocol layer is built from. */
export interface OidcProviderOptions {
  issuer: string
  db: Kysely<ProviderDatabase>
  accounts: AccountStore
  consents: ConsentStore
  jwks: { keys: JWK[] }
  cookieKeys: string[]
  pairwiseSalt: string
  lifetimes: Lifetimes
  pkceOptionalForLoopback: boolean
  /** Which apps may use the implicit flows (see `LegacyFlows`). */
  legacyFlows: LegacyFlows
  trustProxy: boolean
}

/**
 * Configures oidc-provider as Passwordless.ID behaves: apps are their origins, subjects are pairwise,
 * the authorization-code flow and (per LEGACY_FLOWS) the implicit flows, consent remembered per
 * account and app, everything persisted.
 */
export function createOidcProvider(options: OidcProviderOptions): Provider {
  const { issuer, db, accounts, consents } = options
  const https = issuer.startsWith('https:')
  const responseTypes = supportedResponseTypes(options.legacyFlows)

  const configuration: Configuration = {
    adapter: (model: string) =>
      model === 'Client'
        ? appClientAdapter(responseTypes, issuer)
        : new OidcRecordAdapter(db, model),
    jwks: options.jwks as Configuration['jwks'],
    cookies: { keys: options.cookieKeys },
    routes: ROUTES,
    scopes: [...SCOPES],
    claims: Object.fromEntries(
      Object.entries(SCOPE_CLAIMS).map(([scope, claims]) => [scope, [...claims]]),
    ),
    responseTypes,
    // The placeholder redirect URI of a client (see appClientAdapter) is no destination: an app says
    // where the sign-in result goes, as OpenID Connect requires.
    allowOmittingSingleRegisteredRedirectUri: false,
    clientAuthMethods: ['none'],
    subjectTypes: ['pairwise'],
    clientDefaults: { subject_type: 'pairwise', id_token_signed_response_alg: 'RS256' },
    // Apps are not registered, so none can ask for another algorithm: discovery lists the one used.
    // (The ES256 key is published and rotated with it, for verifiers that pin EC keys later.)
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
    pairwiseIdentifier: async (_ctx, accountId, client) =>
      pairwiseSubject(accountId, client.clientId, options.pairwiseSalt),
    pkce: {
      required: (_ctx, client) =>
        !(options.pkceOptionalForLoopback && isLoopbackApp(client.clientId)),
    },
    findAccount: async (_ctx, accountId) => {
      const account = await accounts.findById(accountId)
      if (account === undefined) return undefined
      return { accountId, claims: () => accountClaims(account, issuer) as { sub: string } }
    },
    // Remembered consent: an account's approval for an app holds in any browser, after a restart and
    // after a sign-out, not only within the session that gave it (oidc-provider's default).
    loadExistingGrant: async (ctx) => {
      const { Grant } = ctx.oidc.provider
      const clientId = ctx.oidc.client?.clientId
      const accountId = ctx.oidc.session?.accountId
      if (clientId === undefined || accountId === undefined) return undefined
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(clientId)
      const existing = grantId === undefined ? undefined : await Grant.find(grantId)
      // The account page signs in as an app whose client_id is the issuer itself (and only with the
      // exact request of accountPageRequests): the person is on their own provider, so there is
      // nothing to consent to beyond knowing who they are. Any other app needs a remembered
      // consent, even when the session still names a grant: without one, the person revoked the
      // app (perhaps while this sign-in was under way).
      const remembered =
        clientId === issuer ? ['openid'] : await consents.scopesFor(accountId, clientId)
      if (remembered.length === 0) return undefined
      const grant = existing ?? new Grant({ accountId, clientId })
      const missing = remembered.filter((scope) => !grant.getOIDCScope().split(' ').includes(scope))
      if (missing.length > 0) {
        grant.addOIDCScope(missing.join(' '))
        await grant.save()
      }
      return grant
    },
    clientBasedCORS: (_ctx, origin, client) => isOnAppOrigin(origin, client.clientId),
    renderError: async (ctx, out) => renderProtocolError(ctx, out),
    features: {
      devInteractions: { enabled: false },
      introspection: {
        enabled: true,
        // A public client (no secret) may introspect only the tokens issued to it.
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      revocation: {
        enabled: true,
        // A public client (no secret) may revoke only the tokens issued to it (RFC 7009).
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      pushedAuthorizationRequests: { enabled: false },
      dPoP: { enabled: false },
      resourceIndicators: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        // oidc-provider ends the asking app's grant whichever button is pressed: the question is
        // only whether the person also leaves passkey-id (and so every other app) in this browser.
        logoutSource: async (ctx, form) => {
          const app = ctx.oidc.client?.clientId
          const fromApp = app !== undefined && app !== issuer
          ctx.type = 'html'
          ctx.body = messagePage({
            title: fromApp ? 'Signed out of the app' : 'Sign out?',
            message: fromApp
              ? `${app} signed you out. Do you also want to sign out of passkey-id in this browser? Other apps will then ask for your passkey again; apps you allowed keep that permission.`
              : 'Do you want to sign out of passkey-id in this browser? Apps will ask for your passkey again; apps you allowed keep that permission.',
            body: html`${trustedHtml(form)}<div class="decision"><button autofocus type="submit" form="op.logoutForm" value="yes" name="logout" class="primary">Sign out of passkey-id</button><button type="submit" form="op.logoutForm">Stay signed in to passkey-id</button></div>`,
          })
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html'
          ctx.body = messagePage({
            title: 'Signed out',
            message: 'You are signed out of passkey-id in this browser. You can close this page.',
          })
        },
      },
    },
    ttl: {
      AccessToken: options.lifetimes.accessToken,
      AuthorizationCode: options.lifetimes.authorizationCode,
      IdToken: options.lifetimes.idToken,
      Interaction: 30 * 60,
      Session: options.lifetimes.session,
      // A grant lives as long as the session it belongs to; remembered consent outlives both.
      Grant: options.lifetimes.session,
      BackchannelAuthenticationRequest: 600,
      ClientCredentials: 600,
      DeviceCode: 600,
      RefreshToken: 14 * 24 * 3600,
    },
  }

  const provider = new Provider(issuer, configuration)
  provider.proxy = options.trustProxy
  allowRedirectsOnAppOrigin(provider, issuer)
  allowImplicitForLoopbackApps(provider)
  // These headers come first: a form_post response adds the hash of its inline script to the
  // script-src they set, and the bare-token refusal page below is served with them.
  const headers = securityHeaders({ https })
  provider.use(async (ctx, next) => {
    ctx.set(headers)
    await next()
    // Koa's default for a path or method oidc-provider does not serve is a bare "Not Found".
    if (ctx.status === 404 && ctx.body === undefined) {
      const message = `There is no ${ctx.method} ${ctx.path} here. The provider's endpoints and their methods are listed at /.well-known/openid-configuration.`
      ctx.status = 404
      if (ctx.accepts('json', 'html') === 'html') {
        ctx.type = 'html'
        ctx.body = messagePage({ title: 'Not found', message })
      } else ctx.body = { error: 'not_found', message }
    }
  })
  provider.use(accountPageRequests({ issuer, authorizationPath: ROUTES.authorization }))
  provider.use(
    bareTokenRequests({
      authorizationPath: ROUTES.authorization,
      legacyFlows: options.legacyFlows,
    }),
  )
  return provider
}

/**
 * Replaces oidc-provider's exact-match redirect checks: a redirect (after sign-in or sign-out) may go
 * anywhere on the app's origin, loopback names counting as one host, and nowhere else. The account
 * page's client (client_id = the issuer) keeps the library's exact match against the one callback
 * its metadata registers (see appClientAdapter).
 */
function allowRedirectsOnAppOrigin(provider: Provider, issuer: string): void {
  const exactMatch = provider.Client.prototype.redirectUriAllowed
  Object.defineProperty(provider.Client.prototype, 'redirectUriAllowed', {
    value(this: InstanceType<Provider['Client']>, uri: string): boolean {
      return this.clientId === issuer
        ? exactMatch.call(this, uri)
        : isOnAppOrigin(uri, this.clientId)
    },
  })
  Object.defineProperty(provider.Client.prototype, 'postLogoutRedirectUriAllowed', {
    value(this: { clientId: string }, uri: string): boolean {
      return isOnAppOrigin(uri, this.clientId)
    },
  })
}

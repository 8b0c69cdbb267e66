import { createSecretKey } from 'node:crypto'
import type { JWK } from 'jose'
import type { Kysely } from 'kysely'
import type { Configuration } from 'oidc-provider'
import type { AccountStore } from '../accounts/accountStore.ts'
import type { LegacyFlows, Lifetimes } from '../config.ts'
import { interactionPolicy, Provider } from '../oidcProviderLibrary.ts'
import { OidcRecordAdapter } from '../store/OidcRecordAdapter.ts'
import type { ProviderDatabase } from '../store/schema.ts'
import { securityHeaders } from '../ui/securityHeaders.ts'
import { accountClaims } from './accountClaims.ts'
import { answerStoreUnavailable } from './answerStoreUnavailable.ts'
import { answerUnknownPaths } from './answerUnknownPaths.ts'
import { checkAccountPageRequest } from './checks/checkAccountPageRequest.ts'
import { checkBareTokenRequest } from './checks/checkBareTokenRequest.ts'
import { refuseOversizedParameters } from './checks/refuseOversizedParameters.ts'
import { appClientAdapter } from './clients/appClientAdapter.ts'
import { isLoopbackApp, isOnAppOrigin } from './clients/appOrigin.ts'
import { approvedRedirectCheck } from './consent/approvedRedirectCheck.ts'
import type { ConsentStore } from './consent/consentStore.ts'
import { loadRememberedGrant } from './consent/loadRememberedGrant.ts'
import { cookieSigner } from './cookieSigner.ts'
import { allowImplicitForLoopbackApps } from './flows/allowImplicitForLoopbackApps.ts'
import { allowRedirectsOnAppOrigin } from './flows/allowRedirectsOnAppOrigin.ts'
import { supportedResponseTypes } from './flows/supportedResponseTypes.ts'
import { logoutPages } from './logoutPages.ts'
import { pairwiseSubject } from './pairwiseSubject.ts'
import { renderProtocolError } from './renderProtocolError.ts'
import { routeByCanonicalPath } from './routeByCanonicalPath.ts'
import { ROUTES } from './routes.ts'
import { SCOPE_CLAIMS, SCOPES } from './scopes.ts'
import { serveAtPublicUrl } from './serveAtPublicUrl.ts'

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
  /** ALLOWED_APPS: the apps that may ask (empty: any). */
  allowedApps: readonly string[]
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
  // Imported once: an HMAC keyed with the salt's string would import it on every token request.
  const pairwiseKey = createSecretKey(Buffer.from(options.pairwiseSalt))
  const policy = interactionPolicy.base()
  policy.get('consent')?.checks.add(approvedRedirectCheck(consents))

  const configuration: Configuration = {
    adapter: (model: string) =>
      model === 'Client'
        ? appClientAdapter(responseTypes, issuer, options.allowedApps)
        : new OidcRecordAdapter(db, model),
    jwks: options.jwks as Configuration['jwks'],
    cookies: { keys: cookieSigner(options.cookieKeys) },
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
      pairwiseSubject(accountId, client.clientId, pairwiseKey),
    pkce: {
      required: (_ctx, client) =>
        !(options.pkceOptionalForLoopback && isLoopbackApp(client.clientId)),
    },
    // A deleted or disabled account is none: oidc-provider then refuses its access tokens at
    // userinfo (invalid_token), its codes at the token endpoint (invalid_grant), and asks a session
    // that names it to sign in again.
    findAccount: async (_ctx, accountId) => {
      const account = await accounts.findById(accountId)
      if (account === undefined || account.disabled_at !== null) return undefined
      return { accountId, claims: () => accountClaims(account, issuer) as { sub: string } }
    },
    loadExistingGrant: (ctx) => loadRememberedGrant(ctx, consents, issuer),
    interactions: { policy },
    clientBasedCORS: (_ctx, origin, client) => isOnAppOrigin(origin, client.clientId),
    renderError: async (ctx, out) => renderProtocolError(ctx, out, options.allowedApps),
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
        ...logoutPages(issuer),
      },
    },
    ttl: {
      AccessToken: options.lifetimes.accessToken,
      AuthorizationCode: options.lifetimes.authorizationCode,
      IdToken: options.lifetimes.idToken,
      // An unfinished sign-in is kept for minutes, a finished one (Session, Grant) for days.
      Interaction: options.lifetimes.interaction,
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
  // First: everything after it, oidc-provider included, sees the request as sent to PUBLIC_URL.
  provider.use(serveAtPublicUrl(issuer))
  // Before every check that looks at the path: each sees the endpoint the router will run.
  provider.use(routeByCanonicalPath(Object.values(ROUTES)))
  // These headers come first: a form_post response adds the hash of its inline script to the
  // script-src they set, and the bare-token refusal page below is served with them.
  const headers = securityHeaders({ https })
  provider.use(async (ctx, next) => {
    ctx.set(headers)
    await next()
  })
  provider.use(answerStoreUnavailable(provider))
  provider.use(answerUnknownPaths())
  provider.use(refuseOversizedParameters(ROUTES.authorization))
  provider.use(checkAccountPageRequest({ issuer, authorizationPath: ROUTES.authorization }))
  provider.use(
    checkBareTokenRequest({
      authorizationPath: ROUTES.authorization,
      legacyFlows: options.legacyFlows,
    }),
  )
  return provider
}

import formBody from '@fastify/formbody'
import { safeLogSerializers } from '@passkey-id/runtime'
import { getOrCreateSecret } from '@passkey-id/store'
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify'
import { createAccountStore } from './accounts/accountStore.ts'
import { createConsentStore } from './accounts/consentStore.ts'
import { createPasskeyStore } from './accounts/passkeyStore.ts'
import type { ProviderConfig } from './config.ts'
import { securityHeaders } from './http/securityHeaders.ts'
import { loadSigningKeys } from './keys/loadSigningKeys.ts'
import { accountRoutes } from './pages/account/accountRoutes.ts'
import { assetRoutes } from './pages/assetRoutes.ts'
import { interactionRoutes } from './pages/interactionRoutes.ts'
import { messagePage } from './pages/messagePage.ts'
import { createOidcProvider } from './protocol/createOidcProvider.ts'
import { mountOidcProvider } from './protocol/mountOidcProvider.ts'
import { deleteExpiredRecords } from './store/deleteExpiredRecords.ts'
import { openProviderStore } from './store/openProviderStore.ts'

/** How often expired sessions, interactions, codes and tokens are deleted. */
const CLEANUP_INTERVAL_MS = 10 * 60 * 1000

/**
 * Builds the provider: opens (and migrates) the database, loads or creates its keys and secrets, and
 * returns a Fastify server ready to `listen`. Closing the server closes the database.
 */
export async function createProviderServer(
  config: ProviderConfig,
  options: { logger?: FastifyServerOptions['logger'] } = {},
): Promise<FastifyInstance> {
  const db = await openProviderStore(config.databaseUrl)
  const [jwks, cookieKey, pairwiseSalt] = await Promise.all([
    loadSigningKeys(db, config.lifetimes.idToken),
    getOrCreateSecret(db, 'secrets', 'cookie-key-1'),
    getOrCreateSecret(db, 'secrets', 'pairwise-salt'),
  ])
  const accounts = createAccountStore(db)
  const consents = createConsentStore(db)
  const issuer = config.publicUrl
  const https = issuer.startsWith('https:')
  // The same for every response: built once, not per request.
  const headers = securityHeaders({ https })
  const oidc = createOidcProvider({
    issuer,
    db,
    accounts,
    consents,
    jwks,
    cookieKeys: [cookieKey],
    pairwiseSalt,
    lifetimes: config.lifetimes,
    pkceOptionalForLoopback: config.pkceOptionalForLoopback,
    legacyFlows: config.legacyFlows,
    trustProxy: config.trustProxy,
  })

  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel, serializers: safeLogSerializers },
    trustProxy: config.trustProxy,
    bodyLimit: 16 * 1024,
    return503OnClosing: true,
    // Addresses Fastify cannot route (a bad %-escape, an over-long path) are answered before any
    // hook runs: answer them here, with the same headers and without echoing the address back.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const status = error.statusCode === 414 ? 414 : 400
      reply
        .code(status)
        .headers(headers)
        .send({
          error: 'invalid_request',
          message: status === 414 ? 'The address is too long.' : 'The address is malformed.',
        })
    },
  })
  oidc.on('server_error', (_ctx, error) =>
    app.log.error({ err: error }, 'oidc-provider server error'),
  )

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('content-security-policy')) reply.headers(headers)
  })
  app.setErrorHandler(
    (error: Error & { statusCode?: number; validation?: unknown }, request, reply) => {
      const status =
        error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
          ? error.statusCode
          : 500
      if (status === 500) request.log.error({ err: error }, 'request failed')
      const message =
        status === 500
          ? 'Something went wrong on the server. Try again in a moment.'
          : clientErrorMessage(error, status)
      // A browser that posted a form (the consent page) shows what comes back: give it a page.
      if (wantsPage(request)) {
        const title = status === 500 ? 'Something went wrong' : 'This request cannot be handled'
        return reply
          .code(status)
          .type('text/html; charset=utf-8')
          .send(messagePage({ title, message }))
      }
      return reply
        .code(status)
        .send({ error: status === 500 ? 'server_error' : 'invalid_request', message })
    },
  )
  app.setNotFoundHandler((request, reply) => {
    const message = `There is nothing at ${request.url.split('?')[0]}.`
    if (wantsPage(request)) {
      return reply
        .code(404)
        .type('text/html; charset=utf-8')
        .send(messagePage({ title: 'Page not found', message }))
    }
    return reply.code(404).send({ error: 'not_found', message })
  })

  // Pages post JSON or forms. text/plain, which Fastify parses by default, is what a cross-site form
  // or a "simple" fetch can send without a preflight: nothing here takes it.
  app.removeContentTypeParser('text/plain')
  await app.register(formBody, { bodyLimit: 4 * 1024 })
  mountOidcProvider(app, oidc)
  await app.register(assetRoutes, { issuer })
  const ceremonies = {
    db,
    accounts,
    rpId: config.rpId,
    rpName: new URL(issuer).host,
    origin: issuer,
  }
  await app.register(interactionRoutes, { oidc, accounts, consents, passkeys: ceremonies })
  await app.register(accountRoutes, {
    oidc,
    db,
    accounts,
    consents,
    passkeys: createPasskeyStore(db),
    ceremonies,
  })

  const cleanup = setInterval(() => {
    deleteExpiredRecords(db).catch((error: unknown) =>
      app.log.warn({ err: error }, 'cleaning expired records failed'),
    )
  }, CLEANUP_INTERVAL_MS)
  cleanup.unref()
  app.addHook('onClose', async () => {
    clearInterval(cleanup)
    await db.destroy()
  })
  return app
}

/** Whether the request comes from a browser opening a page or posting a form, not from a script. */
function wantsPage(request: FastifyRequest): boolean {
  return request.headers.accept?.includes('text/html') === true
}

/** Fastify's own client-error messages, made into sentences a person can act on. */
function clientErrorMessage(
  error: Error & { validation?: unknown; code?: string },
  status: number,
): string {
  if (status === 413) return 'The request is too large.'
  if (status === 415)
    return 'The request has a content type this endpoint does not take; send JSON.'
  if (error.validation !== undefined) return `The request is malformed: ${error.message}.`
  return error.message
}

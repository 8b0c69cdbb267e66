import formBody from '@fastify/formbody'
import { safeLogSerializers } from '@passkey-id/runtime'
import { boundedFastify } from '@passkey-id/runtime/server'
import {
  createSecretBox,
  databaseKind,
  getOrCreateSecret,
  isStoreUnavailable,
} from '@passkey-id/store'
import type { FastifyInstance, FastifyReply, FastifyServerOptions } from 'fastify'
import { accountRoutes } from './account-page/accountRoutes.ts'
import { accountScript } from './account-page/accountScript.ts'
import { createAccountStore } from './accounts/accountStore.ts'
import { createEmailVerification } from './accounts/emailVerification.ts'
import { createRecoveryLinks } from './accounts/recoveryLinks.ts'
import type { ProviderConfig } from './config.ts'
import { ProviderError } from './errors/ProviderError.ts'
import { drainOnClose } from './health/drainOnClose.ts'
import { healthRoutes } from './health/healthRoutes.ts'
import { interactionRoutes } from './interaction/interactionRoutes.ts'
import { interactionScript } from './interaction/interactionScript.ts'
import { loadSigningKeys } from './keys/loadSigningKeys.ts'
import { applyRateLimits } from './limits/applyRateLimits.ts'
import { openLimiter } from './limits/openLimiter.ts'
import { recordRefusals } from './limits/recordRefusals.ts'
import { createMailer } from './mail/createMailer.ts'
import { createConsentStore } from './oidc/consent/consentStore.ts'
import { createOidcProvider } from './oidc/createOidcProvider.ts'
import { mountOidcProvider } from './oidc/mountOidcProvider.ts'
import { ROUTES } from './oidc/routes.ts'
import { passkeyProviderList } from './passkeys/passkeyProviderList.ts'
import { createPasskeyStore } from './passkeys/passkeyStore.ts'
import type { PasskeyProviderList } from './passkeys/readPasskeyProviderList.ts'
import { recoveryRoutes } from './recovery/recoveryRoutes.ts'
import { recoveryScript } from './recovery/recoveryScript.ts'
import { deleteExpiredRecords } from './store/deleteExpiredRecords.ts'
import { openProviderStore } from './store/openProviderStore.ts'
import { answerClientError } from './ui/answerClientError.ts'
import { assetRoutes } from './ui/assetRoutes.ts'
import { errorHandler } from './ui/errorHandler.ts'
import { securityHeaders } from './ui/securityHeaders.ts'
import { emailCodeSteps } from './verification/emailCodeSteps.ts'

/** How often expired sessions, interactions, codes and tokens are deleted. */
const CLEANUP_INTERVAL_MS = 10 * 60 * 1000

/**
 * Builds the provider: opens (and migrates) the database, loads or creates its keys and secrets, and
 * returns a Fastify server ready to `listen`. Closing the server closes the database.
 */
export async function createProviderServer(
  config: ProviderConfig,
  options: {
    logger?: FastifyServerOptions['logger']
    /**
     * The clock of email verification codes, recovery links and the rate limits' windows
     * (milliseconds since the epoch), for tests that move it.
     */
    now?: () => number
    /**
     * Whose icons the account page shows: by default the list shipped with the provider
     * (`passkeyProviderList`), read here so that a broken copy stops the start.
     */
    passkeyProviders?: PasskeyProviderList
  } = {},
): Promise<FastifyInstance> {
  const box = createSecretBox(config.encryptionKeys)
  // Made under the start-up lock, after the migrations: instances starting together on an empty
  // database create one set of keys and secrets, and all publish the same keys.
  let jwks!: Awaited<ReturnType<typeof loadSigningKeys>>
  let cookieKey!: string
  let pairwiseSalt!: string
  let emailCodeKey!: string
  let recoveryLinkKey!: string
  const db = await openProviderStore(config.databaseUrl, {
    poolSize: config.databasePoolSize,
    atStart: async (locked) => {
      jwks = await loadSigningKeys(locked, config.lifetimes.idToken, box)
      cookieKey = await getOrCreateSecret(locked, 'secrets', 'cookie-key-1', box)
      pairwiseSalt = await getOrCreateSecret(locked, 'secrets', 'pairwise-salt', box)
      emailCodeKey = await getOrCreateSecret(locked, 'secrets', 'email-code-key', box)
      recoveryLinkKey = await getOrCreateSecret(locked, 'secrets', 'recovery-link-key', box)
    },
  })
  const accounts = createAccountStore(db)
  const consents = createConsentStore(db)
  const mailer = createMailer(config.mail)
  const emailVerification = createEmailVerification(db, emailCodeKey, options.now)
  const recoveryLinks = createRecoveryLinks(db, recoveryLinkKey, options.now)
  const issuer = config.publicUrl
  const passkeyProviders = options.passkeyProviders ?? passkeyProviderList()
  const https = issuer.startsWith('https:')
  // The same for every response: built once, not per request.
  const headers = securityHeaders({ https })
  const answerError = errorHandler()
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
    trustProxy: config.trustProxy !== false,
    allowedApps: config.allowedApps,
  })

  const { trustProxy } = config
  // Bounded time and connections (a client that stalls mid-body is cut off within 16 s).
  const app = boundedFastify(
    {
      logger: options.logger ?? { level: config.logLevel, serializers: safeLogSerializers },
      // A hop count: the peer and the n-1 proxies before it are proxies (Fastify's own reading of a
      // number, which its types leave out).
      trustProxy: typeof trustProxy === 'number' ? (_address, hop) => hop < trustProxy : trustProxy,
      bodyLimit: 16 * 1024,
      return503OnClosing: true,
      clientErrorHandler: answerClientError(headers),
      // Addresses Fastify cannot route (a bad %-escape, an over-long path) are answered before any
      // hook runs: answer them here, with the same headers and without echoing the address back.
      frameworkErrors: (error, request, reply: FastifyReply) => {
        const code = error.statusCode === 414 ? 'address_too_long' : 'address_malformed'
        reply.headers(headers)
        return answerError(new ProviderError(code, { cause: error }), request, reply)
      },
    },
    { behindProxy: trustProxy !== false },
  )
  // A database that cannot answer is answered 503 (oidc/answerStoreUnavailable): a warning, not a bug.
  oidc.on('server_error', (_ctx, error) =>
    isStoreUnavailable(error)
      ? app.log.warn({ err: error }, 'oidc-provider request refused: database unavailable')
      : app.log.error({ err: error }, 'oidc-provider server error'),
  )
  // A database server is shared and backed up elsewhere: say once what is readable there. A SQLite
  // file, the embedded default, stays on this machine.
  if (box.keyId === undefined && databaseKind(db) === 'postgres') {
    app.log.warn(
      'secrets are stored in clear in the database (signing keys, cookie keys, the pairwise salt): to encrypt them, make a key with openssl rand -base64 32, set ENCRYPTION_KEY to it and run npm run provider -- secrets encrypt',
    )
  }

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('content-security-policy')) reply.headers(headers)
  })
  const limiter = openLimiter(config, db, app.log, options.now)
  app.setErrorHandler(answerError)
  app.setNotFoundHandler(async (request) => {
    throw new ProviderError('not_found', { path: request.url.split('?')[0] ?? '/' })
  })

  // Pages post JSON or forms. text/plain, which Fastify parses by default, is what a cross-site form
  // or a "simple" fetch can send without a preflight: nothing here takes it.
  app.removeContentTypeParser('text/plain')
  await app.register(formBody, { bodyLimit: 4 * 1024 })
  // Before the routes: the limits attach to them as they are declared.
  await applyRateLimits(app, oidc, limiter, ROUTES)
  recordRefusals(app, db)
  mountOidcProvider(app, oidc)
  await app.register(assetRoutes, {
    issuer,
    scripts: [interactionScript, accountScript, recoveryScript],
    passkeyProviders,
  })
  const ceremonies = {
    db,
    accounts,
    rpId: config.rpId,
    rpName: new URL(issuer).host,
    origin: issuer,
    passkeys: createPasskeyStore(db),
  }
  await app.register(healthRoutes, { db, keysLoaded: () => jwks.keys.length > 0 })
  drainOnClose(app)
  const codeSteps = emailCodeSteps({ db, mailer, emailVerification, limiter, issuer })
  await app.register(interactionRoutes, {
    oidc,
    accounts,
    consents,
    passkeys: ceremonies,
    signUps: config.signUps,
    recovery: config.recovery,
    mailEnabled: mailer.enabled,
    codeSteps,
  })
  await app.register(accountRoutes, {
    oidc,
    db,
    accounts,
    consents,
    ceremonies,
    limiter,
    mailer,
    emailVerification,
    codeSteps,
    passkeyProviders,
  })
  await app.register(recoveryRoutes, {
    mode: config.recovery,
    oidc,
    ceremonies,
    links: recoveryLinks,
    limiter,
    mailer,
  })

  const cleanup = setInterval(() => {
    deleteExpiredRecords(db, new Date(), config.securityEventsDays).catch((error: unknown) =>
      app.log.warn({ err: error }, 'cleaning expired records failed'),
    )
  }, CLEANUP_INTERVAL_MS)
  cleanup.unref()
  app.addHook('onClose', async () => {
    clearInterval(cleanup)
    await limiter.store.close()
    await mailer.close()
    await db.destroy()
  })
  return app
}

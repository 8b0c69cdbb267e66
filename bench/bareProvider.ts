/**
 * The yardstick for the provider's sign-ins: oidc-provider alone, the same version the provider
 * uses, on Node's http server, in a process of its own (`run.ts` starts it). It serves the same code
 * flow to the same app as the provider does, with everything the provider adds taken away:
 *
 * - the one app is a static client, and the storage is oidc-provider's in-memory adapter (but see
 *   DATABASE_URL below);
 * - the interaction page is a line of HTML, and `POST /interaction/<uid>/login` signs in a fixed
 *   account and consents to what was asked at once (no passkey, no consent lookup);
 * - RS256 ID tokens (a 2048-bit key, as the provider's) and opaque access tokens, public subjects.
 *
 * With DATABASE_URL, the storage is the provider's instead (its `oidc_records` adapter on that
 * database, migrated as the provider migrates it), so that the benchmark can tell what storage costs
 * a sign-in from what the provider adds to it.
 *
 * Env: PORT, DATABASE_URL (optional). Reports `ready` to the parent once it listens, like the
 * provider's CLI.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import { reportReady } from '@passkey-id/runtime'
import Provider from 'oidc-provider'
import { OidcRecordAdapter } from '../packages/provider/src/store/OidcRecordAdapter.ts'
import { openProviderStore } from '../packages/provider/src/store/openProviderStore.ts'
import { BENCH_APP, BENCH_REDIRECT_URI } from './benchApp.ts'

const port = Number(process.env.PORT)
const ACCOUNT = 'bench'
const INTERACTION = /^\/interaction\/([^/]+)(\/login)?$/

const DATABASE_URL = process.env.DATABASE_URL
const db = DATABASE_URL === undefined ? undefined : await openProviderStore(DATABASE_URL)

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
const provider = new Provider(`http://localhost:${port}`, {
  ...(db === undefined ? {} : { adapter: (model: string) => new OidcRecordAdapter(db, model) }),
  clients: [
    {
      client_id: BENCH_APP,
      token_endpoint_auth_method: 'none',
      redirect_uris: [BENCH_REDIRECT_URI],
      response_types: ['code'],
      grant_types: ['authorization_code'],
    },
  ],
  jwks: {
    keys: [{ ...privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig', kid: 'bench' }],
  },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  scopes: ['openid', 'avatar', 'email'],
  claims: {
    avatar: ['nickname', 'preferred_username', 'picture'],
    email: ['email', 'email_verified'],
  },
  findAccount: async (_ctx, accountId) => ({
    accountId,
    claims: () => ({
      sub: accountId,
      nickname: accountId,
      preferred_username: accountId,
      picture: `http://localhost:${port}/avatars/bench.svg`,
      email: `${accountId}@example.com`,
      email_verified: false,
    }),
  }),
  // The provider's protocol switches, so that both serve the same flow.
  features: {
    devInteractions: { enabled: false },
    pushedAuthorizationRequests: { enabled: false },
    dPoP: { enabled: false },
    resourceIndicators: { enabled: false },
  },
  // The provider's default lifetimes (and no start-up notice per missing one).
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 60,
    IdToken: 3600,
    Interaction: 30 * 60,
    Session: 14 * 24 * 3600,
    Grant: 14 * 24 * 3600,
    BackchannelAuthenticationRequest: 600,
    ClientCredentials: 600,
    DeviceCode: 600,
    RefreshToken: 14 * 24 * 3600,
  },
})

// The interaction: a page to land on, then one request that finishes login and consent together,
// answering with where the browser resumes, as the provider's passkey step does.
provider.use(async (ctx, next) => {
  const match = INTERACTION.exec(ctx.path)
  if (match === null) return next()
  const interaction = await provider.interactionDetails(ctx.req, ctx.res)
  if (ctx.method === 'GET' && match[2] === undefined) {
    ctx.type = 'html'
    ctx.body = `<!doctype html><title>Sign in</title><p>Interaction ${interaction.uid}</p>`
    return
  }
  if (ctx.method !== 'POST' || match[2] === undefined) return next()
  const grant = new provider.Grant({ accountId: ACCOUNT, clientId: BENCH_APP })
  grant.addOIDCScope(String(interaction.params.scope))
  const grantId = await grant.save()
  ctx.body = {
    redirectTo: await provider.interactionResult(
      ctx.req,
      ctx.res,
      { login: { accountId: ACCOUNT }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    ),
  }
})

const server = createServer(provider.callback())
// Fastify's default, which the provider runs with: idle connections stay open as long.
server.keepAliveTimeout = 72_000
server.listen(port, 'localhost', reportReady)
process.on('SIGTERM', () => server.close(() => process.exit(0)))

import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { preselectRouteScopes } from './preselectRouteScopes.ts'

/** The docs as the plugin serves them. */
export interface DocsSettings {
  routePrefix: string
  title: string
  version: string
  description: string | undefined
  /** Scopes preselected in the sign-in dialog. */
  scopes: string[]
}

/** The name of the OpenAPI security scheme that protected routes refer to. */
export const SECURITY_SCHEME = 'openIdConnect'

/**
 * Serves the OpenAPI document and Swagger UI: the `openIdConnect` security scheme points at the
 * issuer's discovery, and the Authorize button signs in with the authorization-code flow and PKCE,
 * `client_id` prefilled. The page runs under a strict Content-Security-Policy.
 */
export async function registerDocs(
  app: FastifyInstance,
  { issuer, clientId, docs }: { issuer: string; clientId: string; docs: DocsSettings },
): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: docs.title, version: docs.version, description: docs.description },
      components: {
        securitySchemes: {
          [SECURITY_SCHEME]: {
            type: 'openIdConnect',
            openIdConnectUrl: `${issuer}/.well-known/openid-configuration`,
          },
        },
      },
    },
  })
  await app.register(swaggerUi, {
    routePrefix: docs.routePrefix,
    // Swagger UI's top bar injects an inline <style> for its logo, which the strict CSP below refuses;
    // the base layout has everything else (the Authorize button, the operations) without it.
    uiConfig: { layout: 'BaseLayout', onComplete: preselectRouteScopes },
    initOAuth: {
      clientId,
      usePkceWithAuthorizationCodeGrant: true,
      scopes: docs.scopes.join(' '),
    },
    staticCSP: `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self' ${new URL(issuer).origin}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    uiHooks: {
      onRequest: async (_request, reply) => {
        reply.header('referrer-policy', 'no-referrer').header('x-content-type-options', 'nosniff')
      },
    },
  })
}

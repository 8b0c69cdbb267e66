import { readFile } from 'node:fs/promises'
import type { FastifyInstance } from 'fastify'
import { AVATAR_NAMES, avatarSvg, isAvatarName } from '../accounts/avatars.ts'
import { BROWSER_SCRIPTS, buildBrowserScripts } from './buildBrowserScripts.ts'
import { html } from './html.ts'
import { messagePage } from './messagePage.ts'

/**
 * The provider's static files, all served from this process: the page scripts (bundled at start),
 * the stylesheet, the avatars behind `picture`, and a front page for people who open the issuer URL.
 */
export async function assetRoutes(
  app: FastifyInstance,
  options: { issuer: string },
): Promise<void> {
  const [scripts, styles] = await Promise.all([
    buildBrowserScripts(),
    readFile(new URL('./styles.css', import.meta.url), 'utf8'),
  ])
  const avatars = new Map(AVATAR_NAMES.map((name) => [name, avatarSvg(name)]))

  for (const name of BROWSER_SCRIPTS) {
    app.get(`/assets/${name}.js`, (_request, reply) =>
      reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(scripts[name]),
    )
  }
  app.get('/assets/styles.css', (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(styles),
  )
  const icon = avatarSvg('whale')
  app.get('/assets/icon.svg', (_request, reply) =>
    reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(icon),
  )
  app.get<{ Params: { name: string } }>('/avatars/:name.svg', (request, reply) => {
    const { name } = request.params
    if (!isAvatarName(name))
      return reply
        .code(404)
        .send({ error: 'not_found', message: 'There is no avatar by that name.' })
    // Apps show avatars on their own pages, so this image (and only it) may be embedded cross-origin.
    return reply
      .type('image/svg+xml')
      .header('cache-control', 'public, max-age=86400')
      .header('cross-origin-resource-policy', 'cross-origin')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(avatars.get(name))
  })
  app.get('/', (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(
      messagePage({
        title: 'passkey-id',
        message:
          'This is a passkey sign-in service. Apps send you here to sign in. On your account page you can see and change what apps may see, manage your passkeys, and sign out.',
        body: html`<p><a href="/account">Go to your account</a></p>`,
        details: {
          issuer: options.issuer,
          discovery: `${options.issuer}/.well-known/openid-configuration`,
        },
      }),
    ),
  )
}

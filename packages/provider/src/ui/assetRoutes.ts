import { readFile } from 'node:fs/promises'
import type { FastifyInstance } from 'fastify'
import { ProviderError } from '../errors/ProviderError.ts'
import { type IconTheme, passkeyProviderIcon } from '../passkeys/passkeyProviderIcon.ts'
import type { PasskeyProviderList } from '../passkeys/readPasskeyProviderList.ts'
import { AVATAR_NAMES, avatarSvg, isAvatarName } from '../profile/avatars.ts'
import { type BrowserScript, buildBrowserScripts } from './buildBrowserScripts.ts'
import { html } from './html.ts'
import { messagePage } from './messagePage.ts'

/**
 * The policy of the SVG images other pages show (avatars, passkey icons): opened as a document, an
 * SVG could run script, and this policy and its sandbox stop it. Such a response carries its own
 * policy, which keeps the pages' headers off it, so it sets nosniff itself.
 */
const SANDBOXED_IMAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

/**
 * The provider's static files, all served from this process: the page scripts (bundled at start),
 * the stylesheet, the avatars behind `picture`, the icons of passkey providers that the account page
 * shows, and a front page for people who open the issuer URL.
 *
 * The bundling runs in esbuild's own process while the other routes are registered, and the server
 * is ready (listens, answers `inject`) only once it is done: no page is ever served without its
 * script, and a script that does not build stops the start.
 */
export async function assetRoutes(
  app: FastifyInstance,
  options: {
    issuer: string
    scripts: readonly BrowserScript[]
    /** Whose icons `/assets/passkey-icons/<aaguid>/<light|dark>` serves (default none). */
    passkeyProviders?: PasskeyProviderList
  },
): Promise<void> {
  const bundling = buildBrowserScripts(options.scripts)
  // Its failure is reported by the onReady hook below, which awaits it, not as an unhandled rejection
  // before the hook runs.
  bundling.catch(() => {})
  let scripts = new Map<string, string>()
  app.addHook('onReady', async () => {
    scripts = await bundling
  })
  const styles = await readFile(new URL('./styles.css', import.meta.url), 'utf8')
  const avatars = new Map(AVATAR_NAMES.map((name) => [name, avatarSvg(name)]))

  for (const { name } of options.scripts) {
    app.get(`/assets/${name}.js`, (_request, reply) =>
      reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(scripts.get(name)),
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
    if (!isAvatarName(name)) throw new ProviderError('no_such_avatar')
    // Apps show avatars on their own pages, so this image (and only it) may be embedded cross-origin.
    return reply
      .type('image/svg+xml')
      .header('cache-control', 'public, max-age=86400')
      .header('cross-origin-resource-policy', 'cross-origin')
      .header('content-security-policy', SANDBOXED_IMAGE_POLICY)
      .header('x-content-type-options', 'nosniff')
      .send(avatars.get(name))
  })
  // Served from here rather than inlined as data: URIs, so the pages' policy stays `img-src 'self'`.
  // The address names the AAGUID, not a passkey: it says nothing about anyone's account.
  const providers: PasskeyProviderList = options.passkeyProviders ?? new Map()
  app.get<{ Params: { aaguid: string; theme: string } }>(
    '/assets/passkey-icons/:aaguid/:theme',
    (request, reply) => {
      const { aaguid, theme } = request.params
      const icon =
        theme === 'light' || theme === 'dark'
          ? passkeyProviderIcon(providers, aaguid, theme satisfies IconTheme)
          : undefined
      if (icon === undefined) throw new ProviderError('no_such_passkey_icon')
      // Sandboxed even though the list's icons were checked for scripts when read.
      return reply
        .type(icon.type)
        .header('cache-control', 'public, max-age=86400')
        .header('content-security-policy', SANDBOXED_IMAGE_POLICY)
        .header('x-content-type-options', 'nosniff')
        .header('cross-origin-resource-policy', 'same-origin')
        .send(icon.bytes)
    },
  )
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

import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { assetRoutes } from './assetRoutes.ts'

describe('assetRoutes', () => {
  let folder: string
  let app: FastifyInstance | undefined

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'passkey-id-assets-'))
  })
  afterEach(async () => {
    await app?.close()
    app = undefined
    await rm(folder, { recursive: true, force: true })
  })

  /** A server with one page script whose source is `source`, listening on an ephemeral port. */
  async function serverWithScript(source: string): Promise<FastifyInstance> {
    const entry = join(folder, 'page.ts')
    await writeFile(entry, source)
    const server = Fastify()
    await server.register(assetRoutes, {
      issuer: 'http://localhost:8080',
      scripts: [{ name: 'page', entry: pathToFileURL(entry) }],
    })
    return server
  }

  it('serves the bundled script from the first request the server answers', async () => {
    app = await serverWithScript(
      "const greeting: string = 'bundled here'\ndocument.title = greeting\n",
    )
    // listen waits for the bundle: the first request already gets it.
    await app.listen({ port: 0, host: '127.0.0.1' })
    const address = app.server.address()
    if (address === null || typeof address === 'string') throw new Error('no TCP address')
    const response = await fetch(`http://127.0.0.1:${address.port}/assets/page.js`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    const script = await response.text()
    // Minified JavaScript: the type annotation is gone, the string is there.
    expect(script).toContain('bundled here')
    expect(script).not.toContain(': string')
  })

  it('stops the start when a script does not build', async () => {
    app = await serverWithScript("import { missing } from './nowhere.ts'\nmissing()\n")
    await expect(app.ready()).rejects.toThrow(/nowhere\.ts/)
  })
})

import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildBrowserScripts } from './buildBrowserScripts.ts'

describe('buildBrowserScripts', () => {
  let folder: string
  let cacheFolder: string

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'passkey-id-scripts-'))
    cacheFolder = join(folder, 'cache')
  })
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true })
  })

  /**
   * One page script whose entry imports a helper, as the pages import their shared ones. Its files
   * are dated a minute back: a file changed just before a bundling is not cached (it may have
   * changed while esbuild read it).
   */
  async function writeScript(helper: string): Promise<{ name: string; entry: URL }> {
    await writeFile(join(folder, 'helper.ts'), helper)
    await writeFile(
      join(folder, 'page.ts'),
      "import { greeting } from './helper.ts'\ndocument.title = greeting\n",
    )
    const minuteAgo = new Date(Date.now() - 60_000)
    for (const file of ['helper.ts', 'page.ts'])
      await utimes(join(folder, file), minuteAgo, minuteAgo)
    return { name: 'page', entry: pathToFileURL(join(folder, 'page.ts')) }
  }

  /** The one cache file, read and parsed. */
  async function cacheFile(): Promise<{ path: string; bundles: [string, string][] }> {
    const [file, ...others] = await readdir(cacheFolder)
    expect(others).toEqual([])
    const path = join(cacheFolder, file ?? '')
    return { path, ...JSON.parse(await readFile(path, 'utf8')) }
  }

  it('reads the bundles back while none of the files they were made from changed', async () => {
    const script = await writeScript("export const greeting: string = 'first'\n")
    const built = await buildBrowserScripts([script], { cacheFolder })
    expect(built.get('page')).toContain('first')

    // Whatever the cache holds is what the next start serves, so it must be what the files give:
    // changed here by hand, it shows that the second start read it rather than bundling again.
    const cached = await cacheFile()
    cached.bundles = [['page', 'from the cache']]
    await writeFile(cached.path, JSON.stringify(cached))
    expect((await buildBrowserScripts([script], { cacheFolder })).get('page')).toBe(
      'from the cache',
    )
  })

  it('bundles again when a file an entry imports changes, and keeps one cache file', async () => {
    const script = await writeScript("export const greeting: string = 'first'\n")
    await buildBrowserScripts([script], { cacheFolder })
    await writeScript("export const greeting: string = 'second'\n")
    const rebuilt = await buildBrowserScripts([script], { cacheFolder })
    expect(rebuilt.get('page')).toContain('second')
    expect(rebuilt.get('page')).not.toContain('first')
    expect((await cacheFile()).bundles).toEqual([['page', rebuilt.get('page')]])
  })

  it('bundles again when the cache file is damaged', async () => {
    const script = await writeScript("export const greeting: string = 'first'\n")
    await buildBrowserScripts([script], { cacheFolder })
    await writeFile((await cacheFile()).path, '{"key": ')
    expect((await buildBrowserScripts([script], { cacheFolder })).get('page')).toContain('first')
  })

  it('caches nothing made from a file that changed as the bundling began', async () => {
    const script = await writeScript("export const greeting: string = 'first'\n")
    await writeFile(join(folder, 'helper.ts'), "export const greeting: string = 'just now'\n")
    expect((await buildBrowserScripts([script], { cacheFolder })).get('page')).toContain('just now')
    expect(await readdir(cacheFolder).catch(() => [])).toEqual([])
  })

  it('still bundles when the cache cannot be written', async () => {
    const script = await writeScript("export const greeting: string = 'first'\n")
    // A file where the folder would be: no folder can be made there.
    await writeFile(cacheFolder, '')
    expect((await buildBrowserScripts([script], { cacheFolder })).get('page')).toContain('first')
  })
})

import { createHash, randomUUID } from 'node:crypto'
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BuildOptions } from 'esbuild'

/** A page script: the name it is served under (`/assets/<name>.js`) and its entry file. */
export interface BrowserScript {
  name: string
  entry: URL
}

/** How the scripts are bundled; a change here makes every cached bundle stale. */
const BUNDLING = {
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome109', 'firefox115', 'safari16'],
  legalComments: 'none',
} as const satisfies BuildOptions

/**
 * A file whose modification time is this close to the start of a bundling, or later, may have
 * changed after esbuild read it: file times can lag the clock by a tick, or be kept to the second.
 */
const MODIFIED_MARGIN_MS = 2_000

/** What a cache file holds: every file the bundles were made from, with its hash, and the bundles. */
interface CachedBundles {
  key: string
  inputs: [path: string, sha256: string][]
  bundles: [name: string, text: string][]
}

const esbuildPackage = createRequire(import.meta.url).resolve('esbuild/package.json')

/**
 * Bundles the pages' scripts (with @simplewebauthn/browser) into minified files, in memory, when the
 * provider starts: the pages load nothing from anywhere else. Each screen names its own script, so
 * this kit knows none of them.
 *
 * The bundles are also kept on disk, in `node_modules/.cache/passkey-id` (beside esbuild, written by
 * whoever may write the code itself), with the hash of every file they were made from: a start
 * whose files are all unchanged reads them back instead of starting esbuild, which took a tenth of
 * the provider's start (bench/results.md, "Start-up"). A cache that cannot be read or written is
 * only a slower start.
 */
export async function buildBrowserScripts(
  scripts: readonly BrowserScript[],
  { cacheFolder = join(dirname(dirname(esbuildPackage)), '.cache', 'passkey-id') } = {},
): Promise<Map<string, string>> {
  const entryPoints = Object.fromEntries(
    scripts.map((script) => [script.name, fileURLToPath(script.entry)]),
  )
  const { version } = JSON.parse(await readFile(esbuildPackage, 'utf8'))
  // Named after the scripts alone, so that a folder holds one file per set of scripts however often
  // their files move (tests bundle from temporary folders); the key inside says what it was made by.
  const names = scripts.map((script) => script.name).sort()
  const cacheFile = join(
    cacheFolder,
    `browser-scripts-${sha256(names.join(',')).slice(0, 16)}.json`,
  )
  const key = sha256(JSON.stringify({ version, BUNDLING, entryPoints }))
  const cached = await readCache(cacheFile, key)
  if (cached !== undefined) return cached

  const { build } = await import('esbuild')
  const startedAt = Date.now()
  const result = await build({
    ...BUNDLING,
    entryPoints,
    write: false,
    outdir: 'out',
    metafile: true,
  })
  const bundles = new Map<string, string>()
  for (const { name } of scripts) {
    const output = result.outputFiles.find((file) => file.path.endsWith(`/out/${name}.js`))
    if (output === undefined) throw new Error(`esbuild produced no output for ${name}`)
    bundles.set(name, output.text)
  }
  const inputs = Object.keys(result.metafile.inputs).map((path) => resolve(path))
  await writeCache(cacheFile, key, inputs, startedAt, bundles).catch(() => {})
  return bundles
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

/** The bundles in `file`, if it was made with `key` and none of the files they came from changed. */
async function readCache(file: string, key: string): Promise<Map<string, string> | undefined> {
  try {
    const cached: CachedBundles = JSON.parse(await readFile(file, 'utf8'))
    if (cached.key !== key) return undefined
    const hashes = await Promise.all(
      cached.inputs.map(async ([path]) => sha256(await readFile(path))),
    )
    if (hashes.some((hash, index) => hash !== cached.inputs[index]?.[1])) return undefined
    return new Map(cached.bundles)
  } catch {
    // None yet, unreadable, or an input is gone: bundle again.
    return undefined
  }
}

/**
 * Writes the cache file whole or not at all (instances starting together each write their own), and
 * not when a file may have changed after the bundling began: its hash would not be what was bundled.
 */
async function writeCache(
  file: string,
  key: string,
  inputs: string[],
  startedAt: number,
  bundles: Map<string, string>,
): Promise<void> {
  const changed = await Promise.all(inputs.map(async (path) => (await stat(path)).mtimeMs))
  if (changed.some((mtime) => mtime > startedAt - MODIFIED_MARGIN_MS)) return
  const cached: CachedBundles = {
    key,
    inputs: await Promise.all(
      inputs.map(async (path): Promise<[string, string]> => [path, sha256(await readFile(path))]),
    ),
    bundles: [...bundles],
  }
  await mkdir(dirname(file), { recursive: true })
  const partial = `${file}.${randomUUID()}`
  try {
    await writeFile(partial, JSON.stringify(cached))
    await rename(partial, file)
  } finally {
    await rm(partial, { force: true })
  }
}

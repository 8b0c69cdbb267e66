import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

/** The pages that run a script, each with its own bundle. */
export const BROWSER_SCRIPTS = ['interaction', 'account'] as const

/** The name of one of the pages' scripts. */
export type BrowserScript = (typeof BROWSER_SCRIPTS)[number]

/**
 * Bundles the pages' scripts (with @simplewebauthn/browser) into minified files, in memory, when the
 * provider starts: the pages load nothing from anywhere else.
 */
export async function buildBrowserScripts(): Promise<Record<BrowserScript, string>> {
  const result = await build({
    entryPoints: Object.fromEntries(
      BROWSER_SCRIPTS.map((name) => [
        name,
        fileURLToPath(new URL(`./browser/${name}.ts`, import.meta.url)),
      ]),
    ),
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome109', 'firefox115', 'safari16'],
    write: false,
    outdir: 'out',
    legalComments: 'none',
  })
  const bundles = Object.fromEntries(
    BROWSER_SCRIPTS.map((name) => {
      const output = result.outputFiles.find((file) => file.path.endsWith(`/out/${name}.js`))
      if (output === undefined) throw new Error(`esbuild produced no output for ${name}.ts`)
      return [name, output.text]
    }),
  )
  return bundles as Record<BrowserScript, string>
}

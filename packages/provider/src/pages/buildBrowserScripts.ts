import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

/**
 * Bundles the sign-in page's script (with @simplewebauthn/browser) into one minified file, in
 * memory, when the provider starts: the page loads nothing from anywhere else.
 */
export async function buildBrowserScript(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./browser/interaction.ts', import.meta.url))],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome109', 'firefox115', 'safari16'],
    write: false,
    legalComments: 'none',
  })
  const [output] = result.outputFiles
  if (output === undefined) throw new Error('esbuild produced no output for the sign-in script')
  return output.text
}

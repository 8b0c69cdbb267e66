import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))
const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url))

// The machines' own Node is 20 (end of life); .ci/run names the one it provisions.
const oldNode = process.env.PASSKEY_ID_OLD_NODE ?? '/usr/bin/node'
/** tsx starting on a busy machine takes seconds. */
const TIMEOUT_MS = 60_000

describe('on a Node older than 22.16', () => {
  it(
    'is a Node older than 22.16',
    async () => {
      const { stdout } = await run(oldNode, ['-p', 'process.versions.node'])
      const [major = 0, minor = 0] = stdout.trim().split('.').map(Number)
      expect(major < 22 || (major === 22 && minor < 16), `${oldNode} is Node ${stdout}`).toBe(true)
    },
    TIMEOUT_MS,
  )

  // What `npm start`, `npm run provider` and `npm run demo` run: tsx on the Node on PATH.
  for (const entry of [
    'scripts/start.ts',
    'packages/provider/src/cli.ts',
    'examples/demo/src/main.ts',
  ]) {
    it(
      `${entry} prints one line saying what to install, and exits with 1`,
      async () => {
        const failure = await run(oldNode, [tsx, entry], { cwd: root }).then(
          () => expect.unreachable('it ran'),
          (error: { code: number; stdout: string; stderr: string }) => error,
        )
        expect(failure.code).toBe(1)
        expect(failure.stdout).toBe('')
        expect(failure.stderr).toMatch(
          /^passkey-id needs Node\.js 22\.16 or later \(22, 24 and 26 are supported\), not \d+\.\d+\.\d+\. Get Node 24 from the npm registry: npm install --prefix "\$HOME\/\.node24" node@24 && export PATH="\$HOME\/\.node24\/node_modules\/\.bin:\$PATH"\n$/,
        )
      },
      TIMEOUT_MS,
    )
  }

  it(
    'the command the line gives is the one the README gives',
    async () => {
      const failure = await run(oldNode, [tsx, 'scripts/start.ts'], { cwd: root }).catch(
        (error: { stderr: string }) => error,
      )
      const command = /npm registry: (.+)$/m.exec(failure.stderr)?.[1]
      expect(command).toMatch(/^npm install --prefix /)
      const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8')
      expect(readme).toContain(`\n${command}\n`)
    },
    TIMEOUT_MS,
  )
})

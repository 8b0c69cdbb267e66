import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)

// Node prints an experimental feature's warning once per process, so a listener in this shared test
// process could miss it: a process of its own creates and verifies a passkey, and must stay silent.
const SCRIPT = `
import { createSoftwareAuthenticator } from '@passkey-id/authenticator'
import { passkeyCreationOptions } from './passkeyCreationOptions.ts'
import { verifyNewPasskey } from './verifyNewPasskey.ts'
const relyingParty = { origin: 'https://id.example.com', rpId: 'id.example.com', rpName: 'id' }
const options = await passkeyCreationOptions(relyingParty, { handle: new Uint8Array(32), name: 'alice' })
const answer = createSoftwareAuthenticator().register(options, { origin: relyingParty.origin })
const passkey = await verifyNewPasskey(relyingParty, options.challenge, answer)
console.log(passkey.id === answer.id ? 'verified' : 'mismatch')
`

describe('PASSKEY_ALGORITHMS', () => {
  it('lets a passkey be created and verified without a warning on this Node', async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', SCRIPT],
      { cwd: fileURLToPath(new URL('.', import.meta.url)), timeout: 60_000 },
    )
    expect(stdout.trim()).toBe('verified')
    expect(stderr).toBe('')
  }, 70_000)
})

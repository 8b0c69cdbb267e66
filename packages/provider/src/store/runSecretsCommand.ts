import { asksForHelp } from '@passkey-id/runtime'
import { createSecretBox, withStartupLock } from '@passkey-id/store'
import type { ProviderConfig } from '../config.ts'
import { openProviderStore } from './openProviderStore.ts'
import { type RewrapReport, rewrapSecrets } from './rewrapSecrets.ts'

const USAGE = `usage: passkey-id-provider secrets <encrypt|rotate-key>
  encrypt     encrypts the signing keys, cookie keys and pairwise salt stored in clear, under
              ENCRYPTION_KEY (make one with openssl rand -base64 32); then start with that key
  rotate-key  step 2 of changing the key: with ENCRYPTION_KEY=new,old deployed, re-encrypts
              everything under new; then drop old from ENCRYPTION_KEY`

/**
 * `secrets ...` on the command line: encrypting an existing database's secrets at rest, and
 * re-encrypting them under a new key. Both run in one transaction under the start-up lock, so no
 * instance starts half way through, and both can be run again safely. Returns the exit code.
 */
export async function runSecretsCommand(
  args: readonly string[],
  config: Pick<ProviderConfig, 'databaseUrl' | 'encryptionKeys'>,
  print: (line: string) => void = console.log,
): Promise<number> {
  const [command] = args
  const help = asksForHelp(args)
  if (help || (command !== 'encrypt' && command !== 'rotate-key')) {
    print(USAGE)
    return help || command === undefined ? 0 : 2
  }
  const box = createSecretBox(config.encryptionKeys)
  if (box.keyId === undefined) {
    print(`secrets ${command} needs ENCRYPTION_KEY: make one with openssl rand -base64 32`)
    return 1
  }
  const db = await openProviderStore(config.databaseUrl)
  try {
    const fromClear = command === 'encrypt'
    const report = await withStartupLock(db, (locked) => rewrapSecrets(locked, box, { fromClear }))
    for (const line of describe(report, box.keyId)) print(line)
    return 0
  } finally {
    await db.destroy()
  }
}

/** What a run did, in lines a person reads. */
function describe(report: RewrapReport, keyId: string): string[] {
  const { encrypted, resealed, unchanged } = report
  const lines = [
    ...(encrypted.length > 0
      ? [`encrypted ${count(encrypted)} under key id ${keyId}: ${encrypted.join(', ')}`]
      : []),
    ...(resealed.length > 0
      ? [`re-encrypted ${count(resealed)} under key id ${keyId}: ${resealed.join(', ')}`]
      : []),
  ]
  if (lines.length === 0) {
    return [
      unchanged.length === 0
        ? 'nothing to encrypt yet: a start with ENCRYPTION_KEY set creates the secrets encrypted'
        : `nothing to do: all ${count(unchanged)} are already encrypted under key id ${keyId}`,
    ]
  }
  return [
    ...lines,
    resealed.length > 0
      ? 'now every instance can run with the first key of ENCRYPTION_KEY alone: drop the others and restart them'
      : 'restart every instance with this ENCRYPTION_KEY: without it they refuse to start',
  ]
}

function count(values: readonly string[]): string {
  return values.length === 1 ? '1 value' : `${values.length} values`
}

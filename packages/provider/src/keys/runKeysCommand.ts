import { asksForHelp } from '@passkey-id/runtime'
import { createSecretBox, withStartupLock } from '@passkey-id/store'
import type { ProviderConfig } from '../config.ts'
import { openProviderStore } from '../store/openProviderStore.ts'
import { ensureSigningKeys } from './ensureSigningKeys.ts'
import { addNextSigningKeys, listSigningKeys, promoteNextSigningKeys } from './rotateSigningKeys.ts'

const USAGE = `usage: passkey-id-provider keys <list|add-next|promote>
  list      the signing keys and their states
  add-next  step 1 of a rotation: a next key per algorithm, published after a restart
  promote   step 2, once apps have seen the next keys: they sign after a restart; the old keys
            stay published until the ID tokens they signed have expired`

/**
 * `keys ...` on the command line: key rotation against the provider's database. Running instances
 * read keys when they start, so each step takes effect at their next restart. Keys it adds are
 * sealed under ENCRYPTION_KEY as a start would seal them. Returns the exit code.
 */
export async function runKeysCommand(
  args: readonly string[],
  config: Pick<ProviderConfig, 'databaseUrl' | 'encryptionKeys'>,
  print: (line: string) => void = console.log,
): Promise<number> {
  const [command] = args
  const help = asksForHelp(args)
  if (help || (command !== 'list' && command !== 'add-next' && command !== 'promote')) {
    print(USAGE)
    return help || command === undefined ? 0 : 2
  }
  const db = await openProviderStore(config.databaseUrl)
  const box = createSecretBox(config.encryptionKeys)
  try {
    // Under the start-up lock: two rotations, or a rotation and a first start, never interleave.
    return await withStartupLock(db, async (locked) => {
      // A database no provider has started on yet gets its current keys first, as a start would.
      await ensureSigningKeys(locked, 'current', box)
      if (command === 'add-next') {
        const added = await addNextSigningKeys(locked, box)
        print(
          added.length > 0
            ? `added next keys ${added.join(', ')}: restart the provider to publish them`
            : 'next keys are already waiting; promote them when apps have seen them',
        )
      }
      if (command === 'promote') {
        const promoted = await promoteNextSigningKeys(locked)
        if (promoted.length === 0) {
          print('no next key to promote: run `keys add-next` first')
          return 1
        }
        print(`promoted ${promoted.join(', ')}: restart the provider to sign with them`)
      }
      for (const key of await listSigningKeys(locked)) {
        print(
          `${key.state.padEnd(8)} ${key.alg} ${key.kid} (created ${key.createdAt}, changed ${key.updatedAt})`,
        )
      }
      return 0
    })
  } finally {
    await db.destroy()
  }
}

import { generateKeyPairSync } from 'node:crypto'
import { type TestDatabase, testDatabaseUrl } from '@passkey-id/testing/database'
import type { Kysely } from 'kysely'
import Provider, { type JWK } from 'oidc-provider'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OidcRecordAdapter } from '../store/OidcRecordAdapter.ts'
import { openProviderStore } from '../store/openProviderStore.ts'
import type { ProviderDatabase } from '../store/schema.ts'
import { saveInteractionResult } from './saveInteractionResult.ts'

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>
/** oidc-provider makes interactions with `new Interaction(uid, payload)`; its types omit the arguments. */
type InteractionClass = new (uid: string, payload: object) => Interaction

describe('saveInteractionResult', () => {
  let database: TestDatabase
  let db: Kysely<ProviderDatabase>
  let provider: Provider

  beforeEach(async () => {
    database = await testDatabaseUrl()
    db = await openProviderStore(database.url)
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    provider = new Provider('http://localhost:3000', {
      adapter: (model: string) => new OidcRecordAdapter(db, model),
      jwks: { keys: [privateKey.export({ format: 'jwk' }) as JWK] },
      features: { devInteractions: { enabled: false } },
    })
  })
  afterEach(async () => {
    await db.destroy()
    await database.drop()
  })

  /** An interaction as oidc-provider stores one when it sends a browser to a prompt. */
  async function storedInteraction(lastSubmission?: Record<string, unknown>) {
    const Interaction = provider.Interaction as unknown as InteractionClass
    const interaction = new Interaction('uid-1', {
      returnTo: 'http://localhost:3000/auth/uid-1',
      prompt: { name: 'consent', reasons: [], details: {} },
      params: { client_id: 'app' },
      lastSubmission,
      exp: Math.floor(Date.now() / 1000) + 600,
    })
    await interaction.save(600)
    return interaction
  }

  it('stores the outcome on the interaction and gives the address to resume at', async () => {
    const interaction = await storedInteraction()
    const returnTo = await saveInteractionResult(
      interaction,
      { login: { accountId: 'a1' } },
      { mergeWithLastSubmission: false },
    )
    expect(returnTo).toBe('http://localhost:3000/auth/uid-1')
    const stored = await provider.Interaction.find('uid-1')
    expect(stored?.result).toEqual({ login: { accountId: 'a1' } })
    expect(stored?.exp).toBe(interaction.exp)
  })

  it('adds to the last submission when asked, and an error replaces it', async () => {
    const merged = await storedInteraction({ login: { accountId: 'a1' } })
    await saveInteractionResult(
      merged,
      { consent: { grantId: 'g1' } },
      { mergeWithLastSubmission: true },
    )
    expect((await provider.Interaction.find('uid-1'))?.result).toEqual({
      login: { accountId: 'a1' },
      consent: { grantId: 'g1' },
    })

    const refused = await storedInteraction({ login: { accountId: 'a1' } })
    await saveInteractionResult(
      refused,
      { error: 'access_denied' },
      { mergeWithLastSubmission: true },
    )
    expect((await provider.Interaction.find('uid-1'))?.result).toEqual({ error: 'access_denied' })
  })
})

import type Provider from 'oidc-provider'
import type { InteractionResults } from 'oidc-provider'

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>

/**
 * Records the outcome of an interaction and returns where the browser resumes, as oidc-provider's
 * `interactionResult` does, but on the interaction this request already loaded (with
 * `interactionDetails`, whose checks it passed): `interactionResult` would read the record again.
 * With `mergeWithLastSubmission`, the outcome adds to the earlier step's (a consent after a sign-in)
 * instead of replacing it; an error always replaces it.
 */
export async function saveInteractionResult(
  interaction: Interaction,
  result: InteractionResults,
  { mergeWithLastSubmission }: { mergeWithLastSubmission: boolean },
): Promise<string> {
  interaction.result =
    mergeWithLastSubmission && !('error' in result)
      ? { ...interaction.lastSubmission, ...result }
      : result
  await interaction.save(interaction.exp - Math.floor(Date.now() / 1000))
  return interaction.returnTo
}

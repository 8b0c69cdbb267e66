import { isStoreUnavailable } from '@passkey-id/store'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { ProviderError } from '../errors/ProviderError.ts'
import type { Provider } from '../oidcProviderLibrary.ts'

/** An interaction as oidc-provider loads it for a browser. */
export type BrowserInteraction = Awaited<ReturnType<Provider['interactionDetails']>>

/**
 * The interaction of this browser (oidc-provider's interaction cookie), which must be the one named
 * in the URL (`uid`). A database that cannot answer is thrown as it is (the error handler answers
 * 503); any other failure is an expired or unknown sign-in (`interaction_expired`): oidc-provider's
 * SessionNotFound says no more than the refusal does, so it is worth no log line.
 */
export async function loadBrowserInteraction(
  oidc: Provider,
  request: FastifyRequest,
  reply: FastifyReply,
  uid: string,
): Promise<BrowserInteraction> {
  let interaction: BrowserInteraction
  try {
    interaction = await oidc.interactionDetails(request.raw, reply.raw)
  } catch (error) {
    if (isStoreUnavailable(error)) throw error
    throw new ProviderError('interaction_expired')
  }
  if (interaction.uid !== uid) throw new ProviderError('interaction_mismatch')
  return interaction
}

/**
 * Changes members of a passkey answer's client data (`type`, `challenge`, `origin`, ...) and encodes
 * it again, as a forged answer would carry: the signature, where there is one, no longer matches.
 */
export function rewriteClientData(
  answer: { response: { clientDataJSON: string } },
  changes: Record<string, unknown>,
): void {
  const clientData = JSON.parse(Buffer.from(answer.response.clientDataJSON, 'base64url').toString())
  answer.response.clientDataJSON = Buffer.from(
    JSON.stringify({ ...clientData, ...changes }),
  ).toString('base64url')
}

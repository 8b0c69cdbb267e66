/** The page a recovery link opens. */
export const RECOVERY_LINK_PATH = '/recovery/link'

/**
 * The address of a recovery link: the token in the fragment, which a browser keeps to itself, so it
 * never appears in a request line, a server or proxy log, or a Referer; the page's script reads it.
 */
export function recoveryLinkUrl(issuer: string, token: string): string {
  return `${issuer}${RECOVERY_LINK_PATH}#${token}`
}

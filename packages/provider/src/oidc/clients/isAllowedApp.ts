/**
 * Whether ALLOWED_APPS lets the app `clientId` (a canonical origin) ask for sign-ins: any app when
 * the list is empty; else an origin listed exactly, or an https origin whose host is under a
 * listed `*.example.com` (any depth of subdomain, any port).
 */
export function isAllowedApp(clientId: string, allowedApps: readonly string[]): boolean {
  if (allowedApps.length === 0 || allowedApps.includes(clientId)) return true
  const url = URL.parse(clientId)
  if (url === null || url.protocol !== 'https:') return false
  return allowedApps.some(
    (entry) => entry.startsWith('*.') && url.hostname.endsWith(entry.slice(1)),
  )
}

import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { ProviderIcon } from '../packages/provider/src/passkeys/decodeProviderIcon.ts'
import { PASSKEY_PROVIDER_LIST_FILE } from '../packages/provider/src/passkeys/passkeyProviderList.ts'
import { readPasskeyProviderList } from '../packages/provider/src/passkeys/readPasskeyProviderList.ts'

// `npm run refresh-aaguids [-- <url or file>]`: renews packages/provider/aaguids/combined_aaguid.json,
// the passkey provider list (names and icons by AAGUID) shipped with the provider, from the community
// list (passkeydeveloper/passkey-authenticator-aaguids: its list combined with the FIDO Metadata
// Service), or from a copy downloaded by hand. Only what the provider would accept is written
// (readPasskeyProviderList's checks), so the shipped copy never holds an icon the pages would refuse.
// An empty list (upstream retired it) or an unreadable one leaves the shipped copy as it was.

const COMMUNITY_LIST =
  'https://raw.githubusercontent.com/passkeydeveloper/passkey-authenticator-aaguids/main/combined_aaguid.json'
/** The full list is a few MiB; a larger answer is not the list. */
const MAX_BYTES = 16 * 1024 * 1024

const source = process.argv[2] ?? COMMUNITY_LIST
const target = fileURLToPath(PASSKEY_PROVIDER_LIST_FILE)

async function download(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) })
  if (!response.ok) throw new Error(`${url} answered ${response.status}`)
  const declared = Number(response.headers.get('content-length') ?? 0)
  if (declared > MAX_BYTES) throw new Error(`${url} is ${declared} bytes, more than ${MAX_BYTES}`)
  const bytes = Buffer.from(await response.arrayBuffer())
  if (bytes.length > MAX_BYTES) throw new Error(`${url} is more than ${MAX_BYTES} bytes`)
  return bytes.toString('utf8')
}

const dataUri = (icon: ProviderIcon | undefined) =>
  icon === undefined ? undefined : `data:${icon.type};base64,${icon.bytes.toString('base64')}`

try {
  const text = /^https?:\/\//.test(source) ? await download(source) : await readFile(source, 'utf8')
  const raw = JSON.parse(text) as Record<string, Record<string, unknown>>
  const list = readPasskeyProviderList(text)
  if (list.size === 0) {
    throw new Error(
      `${source} lists no passkey provider: the community list is empty when it is retired (see its README); the shipped copy is kept`,
    )
  }
  const entries = [...list].sort(([a], [b]) => a.localeCompare(b))
  const out = Object.fromEntries(
    entries.map(([aaguid, provider]) => [
      aaguid,
      {
        name: provider.name,
        icon_light: dataUri(provider.light),
        icon_dark: dataUri(provider.dark),
      },
    ]),
  )
  await writeFile(target, `${JSON.stringify(out, null, 2)}\n`)
  const offered = Object.values(raw).flatMap((entry) =>
    [entry?.icon_light, entry?.icon_dark].filter((icon) => typeof icon === 'string'),
  ).length
  const kept = entries.reduce(
    (count, [, provider]) => count + (provider.light ? 1 : 0) + (provider.dark ? 1 : 0),
    0,
  )
  console.log(
    `${target}: ${entries.length} passkey providers of ${Object.keys(raw).length} listed, ${kept} of ${offered} icons kept (the others are not bounded SVG or PNG data: URIs)`,
  )
} catch (error) {
  // fetch's own message is "fetch failed"; why (no route, no such host, a timeout) is its cause.
  const cause =
    error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : ''
  console.error(
    `refresh-aaguids: ${error instanceof Error ? error.message : String(error)}${cause}`,
  )
  process.exitCode = 1
}

/** A passkey provider's icon, decoded from the list's data: URI and checked. */
export interface ProviderIcon {
  type: 'image/svg+xml' | 'image/png'
  bytes: Buffer
}

/**
 * The largest icon kept, decoded. The community list's SVGs are a few kilobytes and the FIDO
 * Metadata Service's PNGs some tens; a larger one is not an icon for a 24-pixel square.
 */
export const PROVIDER_ICON_MAX_BYTES = 64 * 1024

const DATA_URI = /^data:(image\/svg\+xml|image\/png);base64,([A-Za-z0-9+/]*={0,2})$/
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
/**
 * What an SVG drawn in an `<img>` never runs, but a person who opens the icon's address would get
 * as a document: refused, though the icon's own Content-Security-Policy blocks it too.
 */
const ACTIVE_SVG = /<script|<foreignObject|<iframe|<embed|<object|\son[a-z]+\s*=|javascript:/i

/**
 * The icon in an entry of the passkey provider list (`icon_light`, `icon_dark`): an SVG or PNG as a
 * base64 data: URI, decoded and checked to be what it says (an SVG document without scripts or
 * event handlers, a PNG by its signature) and at most `PROVIDER_ICON_MAX_BYTES`. Anything else, of
 * any type, gives `undefined`: the provider's name is shown without an icon.
 */
export function decodeProviderIcon(value: unknown): ProviderIcon | undefined {
  // Base64 is 4 characters for 3 bytes: a longer string cannot decode within the bound.
  if (typeof value !== 'string' || value.length > 64 + (PROVIDER_ICON_MAX_BYTES / 3) * 4 + 4) {
    return undefined
  }
  const match = DATA_URI.exec(value)
  if (match === null) return undefined
  const [, type, base64 = ''] = match
  if (base64.length === 0 || base64.length % 4 !== 0) return undefined
  const bytes = Buffer.from(base64, 'base64')
  if (bytes.length > PROVIDER_ICON_MAX_BYTES) return undefined
  if (type === 'image/png') {
    return bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)
      ? { type, bytes }
      : undefined
  }
  const text = bytes.toString('utf8')
  if (!/^\uFEFF?\s*<(\?xml|svg|!--|!DOCTYPE)/.test(text) || !/<svg[\s>]/.test(text))
    return undefined
  if (ACTIVE_SVG.test(text)) return undefined
  return { type: 'image/svg+xml', bytes }
}

import { describe, expect, it } from 'vitest'
import { decodeProviderIcon, PROVIDER_ICON_MAX_BYTES } from './decodeProviderIcon.ts'

const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><rect width="24" height="24"/></svg>'
/** A real 1×1 PNG. */
const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='

const base64 = (text: string) => Buffer.from(text).toString('base64')
const svgUri = (svg: string) => `data:image/svg+xml;base64,${base64(svg)}`

describe('decodeProviderIcon', () => {
  it('decodes an SVG and a PNG data: URI to their bytes and type', () => {
    expect(decodeProviderIcon(svgUri(SVG))).toEqual({
      type: 'image/svg+xml',
      bytes: Buffer.from(SVG),
    })
    expect(decodeProviderIcon(svgUri(`<?xml version="1.0"?>\n${SVG}`))?.type).toBe('image/svg+xml')
    expect(decodeProviderIcon(`data:image/png;base64,${PNG}`)).toEqual({
      type: 'image/png',
      bytes: Buffer.from(PNG, 'base64'),
    })
  })

  it('refuses every other type, and anything but a base64 data: URI', () => {
    for (const value of [
      `data:image/jpeg;base64,${PNG}`,
      `data:image/gif;base64,${PNG}`,
      `data:text/html;base64,${base64('<svg><script>alert(1)</script></svg>')}`,
      `data:image/svg+xml,${SVG}`,
      `data:image/svg+xml;utf8,${SVG}`,
      `DATA:image/png;base64,${PNG}`,
      `https://icons.example/${PNG}.png`,
      ` data:image/png;base64,${PNG}`,
      `data:image/png;base64,${PNG}\n`,
      'data:image/png;base64,',
      undefined,
      null,
      42,
      { type: 'image/png' },
    ]) {
      expect(decodeProviderIcon(value), String(value).slice(0, 40)).toBeUndefined()
    }
  })

  it('refuses malformed base64: a stray character, missing padding, padding inside', () => {
    expect(decodeProviderIcon(`data:image/png;base64,${PNG.replace('K', '*')}`)).toBeUndefined()
    expect(decodeProviderIcon(`data:image/png;base64,${PNG.slice(0, -2)}`)).toBeUndefined()
    expect(decodeProviderIcon(`data:image/png;base64,iVBO=w0K${PNG.slice(8)}`)).toBeUndefined()
  })

  it('refuses bytes that are not what the type says', () => {
    // A PNG label on an SVG, and an SVG label on a PNG or on HTML.
    expect(decodeProviderIcon(`data:image/png;base64,${base64(SVG)}`)).toBeUndefined()
    expect(decodeProviderIcon(`data:image/svg+xml;base64,${PNG}`)).toBeUndefined()
    expect(decodeProviderIcon(svgUri('<html><body>not an icon</body></html>'))).toBeUndefined()
  })

  it('refuses an SVG that would run script when opened as a document', () => {
    for (const svg of [
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><rect ONCLICK = "alert(1)"/></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><iframe src="x"/></foreignObject></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect/></a></svg>',
    ]) {
      expect(decodeProviderIcon(svgUri(svg)), svg).toBeUndefined()
    }
  })

  it(`refuses an icon larger than ${PROVIDER_ICON_MAX_BYTES} bytes, and keeps one of that size`, () => {
    const padded = (size: number) => {
      const open = '<svg xmlns="http://www.w3.org/2000/svg"><!--'
      const close = '--></svg>'
      return svgUri(`${open}${'x'.repeat(size - open.length - close.length)}${close}`)
    }
    expect(decodeProviderIcon(padded(PROVIDER_ICON_MAX_BYTES))?.bytes).toHaveLength(
      PROVIDER_ICON_MAX_BYTES,
    )
    expect(decodeProviderIcon(padded(PROVIDER_ICON_MAX_BYTES + 1))).toBeUndefined()
    // A string far too long is refused before it is matched or decoded.
    expect(decodeProviderIcon(`data:image/png;base64,${'A'.repeat(10_000_000)}`)).toBeUndefined()
  })
})

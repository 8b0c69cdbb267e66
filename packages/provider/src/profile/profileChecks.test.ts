import { describe, expect, it } from 'vitest'
import { containsControlCharacters } from './profileChecks.ts'

describe('containsControlCharacters', () => {
  it.each([
    ['U+200F right-to-left mark', 'Alice\u200FEcila'],
    ['U+061C Arabic letter mark', 'Ali\u061Cce'],
    ['U+200B zero-width space', 'Ali\u200Bce'],
    ['U+FEFF byte order mark', 'Ali\uFEFFce'],
    ['U+2028 line separator', 'Ali\u2028ce'],
    ['U+2029 paragraph separator', 'Ali\u2029ce'],
    ['U+00AD soft hyphen', 'Ali\u00ADce'],
    ['U+2060 word joiner', 'Ali\u2060ce'],
    ['U+202E right-to-left override', 'Work\u202Egol'],
    ['U+2066 left-to-right isolate', 'a\u2066b'],
    ['U+E0041 tag letter', 'Alice\u{E0041}'],
    ['C0 control', 'Ali\u0007ce'],
    ['C1 control', 'a\u009Bb'],
    ['U+200C at the start', '\u200CAlice'],
    ['U+200C at the end', 'Alice\u200C'],
    ['U+200D before a space', 'Alice\u200D Bob'],
    ['U+200C after a space', 'Alice \u200CBob'],
    ['U+200D before a digit', 'Alice\u200D2'],
    ['U+200C and U+200D together', 'Ali\u200C\u200Dce'],
  ])('refuses %s', (_name, text) => {
    expect(containsControlCharacters(text)).toBe(true)
  })

  it.each([
    ['a Persian name with a zero-width non-joiner', 'حسن\u200Cزاده'],
    ['a Persian given name with a zero-width non-joiner', 'فاطمه\u200Cزهرا'],
    ['a Hindi name with a zero-width joiner after a virama', 'क्\u200Dषितिज'],
    ['a Malayalam name with a zero-width joiner', 'ന്\u200Dറ'],
    ['Latin, Cyrillic, CJK and punctuation', 'Zoë O’Brien-Łukasiewicz 山田 Ёлка'],
    ['combining marks', 'Ame\u0301lie'],
  ])('accepts %s', (_name, text) => {
    expect(containsControlCharacters(text)).toBe(false)
  })
})

import { describe, expect, it } from 'vitest'
import { encodeCBOR } from './cbor.ts'

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

// Expected bytes are the examples of RFC 8949 Appendix A.
describe('encodeCBOR', () => {
  it('writes integers in their shortest form', () => {
    expect(hex(encodeCBOR(0))).toBe('00')
    expect(hex(encodeCBOR(23))).toBe('17')
    expect(hex(encodeCBOR(24))).toBe('1818')
    expect(hex(encodeCBOR(1000))).toBe('1903e8')
    expect(hex(encodeCBOR(1000000))).toBe('1a000f4240')
    expect(hex(encodeCBOR(1000000000000))).toBe('1b000000e8d4a51000')
    expect(hex(encodeCBOR(-1))).toBe('20')
    expect(hex(encodeCBOR(-7))).toBe('26')
    expect(hex(encodeCBOR(-100))).toBe('3863')
    expect(hex(encodeCBOR(-1000))).toBe('3903e7')
  })

  it('writes byte and text strings', () => {
    expect(hex(encodeCBOR(new Uint8Array()))).toBe('40')
    expect(hex(encodeCBOR(Uint8Array.of(1, 2, 3, 4)))).toBe('4401020304')
    expect(hex(encodeCBOR(''))).toBe('60')
    expect(hex(encodeCBOR('IETF'))).toBe('6449455446')
    expect(hex(encodeCBOR('\u00fc'))).toBe('62c3bc')
    expect(hex(encodeCBOR(new Uint8Array(32)))).toBe(`5820${'00'.repeat(32)}`)
  })

  it('writes maps with integer and text keys in insertion order', () => {
    expect(hex(encodeCBOR(new Map()))).toBe('a0')
    expect(
      hex(
        encodeCBOR(
          new Map([
            [1, 2],
            [3, 4],
          ]),
        ),
      ),
    ).toBe('a201020304')
    expect(hex(encodeCBOR(new Map([['a', new Map([[-1, 'b']])]])))).toBe('a16161a1206162')
  })

  it('refuses numbers it cannot represent as integers', () => {
    expect(() => encodeCBOR(1.5)).toThrow(RangeError)
    expect(() => encodeCBOR(2 ** 60)).toThrow(RangeError)
  })
})

/**
 * A value the minimal CBOR encoder can write: just what WebAuthn attestation objects and COSE keys
 * are made of. Maps are `Map`s rather than plain objects because COSE keys use integer labels.
 */
export type CBORValue = number | string | Uint8Array | CBORMap

/** A CBOR map; entries are written in insertion order, so callers choose the (canonical) order. */
export type CBORMap = Map<number | string, CBORValue>

// CBOR major types, https://www.rfc-editor.org/rfc/rfc8949#section-3.1
const UNSIGNED_INTEGER = 0
const NEGATIVE_INTEGER = 1
const BYTE_STRING = 2
const TEXT_STRING = 3
const MAP = 5

/**
 * Encodes a value as CBOR (RFC 8949): unsigned and negative integers, byte strings, text strings
 * and maps with integer or text keys.
 *
 * Every head uses its shortest form, because SimpleWebAuthn finds where a COSE key ends inside
 * authenticator data by decoding and re-encoding it: a longer-than-needed form would make that
 * length disagree with the bytes and the authenticator data would not parse. Map keys are not
 * sorted; write them in CTAP2 canonical order (shorter encodings first) if that matters.
 */
export function encodeCBOR(value: CBORValue): Uint8Array {
  const chunks: Uint8Array[] = []
  writeValue(value, chunks)
  return Buffer.concat(chunks)
}

function writeValue(value: CBORValue, chunks: Uint8Array[]): void {
  if (typeof value === 'number') {
    writeInteger(value, chunks)
  } else if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8')
    chunks.push(encodeHead(TEXT_STRING, bytes.byteLength), bytes)
  } else if (value instanceof Uint8Array) {
    chunks.push(encodeHead(BYTE_STRING, value.byteLength), value)
  } else {
    chunks.push(encodeHead(MAP, value.size))
    for (const [key, entry] of value) {
      writeValue(key, chunks)
      writeValue(entry, chunks)
    }
  }
}

function writeInteger(value: number, chunks: Uint8Array[]): void {
  // Floats and unsafe integers would need other major types or bigints; WebAuthn never needs them.
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`CBOR: cannot encode ${value}, only safe integers`)
  }
  // A negative integer n is written as -1 - n, so -1 is 0x20 and -7 is 0x26.
  chunks.push(
    value >= 0 ? encodeHead(UNSIGNED_INTEGER, value) : encodeHead(NEGATIVE_INTEGER, -1 - value),
  )
}

/** The initial byte (major type and additional information) plus the argument in the fewest bytes. */
function encodeHead(majorType: number, argument: number): Uint8Array {
  const initial = majorType << 5
  if (argument < 24) return Uint8Array.of(initial | argument)
  if (argument < 0x100) return Uint8Array.of(initial | 24, argument)
  if (argument < 0x1_0000) {
    const head = Buffer.alloc(3)
    head[0] = initial | 25
    head.writeUInt16BE(argument, 1)
    return head
  }
  if (argument < 0x1_0000_0000) {
    const head = Buffer.alloc(5)
    head[0] = initial | 26
    head.writeUInt32BE(argument, 1)
    return head
  }
  const head = Buffer.alloc(9)
  head[0] = initial | 27
  head.writeBigUInt64BE(BigInt(argument), 1)
  return head
}

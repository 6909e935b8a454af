import { OutOfSection } from './section-bytes.js';

/**
 * LEB128 as the lineinfo stream uses it. Encoding follows the kernel generator (minimal
 * encodings of 32-bit values). Decoding follows the kernel reader exactly, because the reference
 * decoder must give the kernel's answer even on odd input:
 *  - 7 bits per byte accumulated into a u32, stop at the first byte without bit 7;
 *  - never reads at or past `end`; a varint cut by `end` yields its partial value;
 *  - after the fifth byte (shift >= 32) the varint is "malformed": further continuation bytes and
 *    one terminator are skipped and the truncated value is returned.
 * `end` may lie beyond the section (the kernel does not always clamp it); reading such a byte is
 * an out-of-section read and throws OutOfSection, which is exactly the bug class we report.
 */

/** Encoded length of a u32 in minimal ULEB128 (1..5). */
export function uleb128Size(value: number): number {
  let v = value >>> 0;
  let n = 1;
  while (v >= 0x80) {
    v >>>= 7;
    n++;
  }
  return n;
}

/** Encoded length of an int32 in minimal SLEB128 (1..5): 7 bits a byte, sign bit included. */
export function sleb128Size(value: number): number {
  const v = value | 0;
  const m = v < 0 ? ~v : v;
  return m < 0x40 ? 1 : m < 0x2000 ? 2 : m < 0x10_0000 ? 3 : m < 0x800_0000 ? 4 : 5;
}

/**
 * Minimal ULEB128 of a u32 stored into `buf` at `at` (which must have room for 5 bytes);
 * returns the position after it. The byte-buffer form of writeUleb128 for the encoders' hot loops.
 */
export function putUleb128(buf: Uint8Array, at: number, value: number): number {
  let v = value >>> 0;
  while (v >= 0x80) {
    buf[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[at++] = v;
  return at;
}

/** Minimal SLEB128 of an int32 stored into `buf` at `at`; returns the position after it. */
export function putSleb128(buf: Uint8Array, at: number, value: number): number {
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    buf[at++] = done ? byte : byte | 0x80;
    if (done) return at;
  }
}

/** Minimal ULEB128 encoding of a u32 into `out` at `at`; returns the bytes written. */
export function writeUleb128(out: (byte: number) => void, value: number): number {
  let v = value >>> 0;
  let n = 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out(byte);
    n++;
  } while (v !== 0);
  return n;
}

/** zigzag: maps an int32 to a u32 so that small magnitudes are small (v1, v2). */
export function zigzagEncode(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

/** Inverse of zigzagEncode, as an int32. */
export function zigzagDecode(value: number): number {
  return ((value >>> 1) ^ -(value & 1)) | 0;
}

/**
 * Position state for the kernel-faithful readers. `pos` and `end` are offsets relative to the
 * start of the stream; `base` is where the stream starts in the section, so the absolute offset of
 * stream byte `pos` is `base + pos`. Kept mutable so the hot loop allocates nothing.
 */
export interface StreamCursor {
  readonly bytes: Uint8Array;
  readonly base: number;
  pos: number;
  end: number;
  /** Set when the last varint read was cut short by `end` or was longer than 5 bytes. */
  truncated: boolean;
  overlong: boolean;
}

export function newCursor(bytes: Uint8Array, base: number, pos: number, end: number): StreamCursor {
  return { bytes, base, pos, end, truncated: false, overlong: false };
}

function byteAt(c: StreamCursor): number {
  const abs = c.base + c.pos;
  if (abs < 0 || abs >= c.bytes.length) throw new OutOfSection(abs, 1, c.bytes.length);
  return c.bytes[abs]!;
}

/** The kernel's ULEB128 reader (see the module comment). */
export function readUleb128(c: StreamCursor): number {
  let result = 0;
  let shift = 0;
  c.truncated = false;
  c.overlong = false;
  while (c.pos < c.end) {
    const byte = byteAt(c);
    c.pos++;
    result = (result | ((byte & 0x7f) << shift)) >>> 0;
    if ((byte & 0x80) === 0) return result;
    shift += 7;
    if (shift >= 32) {
      c.overlong = true;
      while (c.pos < c.end && (byteAt(c) & 0x80) !== 0) c.pos++;
      if (c.pos < c.end) c.pos++;
      else c.truncated = true;
      return result;
    }
  }
  c.truncated = true;
  return result;
}

/**
 * The kernel's SLEB128 reader (v3 and later): same bounds logic as readUleb128, sign-extended
 * when the last byte had bit 6 set and fewer than 32 bits were consumed. Computed on u32, as v7
 * does (v3-v6 relied on a signed shift that overflows; the values agree where that is defined).
 */
export function readSleb128(c: StreamCursor): number {
  let result = 0;
  let shift = 0;
  let byte = 0;
  c.truncated = false;
  c.overlong = false;
  while (c.pos < c.end) {
    byte = byteAt(c);
    c.pos++;
    result = (result | ((byte & 0x7f) << shift)) >>> 0;
    shift += 7;
    if ((byte & 0x80) === 0) {
      if (shift < 32 && (byte & 0x40) !== 0) result = (result | -(1 << shift)) >>> 0;
      return result | 0;
    }
    if (shift >= 32) {
      c.overlong = true;
      while (c.pos < c.end && (byteAt(c) & 0x80) !== 0) c.pos++;
      if (c.pos < c.end) c.pos++;
      else c.truncated = true;
      return result | 0;
    }
  }
  c.truncated = true;
  return result | 0;
}

/**
 * Strict reading used by the validator and the structural decoder: reports where a varint
 * starts, how long it is, and whether it is minimal, without kernel truncation games.
 */
export interface StrictVarint {
  value: number;
  /** bytes consumed */
  length: number;
  /** terminated inside the limit */
  terminated: boolean;
  /** longer than 5 bytes or value above 32 bits */
  overlong: boolean;
  /** a shorter encoding of the same value exists (e.g. 0x80 0x00) */
  nonMinimal: boolean;
}


/** A reusable result object, so hot loops can read varints without allocating. */
export function newVarint(): StrictVarint {
  return { value: 0, length: 0, terminated: false, overlong: false, nonMinimal: false };
}

function fill(out: StrictVarint, value: number, length: number, terminated: boolean, overlong: boolean, nonMinimal: boolean): StrictVarint {
  out.value = value;
  out.length = length;
  out.terminated = terminated;
  out.overlong = overlong;
  out.nonMinimal = nonMinimal;
  return out;
}

export function readUleb128Strict(bytes: Uint8Array, at: number, limit: number, out: StrictVarint = newVarint()): StrictVarint {
  let value = 0;
  let shift = 0;
  let pos = at;
  let overlong = false;
  while (pos < limit) {
    const byte = bytes[pos]!;
    pos++;
    if (shift < 32) value = (value | ((byte & 0x7f) << shift)) >>> 0;
    if (shift >= 28 && (byte & 0x7f) >>> Math.max(0, 32 - shift) !== 0) overlong = true;
    if ((byte & 0x80) === 0) {
      const length = pos - at;
      return fill(out, value, length, true, overlong || length > 5, length > 1 && byte === 0);
    }
    shift += 7;
  }
  return fill(out, value, pos - at, false, overlong || pos - at > 5, false);
}

/** Strict SLEB128 read (v3+ streams): value as int32, with the same diagnostics as the ULEB one. */
export function readSleb128Strict(bytes: Uint8Array, at: number, limit: number, out: StrictVarint = newVarint()): StrictVarint {
  let value = 0;
  let shift = 0;
  let pos = at;
  while (pos < limit) {
    const byte = bytes[pos]!;
    pos++;
    if (shift < 32) value = (value | ((byte & 0x7f) << shift)) >>> 0;
    shift += 7;
    if ((byte & 0x80) === 0) {
      const length = pos - at;
      if (shift < 32 && (byte & 0x40) !== 0) value = (value | -(1 << shift)) >>> 0;
      const prev = length > 1 ? bytes[pos - 2]! : 0;
      const nonMinimal = length > 1 && ((byte === 0x00 && (prev & 0x40) === 0) || (byte === 0x7f && (prev & 0x40) !== 0));
      return fill(out, value | 0, length, true, length > 5, nonMinimal);
    }
  }
  return fill(out, value | 0, pos - at, false, pos - at > 5, false);
}

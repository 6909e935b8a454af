/**
 * Bounds-checked, endian-aware sequential reads over one DWARF section's bytes (a view of the file,
 * or a relocated or decompressed copy). Every failure is an ElfFormatError naming the file and the
 * byte offset in the FILE: the section's sh_offset plus the position in the section (for
 * SHF_COMPRESSED sections the position is in the decompressed contents; see dwarf-sections.ts).
 *
 * Reads never go at or past `end` (a unit's end, a header's end, an operand's end), which callers
 * narrow and restore with `limit()`. LEB128 values may be padded with any number of 0x80 bytes,
 * as DWARF allows; they are rejected only when they run past `end` or their value does not fit
 * (2^53 - 1 for the number readers, 64 bits for the bigint readers).
 */
import { ElfFormatError } from '../elf/elf-error.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });

export class DwarfCursor {
  pos: number;
  end: number;
  private readonly view: DataView;

  constructor(
    readonly data: Uint8Array,
    /** File offset of data[0] (the section's sh_offset). */
    readonly fileOffset: number,
    readonly fileName: string,
    readonly littleEndian: boolean,
    /** How messages name the section, e.g. `.debug_line`. */
    readonly sectionLabel: string,
    pos = 0,
    end = data.length,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.pos = pos;
    this.end = Math.min(end, data.length);
  }

  /** A cursor over the same bytes with its own position and end. */
  fork(pos: number, end: number = this.end): DwarfCursor {
    return new DwarfCursor(this.data, this.fileOffset, this.fileName, this.littleEndian, this.sectionLabel, pos, end);
  }

  /** Throw an ElfFormatError at section position `at` (file offset fileOffset + at). */
  fail(at: number, detail: string): never {
    throw this.error(at, detail);
  }

  /** The ElfFormatError fail() throws (for `throw c.error(...)` where narrowing needs a throw). */
  error(at: number, detail: string): ElfFormatError {
    return new ElfFormatError(this.fileName, this.fileOffset + at, `${this.sectionLabel}+0x${at.toString(16)}: ${detail}`);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Narrow `end` to `newEnd` (which must not exceed the current end); returns the old end for restoring. */
  limit(newEnd: number, what: string): number {
    if (newEnd > this.end) this.fail(this.pos, `${what} (ending at 0x${newEnd.toString(16)}) runs past its container (ending at 0x${this.end.toString(16)})`);
    const old = this.end;
    this.end = newEnd;
    return old;
  }

  private need(n: number, what: string): number {
    const at = this.pos;
    if (n > this.end - at) {
      this.fail(at, `${what}: ${n} byte(s) needed, only ${Math.max(this.end - at, 0)} left before 0x${this.end.toString(16)}`);
    }
    this.pos = at + n;
    return at;
  }

  skip(n: number, what = 'skipped bytes'): void {
    this.need(n, what);
  }

  u8(what = 'ubyte'): number {
    return this.data[this.need(1, what)]!;
  }

  i8(what = 'sbyte'): number {
    const v = this.u8(what);
    return v >= 0x80 ? v - 0x100 : v;
  }

  u16(what = 'uhalf'): number {
    return this.view.getUint16(this.need(2, what), this.littleEndian);
  }

  u24(what = '3-byte value'): number {
    const at = this.need(3, what);
    const d = this.data;
    return this.littleEndian ? d[at]! | (d[at + 1]! << 8) | (d[at + 2]! << 16) : (d[at]! << 16) | (d[at + 1]! << 8) | d[at + 2]!;
  }

  u32(what = 'uword'): number {
    return this.view.getUint32(this.need(4, what), this.littleEndian);
  }

  u64(what = 'udword'): bigint {
    return this.view.getBigUint64(this.need(8, what), this.littleEndian);
  }

  /** An unsigned value of 1..8 bytes, as bigint. */
  uN(size: number, what = 'value'): bigint {
    switch (size) {
      case 1:
        return BigInt(this.u8(what));
      case 2:
        return BigInt(this.u16(what));
      case 4:
        return BigInt(this.u32(what));
      case 8:
        return this.u64(what);
      default: {
        if (!Number.isInteger(size) || size < 1 || size > 8) this.fail(this.pos, `${what}: unsupported size ${size}`);
        const at = this.need(size, what);
        let v = 0n;
        for (let i = 0; i < size; i++) {
          const b = BigInt(this.data[this.littleEndian ? at + size - 1 - i : at + i]!);
          v = (v << 8n) | b;
        }
        return v;
      }
    }
  }

  /** A section offset of the unit's offset size (4 or 8), as a number (at most 2^53 - 1). */
  offset(size: 4 | 8, what = 'offset'): number {
    if (size === 4) return this.u32(what);
    const at = this.pos;
    const v = this.u64(what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(at, `${what} 0x${v.toString(16)} is too large`);
    return Number(v);
  }

  /**
   * A unit's initial length field: 4 bytes, or 0xffffffff and 8 bytes (64-bit DWARF). Returns the
   * length and the offset size; 0xfffffff0-0xfffffffe are reserved and rejected.
   */
  initialLength(what = 'unit_length'): { length: number; offsetSize: 4 | 8 } {
    const at = this.pos;
    const v = this.u32(what);
    if (v < 0xfffffff0) return { length: v, offsetSize: 4 };
    if (v === 0xffffffff) return { length: this.offset(8, `${what} (64-bit DWARF)`), offsetSize: 8 };
    this.fail(at, `${what} 0x${v.toString(16)} is a reserved value`);
  }

  /** ULEB128 as a number; fails when the value exceeds 2^53 - 1. */
  uleb(what = 'ULEB128'): number {
    const d = this.data;
    const start = this.pos;
    let p = start;
    let result = 0;
    let mult = 1;
    let big = false;
    for (;;) {
      if (p >= this.end) this.fail(start, `${what}: LEB128 runs past 0x${this.end.toString(16)}`);
      const b = d[p++]!;
      const bits = b & 0x7f;
      if (bits !== 0) {
        // mult is 2^(7k); the value stays exact while below 2^53.
        if (mult > 2 ** 46 && (mult > 2 ** 49 || bits >= 16)) big = true;
        else result += bits * mult;
      }
      if ((b & 0x80) === 0) break;
      if (mult < 2 ** 63) mult *= 128;
    }
    this.pos = p;
    if (big) this.fail(start, `${what}: value does not fit in 53 bits`);
    return result;
  }

  /** ULEB128 as a bigint; fails when the value exceeds 64 bits. */
  ulebBig(what = 'ULEB128'): bigint {
    const d = this.data;
    const start = this.pos;
    let p = start;
    let result = 0n;
    let shift = 0n;
    let big = false;
    for (;;) {
      if (p >= this.end) this.fail(start, `${what}: LEB128 runs past 0x${this.end.toString(16)}`);
      const b = d[p++]!;
      const bits = b & 0x7f;
      if (bits !== 0) {
        if (shift >= 64n || (shift === 63n && bits > 1)) big = true;
        else result |= BigInt(bits) << shift;
      }
      if ((b & 0x80) === 0) break;
      if (shift < 70n) shift += 7n;
    }
    this.pos = p;
    if (big) this.fail(start, `${what}: value does not fit in 64 bits`);
    return result;
  }

  /** SLEB128 as a bigint (two's complement, 64 bits; padding beyond is accepted when it is sign bits). */
  slebBig(what = 'SLEB128'): bigint {
    const d = this.data;
    const start = this.pos;
    let p = start;
    let result = 0n;
    let shift = 0n;
    let last = 0;
    for (;;) {
      if (p >= this.end) this.fail(start, `${what}: LEB128 runs past 0x${this.end.toString(16)}`);
      const b = d[p++]!;
      last = b;
      if (shift < 70n) {
        result |= BigInt(b & 0x7f) << shift;
        shift += 7n;
      }
      if ((b & 0x80) === 0) break;
    }
    this.pos = p;
    if ((last & 0x40) !== 0) result -= 1n << shift;
    if (result < -(1n << 63n) || result >= 1n << 63n) this.fail(start, `${what}: value does not fit in 64 bits`);
    return result;
  }

  /** SLEB128 as a number; fails outside ±(2^53 - 1). */
  sleb(what = 'SLEB128'): number {
    const d = this.data;
    const start = this.pos;
    // Fast path: up to 7 bytes (49 bits).
    let result = 0;
    let mult = 1;
    let p = start;
    for (let i = 0; i < 7; i++) {
      if (p >= this.end) this.fail(start, `${what}: LEB128 runs past 0x${this.end.toString(16)}`);
      const b = d[p++]!;
      result += (b & 0x7f) * mult;
      mult *= 128;
      if ((b & 0x80) === 0) {
        this.pos = p;
        return (b & 0x40) !== 0 ? result - mult : result;
      }
    }
    const v = this.slebBig(what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) this.fail(start, `${what}: value does not fit in 53 bits`);
    return Number(v);
  }

  /** A NUL-terminated string (UTF-8, invalid bytes replaced); the NUL must lie before `end`. */
  cstring(what = 'string'): string {
    const start = this.pos;
    const nul = this.data.indexOf(0, start);
    if (nul < 0 || nul >= this.end) this.fail(start, `${what} is not NUL-terminated before 0x${this.end.toString(16)}`);
    this.pos = nul + 1;
    return decodeString(this.data, start, nul);
  }
}

/** Decode bytes [start, end) as UTF-8 (ASCII fast path). */
export function decodeString(data: Uint8Array, start: number, end: number): string {
  if (end - start < 64) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (data[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode(...data.subarray(start, end));
  }
  return utf8.decode(data.subarray(start, end));
}

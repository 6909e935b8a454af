import type { Endian } from './endian.js';
import { backingOf } from './guarded-bytes.js';

/**
 * Thrown when a read would touch a byte outside the section. The reference decoder catches it
 * and reports "no annotation"; the point of the class is that the offset is never lost.
 */
export class OutOfSection extends Error {
  constructor(
    readonly offset: number,
    readonly width: number,
    readonly sectionSize: number,
  ) {
    super(`read of ${width} byte(s) at 0x${offset.toString(16)} is outside the ${sectionSize}-byte section`);
    this.name = 'OutOfSection';
  }
}

/**
 * A read-only, bounds-checked view of one section. Every integer read goes through here, so a
 * decoder built on it cannot read outside the section however hostile the header is.
 */
export class SectionBytes {
  readonly size: number;
  readonly littleEndian: boolean;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly endian: Endian,
  ) {
    this.size = bytes.length;
    this.littleEndian = endian === 'le';
    // (a fast guarded view's copy directly: the same buffer, range and bounds checks below)
    const backing = backingOf(bytes);
    this.view = new DataView(backing.buffer, backing.byteOffset, backing.byteLength);
  }

  /** True when [offset, offset + width) lies inside the section (exact arithmetic, no wrap). */
  contains(offset: number, width: number): boolean {
    return offset >= 0 && width >= 0 && offset <= this.size && width <= this.size - offset;
  }

  u8(offset: number): number {
    if (!(offset >= 0 && offset < this.size)) throw new OutOfSection(offset, 1, this.size);
    return this.bytes[offset]!;
  }

  u16(offset: number): number {
    if (!this.contains(offset, 2)) throw new OutOfSection(offset, 2, this.size);
    return this.view.getUint16(offset, this.littleEndian);
  }

  u32(offset: number): number {
    if (!this.contains(offset, 4)) throw new OutOfSection(offset, 4, this.size);
    return this.view.getUint32(offset, this.littleEndian);
  }

  u64(offset: number): bigint {
    if (!this.contains(offset, 8)) throw new OutOfSection(offset, 8, this.size);
    return this.view.getBigUint64(offset, this.littleEndian);
  }

  /**
   * The NUL-terminated string starting at `offset`, if its terminator lies before `limit`
   * (exclusive, clamped to the section); null when it is unterminated.
   */
  cString(offset: number, limit: number): string | null {
    const nul = this.cStringEnd(offset, limit);
    if (nul < 0) return null;
    // ASCII (nearly every file name) straight from the char codes; anything else through the
    // UTF-8 decoder (which gives the same string for ASCII)
    const b = this.bytes;
    const n = nul - offset;
    if (n <= MAX_CODES) {
      const codes = (CODES[n] ??= new Array<number>(n).fill(0));
      let i = 0;
      for (; i < n; i++) {
        const c = b[offset + i]!;
        if (c >= 0x80) break;
        codes[i] = c;
      }
      if (i === n) return String.fromCharCode.apply(null, codes);
    }
    return decodeName(b.subarray(offset, nul));
  }

  /** Index of the NUL ending the string at `offset` if it lies before `limit`, else -1. */
  cStringEnd(offset: number, limit: number): number {
    const end = Math.min(limit, this.size);
    if (offset < 0 || offset >= end) return -1;
    // a plain scan of [offset, end) (the view may be a guarded array, where indexOf is a call
    // through a Proxy)
    const b = this.bytes;
    for (let i = offset; i < end; i++) if (b[i] === 0) return i;
    return -1;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** reusable char-code arrays by length, for decoding ASCII names without allocating */
const MAX_CODES = 256;
const CODES: number[][] = [];


/** File names are bytes; show them as UTF-8 (invalid sequences become U+FFFD). */
export function decodeName(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

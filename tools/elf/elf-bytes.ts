import { ElfFormatError } from './elf-error.js';

export type ElfClass = 32 | 64;
export type ElfEndian = 'le' | 'be';

/**
 * Bounds-checked, endian-aware reads over the whole file. Every read of the ELF reader goes
 * through here, and every failure (including reads the callers forgot to pre-check) becomes an
 * ElfFormatError naming the file and offset. Nothing is copied: the bytes are the caller's.
 */
export class ElfBytes {
  readonly size: number;
  readonly littleEndian: boolean;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly fileName: string,
    readonly endian: ElfEndian = 'le',
  ) {
    this.size = bytes.length;
    this.littleEndian = endian === 'le';
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  withEndian(endian: ElfEndian): ElfBytes {
    return new ElfBytes(this.bytes, this.fileName, endian);
  }

  fail(offset: number, detail: string): never {
    throw new ElfFormatError(this.fileName, offset, detail);
  }

  /** True when [offset, offset + length) lies inside the file (exact; no overflow for safe ints). */
  contains(offset: number, length: number): boolean {
    return (
      Number.isSafeInteger(offset) &&
      Number.isSafeInteger(length) &&
      offset >= 0 &&
      length >= 0 &&
      offset <= this.size &&
      length <= this.size - offset
    );
  }

  private need(offset: number, width: number): void {
    if (!this.contains(offset, width)) {
      this.fail(
        Math.min(Math.max(offset, 0), this.size),
        `read of ${width} byte(s) at 0x${offset.toString(16)} is past end of file (size ${this.size})`,
      );
    }
  }

  u8(offset: number): number {
    this.need(offset, 1);
    return this.bytes[offset]!;
  }

  u16(offset: number): number {
    this.need(offset, 2);
    return this.view.getUint16(offset, this.littleEndian);
  }

  u32(offset: number): number {
    this.need(offset, 4);
    return this.view.getUint32(offset, this.littleEndian);
  }

  u64(offset: number): bigint {
    this.need(offset, 8);
    return this.view.getBigUint64(offset, this.littleEndian);
  }

  /** An ELF "word" of the class: Elf32_Addr/Off/Word (4 bytes) or Elf64_Addr/Off/Xword (8 bytes). */
  word(offset: number, cls: ElfClass): bigint {
    return cls === 64 ? this.u64(offset) : BigInt(this.u32(offset));
  }

  /** `value` as a JS number, or an error at `fieldOffset` when it exceeds 2^53 - 1. */
  safe(value: bigint, fieldOffset: number, what: string): number {
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      this.fail(fieldOffset, `${what} 0x${value.toString(16)} is too large`);
    }
    return Number(value);
  }

  /** Zero-copy view of [offset, offset + length); the range must have been checked. */
  range(offset: number, length: number): Uint8Array {
    this.need(offset, length);
    return this.bytes.subarray(offset, offset + length);
  }
}

/**
 * A name as it may appear in a one-line message: printable ASCII names as they are, anything else
 * (control characters, newlines, non-ASCII, the empty name) JSON-quoted.
 */
export function printableName(name: string): string {
  return name !== '' && /^[\x21-\x7e]+$/.test(name) ? name : JSON.stringify(name);
}

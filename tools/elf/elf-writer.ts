/**
 * Endian-aware, range-checked stores into a byte buffer that is being assembled (the counterpart of
 * ElfBytes for output). Writing a value that does not fit its field, or outside the buffer, is a
 * programming error of the caller and throws RangeError: nothing here comes from the input file.
 */
import type { ElfClass, ElfEndian } from './elf-bytes.js';

export class ElfWriter {
  private readonly view: DataView;
  private readonly littleEndian: boolean;

  constructor(
    readonly bytes: Uint8Array,
    readonly endian: ElfEndian,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.littleEndian = endian === 'le';
  }

  private need(offset: number, width: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + width > this.bytes.length) {
      throw new RangeError(`write of ${width} byte(s) at 0x${offset.toString(16)} is outside the buffer (size ${this.bytes.length})`);
    }
  }

  u16(offset: number, value: number): void {
    this.need(offset, 2);
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`${value} does not fit in 16 bits`);
    this.view.setUint16(offset, value, this.littleEndian);
  }

  u32(offset: number, value: number): void {
    this.need(offset, 4);
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`${value} does not fit in 32 bits`);
    this.view.setUint32(offset, value, this.littleEndian);
  }

  u64(offset: number, value: bigint): void {
    this.need(offset, 8);
    if (value < 0n || value > 0xffffffffffffffffn) throw new RangeError(`${value} does not fit in 64 bits`);
    this.view.setBigUint64(offset, value, this.littleEndian);
  }

  /** An ELF "word" of the class: 4 bytes for ELF32 (Elf32_Addr/Off/Word), 8 for ELF64. */
  word(offset: number, value: bigint | number, cls: ElfClass): void {
    const v = BigInt(value);
    if (cls === 64) this.u64(offset, v);
    else {
      if (v < 0n || v > 0xffffffffn) throw new RangeError(`${v} does not fit in an ELF32 word`);
      this.u32(offset, Number(v));
    }
  }
}

/** Field offsets inside one section header entry (Elf32_Shdr / Elf64_Shdr, gABI figure 4-8). */
export function shdrFieldOffsets(cls: ElfClass) {
  return cls === 64
    ? { name: 0, type: 4, flags: 8, addr: 16, offset: 24, size: 32, link: 40, info: 44, addralign: 48, entsize: 56 }
    : { name: 0, type: 4, flags: 8, addr: 12, offset: 16, size: 20, link: 24, info: 28, addralign: 32, entsize: 36 };
}

/** Field offsets inside the ELF header (Elf32_Ehdr / Elf64_Ehdr) from e_type on. */
export function ehdrFieldOffsets(cls: ElfClass) {
  return cls === 64
    ? { type: 16, entry: 24, phoff: 32, shoff: 40, flags: 48, ehsize: 52, phentsize: 54, phnum: 56, shentsize: 58, shnum: 60, shstrndx: 62 }
    : { type: 16, entry: 24, phoff: 28, shoff: 32, flags: 36, ehsize: 40, phentsize: 42, phnum: 44, shentsize: 46, shnum: 48, shstrndx: 50 };
}

/** `value` rounded up to a multiple of `align` (0 and 1 mean no alignment). */
export function alignUp(value: number, align: number): number {
  if (align <= 1) return value;
  const rem = value % align;
  return rem === 0 ? value : value + (align - rem);
}

import { SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS, SHT_NULL, sectionTypeName } from './elf-constants.js';

/** Half-open byte range [start, end) of the file. */
export interface FileRange {
  readonly start: number;
  readonly end: number;
}

/** The decoded fields of one section header, before the ElfSection wraps them. */
export interface SectionHeaderFields {
  readonly index: number;
  readonly name: string;
  readonly nameOffset: number;
  readonly type: number;
  readonly flags: bigint;
  readonly addr: bigint;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: bigint;
  readonly entsize: bigint;
  readonly headerOffset: number;
}

/**
 * One section header and a zero-copy view of its bytes.
 *
 * Field types: 64-bit fields that are never used as file positions (`flags`, `addr`, `addralign`,
 * `entsize`) are bigint, whatever the class, so ELF32 and ELF64 read alike (`flags & SHF_ALLOC`,
 * with the bigint SHF_* constants of elf-constants.ts). `offset` and `size` are numbers: the parser
 * rejects values above 2^53 - 1, and for every section that has file bytes (any type but SHT_NULL
 * and SHT_NOBITS) it has checked that [offset, offset + size) lies inside the file.
 */
export class ElfSection implements SectionHeaderFields {
  /** Index in the section header table. */
  readonly index: number;
  /** Name from the section header string table ('' when the file has none). */
  readonly name: string;
  /** sh_name: offset of the name in the section header string table. */
  readonly nameOffset: number;
  /** sh_type (SHT_*). */
  readonly type: number;
  /** sh_flags (SHF_*), as bigint for both classes. */
  readonly flags: bigint;
  /** sh_addr: virtual address (0 in ET_REL files). */
  readonly addr: bigint;
  /** sh_offset: file offset of the section's bytes. */
  readonly offset: number;
  /** sh_size in bytes (for SHT_NOBITS, the size in memory; no file bytes). */
  readonly size: number;
  /** sh_link: type-dependent section index (string table of a symbol table, symbol table of a relocation section...). */
  readonly link: number;
  /** sh_info: type-dependent (target section of a relocation section, first global of a symbol table...). */
  readonly info: number;
  /** sh_addralign. */
  readonly addralign: bigint;
  /** sh_entsize: size of one entry for table sections, else 0. */
  readonly entsize: bigint;
  /** File offset of this section's header entry (for error messages about it). */
  readonly headerOffset: number;
  /** The file bytes of the section, or null for SHT_NOBITS and SHT_NULL sections. */
  readonly fileRange: FileRange | null;

  constructor(
    fields: SectionHeaderFields,
    private readonly file: Uint8Array,
  ) {
    this.index = fields.index;
    this.name = fields.name;
    this.nameOffset = fields.nameOffset;
    this.type = fields.type;
    this.flags = fields.flags;
    this.addr = fields.addr;
    this.offset = fields.offset;
    this.size = fields.size;
    this.link = fields.link;
    this.info = fields.info;
    this.addralign = fields.addralign;
    this.entsize = fields.entsize;
    this.headerOffset = fields.headerOffset;
    this.fileRange = hasFileBytes(fields.type) ? { start: fields.offset, end: fields.offset + fields.size } : null;
  }

  get typeName(): string {
    return sectionTypeName(this.type);
  }

  /** True when every bit of `flag` (an SHF_* bigint) is set. */
  hasFlags(flag: bigint): boolean {
    return (this.flags & flag) === flag;
  }

  get isAlloc(): boolean {
    return this.hasFlags(SHF_ALLOC);
  }

  get isWrite(): boolean {
    return this.hasFlags(SHF_WRITE);
  }

  get isExec(): boolean {
    return this.hasFlags(SHF_EXECINSTR);
  }

  /**
   * The section's bytes as a subarray of the file buffer (no copy; do not mutate). Empty for
   * SHT_NOBITS and SHT_NULL. SHF_COMPRESSED sections are returned as stored (still compressed).
   */
  data(): Uint8Array {
    const r = this.fileRange;
    return r === null ? this.file.subarray(0, 0) : this.file.subarray(r.start, r.end);
  }
}

/** Whether sections of this type occupy [sh_offset, sh_offset + sh_size) of the file. */
export function hasFileBytes(type: number): boolean {
  return type !== SHT_NOBITS && type !== SHT_NULL;
}

/**
 * Zero-copy, bounds-checked ELF reader (ELF32/ELF64, little/big-endian, any e_type), written from
 * the System V gABI. It reads the ELF header, the section header table and the symbol tables;
 * section contents are subarray views of the caller's buffer. Every structural problem of the
 * input raises ElfFormatError; memory use is bounded by the file size (every count read from the
 * file is checked against the file size before anything is allocated for it).
 *
 * Not here (yet): program headers, relocations, DWARF, SHF_COMPRESSED payloads. The pieces they
 * need are exposed: sections carry link/info/entsize/headerOffset, symbols carry shndx/table.
 */
import { ElfBytes, printableName, type ElfClass, type ElfEndian } from './elf-bytes.js';
import {
  EHDR_SIZE,
  SECTION_LINKING_TYPES,
  ELFCLASS32,
  ELFCLASS64,
  ELFDATA2LSB,
  ELFDATA2MSB,
  ET_REL,
  SHDR_SIZE,
  SHF_INFO_LINK,
  SHF_LINK_ORDER,
  SHN_LORESERVE,
  SHN_UNDEF,
  SHN_XINDEX,
  SHT_DYNSYM,
  SHT_REL,
  SHT_RELA,
  SHT_SYMTAB,
  elfMachineName,
  elfTypeName,
} from './elf-constants.js';
import { ElfSection, hasFileBytes, type SectionHeaderFields } from './elf-section.js';
import { ElfStringTable } from './elf-strtab.js';
import { readSymbolTable, type ElfSymbol } from './elf-symbols.js';

export type { ElfClass, ElfEndian } from './elf-bytes.js';
export { ElfFormatError } from './elf-error.js';
export { ElfSection, type FileRange } from './elf-section.js';
export type { ElfSymbol } from './elf-symbols.js';

/** Raw ELF header fields that the reader does not interpret (program headers are not parsed). */
export interface ElfHeaderFields {
  /** EI_OSABI, EI_ABIVERSION, EI_VERSION and e_version. */
  readonly osabi: number;
  readonly abiVersion: number;
  readonly identVersion: number;
  readonly version: number;
  readonly entry: bigint;
  /** e_phoff/e_phentsize/e_phnum: not validated. */
  readonly phoff: bigint;
  readonly phentsize: number;
  readonly phnum: number;
  /** e_flags (processor-specific). */
  readonly flags: number;
  readonly ehsize: number;
  /** e_shoff / e_shentsize as validated; shnum and shstrndx after SHN_XINDEX resolution. */
  readonly shoff: number;
  readonly shentsize: number;
  readonly shnum: number;
  readonly shstrndx: number;
}


export class ElfFile {
  readonly class: ElfClass;
  readonly endian: ElfEndian;
  /** e_type (ET_*) and its name (`ET_REL`, `ET_EXEC`, `ET_DYN`...). */
  readonly type: number;
  readonly typeName: string;
  /** e_machine (EM_*) and its name (`EM_X86_64`, `EM_AARCH64`...; `EM_<n>` when unknown). */
  readonly machine: number;
  readonly machineName: string;
  readonly header: ElfHeaderFields;
  /** The section header table, indexed by section number (sections[0] is the null section). */
  readonly sections: readonly ElfSection[];

  private readonly reader: ElfBytes;
  private readonly symbolCache = new Map<number, readonly ElfSymbol[]>();
  private symbolsByName: Map<string, ElfSymbol> | undefined;

  /** Use parseElf(). */
  constructor(
    readonly fileName: string,
    readonly bytes: Uint8Array,
    init: {
      reader: ElfBytes;
      class: ElfClass;
      type: number;
      machine: number;
      header: ElfHeaderFields;
      sections: readonly ElfSection[];
    },
  ) {
    this.reader = init.reader;
    this.class = init.class;
    this.endian = init.reader.endian;
    this.type = init.type;
    this.typeName = elfTypeName(init.type);
    this.machine = init.machine;
    this.machineName = elfMachineName(init.machine);
    this.header = init.header;
    this.sections = init.sections;
  }

  /** True for ET_REL, where symbol values are section offsets rather than addresses. */
  get isRelocatable(): boolean {
    return this.type === ET_REL;
  }

  /** The first section with this name, if any. */
  sectionByName(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** Every section with this name (relocatable objects may repeat names). */
  sectionsByName(name: string): ElfSection[] {
    return this.sections.filter((s) => s.name === name);
  }

  /** The table symbols() reads: the first SHT_SYMTAB, else the first SHT_DYNSYM. */
  symbolTable(): ElfSection | undefined {
    return this.sections.find((s) => s.type === SHT_SYMTAB) ?? this.sections.find((s) => s.type === SHT_DYNSYM);
  }

  /**
   * Symbols of .symtab (falling back to .dynsym), index 0 being the null symbol; [] when the file
   * has neither. Decoded on first call and cached; throws ElfFormatError on a malformed table.
   */
  symbols(): readonly ElfSymbol[] {
    const table = this.symbolTable();
    return table === undefined ? [] : this.symbolsOf(table);
  }

  /** Symbols of a given SHT_SYMTAB/SHT_DYNSYM section (e.g. the sh_link of a relocation section). */
  symbolsOf(table: ElfSection): readonly ElfSymbol[] {
    let syms = this.symbolCache.get(table.index);
    if (syms === undefined) {
      syms = Object.freeze(readSymbolTable(this.reader, this.class, this.sections, table));
      this.symbolCache.set(table.index, syms);
    }
    return syms;
  }

  /**
   * The first symbol of symbols() with this name, preferring a defined one (shndx != SHN_UNDEF).
   */
  findSymbol(name: string): ElfSymbol | undefined {
    if (this.symbolsByName === undefined) {
      const map = new Map<string, ElfSymbol>();
      for (const sym of this.symbols()) {
        if (sym.index === 0 || sym.name === '') continue;
        const prev = map.get(sym.name);
        if (prev === undefined || (prev.shndx === SHN_UNDEF && sym.shndx !== SHN_UNDEF)) map.set(sym.name, sym);
      }
      this.symbolsByName = map;
    }
    return this.symbolsByName.get(name);
  }

  /** The section a symbol is defined in; undefined for SHN_UNDEF, SHN_ABS, SHN_COMMON, other reserved or out-of-range indices. */
  symbolSection(sym: ElfSymbol): ElfSection | undefined {
    if (sym.shndx === SHN_UNDEF) return undefined;
    if (sym.rawShndx >= SHN_LORESERVE && sym.rawShndx !== SHN_XINDEX) return undefined;
    return this.sections[sym.shndx];
  }

  /**
   * File offset of `length` bytes at `value` in section `shndx`. For ET_REL, `value` is an offset
   * into the section; otherwise it is a virtual address inside it
   * (offset = sh_offset + (value - sh_addr)). Throws ElfFormatError (at the section header, or at
   * `at` when given) when the section does not exist, has no file bytes, or does not contain
   * [value, value + length).
   */
  addressToFileOffset(shndx: number, value: bigint, length = 0, at?: number): number {
    const section = Number.isInteger(shndx) && shndx > 0 ? this.sections[shndx] : undefined;
    if (section === undefined) {
      this.reader.fail(at ?? 0, `section index ${shndx} is not a section of the file (${this.sections.length} sections)`);
    }
    return this.mapInto(section, value, length, at ?? section.headerOffset, `0x${value.toString(16)}`);
  }

  /** File offset of a symbol's first byte (see addressToFileOffset; errors point at the symbol entry). */
  symbolFileOffset(sym: ElfSymbol, length = 0): number {
    const section = this.symbolSection(sym);
    if (section === undefined) {
      this.reader.fail(sym.entryOffset, `symbol ${describe(sym)} has section index ${sym.shndx}, which has no bytes in the file`);
    }
    return this.mapInto(section, sym.value, length, sym.entryOffset, `symbol ${describe(sym)}`);
  }

  /**
   * The bytes of a symbol: `length` bytes (default st_size) from its start, as a subarray of the
   * file buffer. Throws ElfFormatError at the symbol entry when they are not all inside the
   * symbol's section.
   */
  symbolBytes(sym: ElfSymbol, length?: number): Uint8Array {
    const n = length ?? this.reader.safe(sym.size, sym.entryOffset, `symbol ${describe(sym)} st_size`);
    const start = this.symbolFileOffset(sym, n);
    return this.bytes.subarray(start, start + n);
  }

  private mapInto(section: ElfSection, value: bigint, length: number, at: number, what: string): number {
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new RangeError(`length must be a non-negative safe integer, got ${length}`);
    }
    if (section.fileRange === null) {
      this.reader.fail(at, `${what} is in section ${section.index} (${printableName(section.name)}), which has no file bytes (${section.typeName})`);
    }
    const rel = this.isRelocatable ? value : value - section.addr;
    if (rel < 0n || rel + BigInt(length) > BigInt(section.size)) {
      const where = this.isRelocatable
        ? `offset 0x${value.toString(16)}`
        : `address 0x${value.toString(16)} (section at 0x${section.addr.toString(16)})`;
      this.reader.fail(
        at,
        `${what}: ${length} byte(s) at ${where} are not inside section ${section.index} (${printableName(section.name)}, size ${section.size})`,
      );
    }
    return section.offset + Number(rel);
  }
}

function describe(sym: ElfSymbol): string {
  return sym.name === '' ? `#${sym.index}` : `${printableName(sym.name)} (#${sym.index})`;
}

/**
 * Parse the ELF header and section header table of `bytes` (not copied; keep it unmodified while
 * the ElfFile is in use). `fileName` only labels errors. Throws ElfFormatError on any structural
 * problem; symbol tables are decoded lazily by symbols()/symbolsOf() and may throw then.
 */
export function parseElf(bytes: Uint8Array, fileName: string): ElfFile {
  const raw: ElfBytes = new ElfBytes(bytes, fileName);
  if (bytes.length < 16) {
    if (bytes.length < 4 || !hasMagic(bytes)) raw.fail(0, 'not an ELF file (bad magic)');
    raw.fail(bytes.length, `ELF identification truncated (file size ${bytes.length}, need 16)`);
  }
  if (!hasMagic(bytes)) raw.fail(0, 'not an ELF file (bad magic)');
  const eiClass = bytes[4]!;
  const eiData = bytes[5]!;
  let cls: ElfClass;
  if (eiClass === ELFCLASS32) cls = 32;
  else if (eiClass === ELFCLASS64) cls = 64;
  else raw.fail(4, `invalid EI_CLASS ${eiClass} (expected 1 for ELF32 or 2 for ELF64)`);
  let endian: ElfEndian;
  if (eiData === ELFDATA2LSB) endian = 'le';
  else if (eiData === ELFDATA2MSB) endian = 'be';
  else raw.fail(5, `invalid EI_DATA ${eiData} (expected 1 for little-endian or 2 for big-endian)`);
  const r: ElfBytes = raw.withEndian(endian);

  const ehsize = EHDR_SIZE[cls];
  if (bytes.length < ehsize) r.fail(bytes.length, `ELF${cls} header truncated (file size ${bytes.length}, need ${ehsize})`);

  // Field offsets in the ELF header.
  const F =
    cls === 64
      ? { entry: 24, phoff: 32, shoff: 40, flags: 48, ehsize: 52, phentsize: 54, phnum: 56, shentsize: 58, shnum: 60, shstrndx: 62 }
      : { entry: 24, phoff: 28, shoff: 32, flags: 36, ehsize: 40, phentsize: 42, phnum: 44, shentsize: 46, shnum: 48, shstrndx: 50 };

  const type = r.u16(16);
  const machine = r.u16(18);
  const version = r.u32(20);
  const shoff = r.safe(r.word(F.shoff, cls), F.shoff, 'e_shoff');
  const shentsize = r.u16(F.shentsize);
  const eShnum = r.u16(F.shnum);
  const eShstrndx = r.u16(F.shstrndx);

  const sections = readSectionHeaders(r, cls, F, shoff, shentsize, eShnum, eShstrndx);

  const header: ElfHeaderFields = {
    osabi: bytes[7]!,
    abiVersion: bytes[8]!,
    identVersion: bytes[6]!,
    version,
    entry: r.word(F.entry, cls),
    phoff: r.word(F.phoff, cls),
    phentsize: r.u16(F.phentsize),
    phnum: r.u16(F.phnum),
    flags: r.u32(F.flags),
    ehsize: r.u16(F.ehsize),
    shoff,
    shentsize,
    shnum: sections.list.length,
    shstrndx: sections.shstrndx,
  };
  return new ElfFile(fileName, bytes, { reader: r, class: cls, type, machine, header, sections: sections.list });
}

function hasMagic(bytes: Uint8Array): boolean {
  return bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

interface HeaderFieldOffsets {
  readonly shoff: number;
  readonly shentsize: number;
  readonly shnum: number;
  readonly shstrndx: number;
}

function readSectionHeaders(
  r: ElfBytes,
  cls: ElfClass,
  F: HeaderFieldOffsets,
  shoff: number,
  shentsize: number,
  eShnum: number,
  eShstrndx: number,
): { list: ElfSection[]; shstrndx: number } {
  if (shoff === 0) {
    // No section header table: e_shnum and e_shstrndx must say so too.
    if (eShnum !== 0) r.fail(F.shnum, `e_shnum is ${eShnum} but there is no section header table (e_shoff is 0)`);
    if (eShstrndx !== SHN_UNDEF) r.fail(F.shstrndx, `e_shstrndx is ${eShstrndx} but there is no section header table (e_shoff is 0)`);
    return { list: [], shstrndx: SHN_UNDEF };
  }
  const minEntry = SHDR_SIZE[cls];
  if (shentsize < minEntry) {
    r.fail(F.shentsize, `e_shentsize ${shentsize} is smaller than an ELF${cls} section header (${minEntry} bytes)`);
  }
  // Section 0 must be readable: with e_shnum == 0 or e_shstrndx == SHN_XINDEX it holds the real values.
  if (!r.contains(shoff, minEntry)) {
    r.fail(F.shoff, `section header table at 0x${shoff.toString(16)} starts past end of file (size ${r.size})`);
  }
  const o = shdrFieldOffsets(cls);
  let count = eShnum;
  if (eShnum === 0) {
    // SHN_XINDEX escape for the count: section 0's sh_size.
    count = r.safe(r.word(shoff + o.size, cls), shoff + o.size, 'section count in section 0 sh_size');
  }
  if (count > Math.floor((r.size - shoff) / shentsize)) {
    r.fail(
      eShnum === 0 ? shoff + o.size : F.shnum,
      `section header table (${count} entries of ${shentsize} bytes at 0x${shoff.toString(16)}) extends past end of file (size ${r.size})`,
    );
  }

  let shstrndx = eShstrndx;
  let shstrndxAt = F.shstrndx;
  if (eShstrndx === SHN_XINDEX) {
    shstrndxAt = shoff + o.link;
    shstrndx = r.u32(shstrndxAt);
  } else if (eShstrndx >= SHN_LORESERVE) {
    r.fail(F.shstrndx, `e_shstrndx 0x${eShstrndx.toString(16)} is a reserved index`);
  }
  if (shstrndx !== SHN_UNDEF && shstrndx >= count) {
    r.fail(shstrndxAt, `section name string table index ${shstrndx} is out of range (${count} sections)`);
  }

  // Decode every header (count is now bounded by file size / shentsize).
  const fields: { -readonly [K in keyof SectionHeaderFields]: SectionHeaderFields[K] }[] = [];
  for (let i = 0; i < count; i++) {
    const at = shoff + i * shentsize;
    const type = r.u32(at + o.type);
    const offset = r.safe(r.word(at + o.offset, cls), at + o.offset, `section ${i} sh_offset`);
    const size = r.safe(r.word(at + o.size, cls), at + o.size, `section ${i} sh_size`);
    const link = r.u32(at + o.link);
    const info = r.u32(at + o.info);
    const flags = r.word(at + o.flags, cls);
    if (hasFileBytes(type) && !r.contains(offset, size)) {
      r.fail(
        at,
        `section ${i} data (offset 0x${offset.toString(16)}, size 0x${size.toString(16)}) extends past end of file (size ${r.size})`,
      );
    }
    if ((SECTION_LINKING_TYPES.has(type) || (flags & SHF_LINK_ORDER) !== 0n) && (link >= count || link === i)) {
      r.fail(at + o.link, `section ${i} sh_link ${link} is ${link === i ? 'the section itself' : `out of range (${count} sections)`}`);
    }
    if ((type === SHT_REL || type === SHT_RELA || (flags & SHF_INFO_LINK) !== 0n) && (info >= count || info === i)) {
      r.fail(at + o.info, `section ${i} sh_info ${info} is ${info === i ? 'the section itself' : `out of range (${count} sections)`}`);
    }
    fields.push({
      index: i,
      name: '',
      nameOffset: r.u32(at + o.name),
      type,
      flags,
      addr: r.word(at + o.addr, cls),
      offset,
      size,
      link,
      info,
      addralign: r.word(at + o.addralign, cls),
      entsize: r.word(at + o.entsize, cls),
      headerOffset: at,
    });
  }

  if (shstrndx !== SHN_UNDEF) {
    const strtab = fields[shstrndx]!;
    if (!hasFileBytes(strtab.type)) {
      r.fail(strtab.headerOffset, `section name string table (section ${shstrndx}) has no file bytes`);
    }
    const table = new ElfStringTable(r, r.range(strtab.offset, strtab.size), 'the section name string table');
    for (const f of fields) f.name = table.get(f.nameOffset, f.headerOffset + o.name);
  }
  return { list: fields.map((f) => new ElfSection(f, r.bytes)), shstrndx };
}

function shdrFieldOffsets(cls: ElfClass) {
  return cls === 64
    ? { name: 0, type: 4, flags: 8, addr: 16, offset: 24, size: 32, link: 40, info: 44, addralign: 48, entsize: 56 }
    : { name: 0, type: 4, flags: 8, addr: 12, offset: 16, size: 20, link: 24, info: 28, addralign: 32, entsize: 36 };
}

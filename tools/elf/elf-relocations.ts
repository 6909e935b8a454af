/**
 * SHT_REL / SHT_RELA reader and the application of data relocations to debug sections, written
 * from the System V gABI ("Relocation") and the processor psABIs (see reloc-types.ts).
 *
 * Every malformed input raises ElfFormatError at the file offset of the offending section header
 * field or relocation entry. Nothing here allocates more than the relocation sections' size (entry
 * counts come from sh_size, which the ELF parser has checked against the file size).
 */
import { ElfBytes, printableName } from './elf-bytes.js';
import { ET_REL, SHF_COMPRESSED, SHF_INFO_LINK, SHN_COMMON, SHN_UNDEF, SHT_DYNSYM, SHT_NOBITS, SHT_REL, SHT_RELA, SHT_SYMTAB } from './elf-constants.js';
import { ElfFormatError, type ElfFile, type ElfSection, type ElfSymbol } from './elf-file.js';
import { relocTypeInfo, type RelocKind, type RelocTypeInfo } from './reloc-types.js';

/** One relocation entry, decoded. */
export interface Relocation {
  /** Entry number in its relocation section (for messages about it). */
  readonly index: number;
  /** Offset of the relocated field in the target section (r_offset, minus sh_addr outside ET_REL). */
  readonly offset: number;
  /** Relocation type (r_info's type part: low 8 bits in ELF32, low 32 bits in ELF64). */
  readonly type: number;
  /** Symbol table index (r_info's symbol part); 0 for none. */
  readonly symbolIndex: number;
  /** The symbol, or null for index 0. */
  readonly symbol: ElfSymbol | null;
  /** r_addend for SHT_RELA; null for SHT_REL, whose addend is the relocated field's contents. */
  readonly addend: bigint | null;
  /** Section index of the SHT_REL/SHT_RELA section holding the entry. */
  readonly relocSection: number;
  /** File offset of the entry (for messages about it). */
  readonly entryOffset: number;
}

/** Where an applied absolute relocation points: the symbol's section and the value written. */
export interface RelocationTarget {
  /** Section of the relocation's symbol; null for absolute (SHN_ABS), common or undefined symbols, and for label differences (a SUB applied to the field). */
  readonly sectionIndex: number | null;
  /** The field's value after relocation (unsigned, the field's width). */
  readonly value: bigint;
}

export interface RelocatedSection {
  readonly section: ElfSection;
  /** A copy of the section's contents with the relocations applied. */
  readonly bytes: Uint8Array;
  /** For each relocated field (by offset in the section): the relocation's symbol section and the value. */
  readonly targets: Map<number, RelocationTarget>;
  /** Number of relocations applied (R_*_NONE and relaxation hints are not counted). */
  readonly applied: number;
}

const REL_SIZE = { 32: 8, 64: 16 } as const;
const RELA_SIZE = { 32: 12, 64: 24 } as const;

function readerOf(elf: ElfFile): ElfBytes {
  return new ElfBytes(elf.bytes, elf.fileName, elf.endian);
}

function label(s: ElfSection): string {
  return `${s.index} (${printableName(s.name)})`;
}

/**
 * Whether relocation section `rs` applies to section `target`: it is SHT_REL/SHT_RELA, its
 * sh_info names `target`, and either the file is ET_REL or the section has SHF_INFO_LINK.
 */
export function relocatesSection(elf: ElfFile, rs: ElfSection, target: ElfSection): boolean {
  if (rs.type !== SHT_REL && rs.type !== SHT_RELA) return false;
  if (rs.info !== target.index || target.index === 0) return false;
  return elf.type === ET_REL || (rs.flags & SHF_INFO_LINK) !== 0n;
}

/** The relocation sections that apply to `target` (see relocatesSection), in section order. */
export function relocationSectionsFor(elf: ElfFile, target: ElfSection): ElfSection[] {
  return elf.sections.filter((rs) => relocatesSection(elf, rs, target));
}

/**
 * Decode every entry of one SHT_REL/SHT_RELA section. Checks sh_entsize (exactly the class's
 * entry size), sh_size (a multiple of it), sh_link (a symbol table, or 0 when no entry names a
 * symbol), each symbol index against that table, and each r_offset against the target section
 * (sh_info).
 */
export function readRelocationSection(elf: ElfFile, rs: ElfSection): Relocation[] {
  const r: ElfBytes = readerOf(elf);
  const cls = elf.class;
  const isRela = rs.type === SHT_RELA;
  if (!isRela && rs.type !== SHT_REL) r.fail(rs.headerOffset, `section ${label(rs)} is not a relocation section`);
  const entsize = isRela ? RELA_SIZE[cls] : REL_SIZE[cls];
  const kind = isRela ? 'SHT_RELA' : 'SHT_REL';
  if (rs.entsize !== BigInt(entsize)) {
    r.fail(rs.headerOffset + (cls === 64 ? 56 : 36), `${kind} section ${label(rs)} has sh_entsize ${rs.entsize}, expected ${entsize} for ELF${cls}`);
  }
  if (rs.size % entsize !== 0) {
    r.fail(rs.headerOffset + (cls === 64 ? 32 : 20), `${kind} section ${label(rs)} size ${rs.size} is not a multiple of its entry size ${entsize}`);
  }
  const target = elf.sections[rs.info];
  if (target === undefined || rs.info === 0) {
    r.fail(rs.headerOffset + (cls === 64 ? 44 : 28), `${kind} section ${label(rs)} sh_info ${rs.info} does not name a section`);
  }
  let symbols: readonly ElfSymbol[] = [];
  let symtab: ElfSection | undefined;
  const count = rs.size / entsize;
  if (rs.link !== 0) {
    symtab = elf.sections[rs.link];
    if (symtab === undefined || (symtab.type !== SHT_SYMTAB && symtab.type !== SHT_DYNSYM)) {
      r.fail(
        rs.headerOffset + (cls === 64 ? 40 : 24),
        `${kind} section ${label(rs)} sh_link ${rs.link} ${symtab === undefined ? 'is out of range' : `names section ${label(symtab)} (${symtab.typeName}), not a symbol table`}`,
      );
    }
    if (count > 0) symbols = elf.symbolsOf(symtab);
  }
  const out: Relocation[] = new Array<Relocation>(count);
  const addr = elf.type === ET_REL ? 0n : target.addr;
  const targetSize = contentSize(elf, target);
  for (let i = 0; i < count; i++) {
    const at = rs.offset + i * entsize;
    let rOffset: bigint;
    let symbolIndex: number;
    let type: number;
    let addend: bigint | null = null;
    if (cls === 64) {
      rOffset = r.u64(at);
      const info = r.u64(at + 8);
      symbolIndex = Number(info >> 32n);
      type = Number(info & 0xffffffffn);
      if (isRela) addend = BigInt.asIntN(64, r.u64(at + 16));
    } else {
      rOffset = BigInt(r.u32(at));
      const info = r.u32(at + 4);
      symbolIndex = info >>> 8;
      type = info & 0xff;
      if (isRela) addend = BigInt(r.u32(at + 8) | 0);
    }
    const rel = rOffset - addr;
    if (rel < 0n || rel >= targetSize) {
      r.fail(
        at,
        `relocation ${i} of section ${label(rs)}: r_offset 0x${rOffset.toString(16)} is outside target section ${label(target)} (${elf.type === ET_REL ? '' : `address 0x${target.addr.toString(16)}, `}size ${targetSize})`,
      );
    }
    let symbol: ElfSymbol | null = null;
    if (symbolIndex !== 0) {
      const s = symbols[symbolIndex];
      if (s === undefined) {
        r.fail(
          at + (cls === 64 ? 8 : 4),
          symtab === undefined
            ? `relocation ${i} of section ${label(rs)} names symbol ${symbolIndex} but the section has no symbol table (sh_link 0)`
            : `relocation ${i} of section ${label(rs)}: symbol index ${symbolIndex} is out of range (symbol table ${label(symtab)} has ${symbols.length} entries)`,
        );
      }
      symbol = s;
    }
    out[i] = { index: i, offset: Number(rel), type, symbolIndex, symbol, addend, relocSection: rs.index, entryOffset: at };
  }
  return out;
}

/**
 * The size relocations of `section` are checked against: sh_size, or for compressed sections
 * (SHF_COMPRESSED, whose relocations apply to the uncompressed contents) the size their
 * compression header gives (ch_size; for GNU `.zdebug_*` sections the 8-byte big-endian size after
 * "ZLIB"). A header too short to read falls back to sh_size.
 */
export function contentSize(elf: ElfFile, section: ElfSection): bigint {
  const r = readerOf(elf);
  if ((section.flags & SHF_COMPRESSED) !== 0n) {
    const hdr = elf.class === 64 ? 24 : 12;
    if (section.size >= hdr && section.fileRange !== null) {
      return elf.class === 64 ? r.u64(section.offset + 8) : BigInt(r.u32(section.offset + 4));
    }
  } else if (section.name.startsWith('.zdebug_') && section.size >= 12 && section.fileRange !== null) {
    const d = section.data();
    if (d[0] === 0x5a && d[1] === 0x4c && d[2] === 0x49 && d[3] === 0x42) {
      return new DataView(d.buffer, d.byteOffset, d.byteLength).getBigUint64(4, false);
    }
  }
  return BigInt(section.size);
}

/**
 * Every relocation that applies to `target`: the entries of all SHT_REL/SHT_RELA sections whose
 * sh_info is `target`'s index (only those with SHF_INFO_LINK outside ET_REL files), in section
 * order and then entry order.
 */
export function relocationsFor(elf: ElfFile, target: ElfSection): Relocation[] {
  const out: Relocation[] = [];
  for (const rs of relocationSectionsFor(elf, target)) {
    for (const rel of readRelocationSection(elf, rs)) out.push(rel);
  }
  return out;
}

/** S for a relocation: the symbol's value (0 for undefined/common symbols and for no symbol) and its section. */
function symbolTarget(elf: ElfFile, sym: ElfSymbol | null): { value: bigint; sectionIndex: number | null } {
  if (sym === null || sym.shndx === SHN_UNDEF) return { value: 0n, sectionIndex: null };
  if (sym.rawShndx === SHN_COMMON) return { value: 0n, sectionIndex: null };
  const section = elf.symbolSection(sym);
  return { value: sym.value, sectionIndex: section === undefined ? null : section.index };
}

const R_NONE = 0;

const MASKS: Record<number, bigint> = { 1: 0xffn, 2: 0xffffn, 3: 0xffffffn, 4: 0xffffffffn, 8: 0xffffffffffffffffn };

/**
 * Apply the relocations of `section` to a copy of its bytes (or of `contents`, e.g. the
 * decompressed bytes of an SHF_COMPRESSED section, to which relocations apply). Values are read
 * and written in the file's byte order.
 *
 * A relocation of a type reloc-types.ts does not know for the machine is an ElfFormatError at its
 * entry: leaving one field unrelocated gives plausible but wrong DWARF (every DW_LNE_set_address
 * 0, an address advance off by the relaxed amount), so a table derived from it would be silently
 * wrong. R_*_NONE and relaxation hints are skipped, as a linker skips them.
 *
 * Meant for ET_REL objects (in linked files, debug sections are already relocated; their
 * .rela.debug_* sections from --emit-relocs would be applied twice).
 */
export function applyDebugRelocations(elf: ElfFile, section: ElfSection, contents?: Uint8Array): RelocatedSection {
  const relocs = relocationsFor(elf, section);
  const source = contents ?? section.data();
  if (section.type === SHT_NOBITS && relocs.length > 0) {
    throw new ElfFormatError(elf.fileName, section.headerOffset, `section ${label(section)} has no bytes (SHT_NOBITS) but has relocations`);
  }
  const bytes = new Uint8Array(source);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = elf.endian === 'le';
  const targets = new Map<number, RelocationTarget>();
  let applied = 0;

  const read = (off: number, width: number): bigint => {
    switch (width) {
      case 1:
        return BigInt(bytes[off]!);
      case 2:
        return BigInt(view.getUint16(off, le));
      case 3:
        return le
          ? BigInt(bytes[off]! | (bytes[off + 1]! << 8) | (bytes[off + 2]! << 16))
          : BigInt((bytes[off]! << 16) | (bytes[off + 1]! << 8) | bytes[off + 2]!);
      case 4:
        return BigInt(view.getUint32(off, le));
      default:
        return view.getBigUint64(off, le);
    }
  };
  const write = (off: number, width: number, value: bigint): bigint => {
    const v = value & MASKS[width]!;
    switch (width) {
      case 1:
        bytes[off] = Number(v);
        break;
      case 2:
        view.setUint16(off, Number(v), le);
        break;
      case 3:
        for (let i = 0; i < 3; i++) bytes[off + (le ? i : 2 - i)] = Number((v >> BigInt(8 * i)) & 0xffn);
        break;
      case 4:
        view.setUint32(off, Number(v), le);
        break;
      default:
        view.setBigUint64(off, v, le);
    }
    return v;
  };

  for (const rel of relocs) {
    // Type 0 is R_<arch>_NONE in every psABI, so it is skipped even for a machine unknown here.
    if (rel.type === R_NONE) continue;
    const info: RelocTypeInfo | undefined = relocTypeInfo(elf.machine, rel.type);
    if (info === undefined) throw unsupportedType(elf, rel);
    if (info.kind === 'none') continue;
    const { value: s, sectionIndex } = symbolTarget(elf, rel.symbol);
    const fail = (detail: string): never => {
      throw new ElfFormatError(elf.fileName, rel.entryOffset, `${info.name} relocation at offset 0x${rel.offset.toString(16)} of section ${label(section)}: ${detail}`);
    };

    if (info.kind === 'setUleb' || info.kind === 'addUleb' || info.kind === 'subUleb') {
      // A ULEB128 field: keep its length (the assembler reserved it), rewrite the value.
      let end = rel.offset;
      while (end < bytes.length && (bytes[end]! & 0x80) !== 0) end++;
      if (end >= bytes.length) fail(`ULEB128 field runs past the end of the section (size ${bytes.length})`);
      let current = 0n;
      for (let p = end; p >= rel.offset; p--) current = (current << 7n) | BigInt(bytes[p]! & 0x7f);
      const a = rel.addend ?? 0n;
      let v = info.kind === 'setUleb' ? s + a : info.kind === 'addUleb' ? current + (s + a) : current - (s + a);
      v = BigInt.asUintN(64, v);
      let w = v;
      for (let p = rel.offset; p < end; p++) {
        bytes[p] = 0x80 | Number(w & 0x7fn);
        w >>= 7n;
      }
      bytes[end] = Number(w & 0x7fn);
      recordTarget(targets, rel.offset, differenceTarget(info.kind, targets.has(rel.offset), sectionIndex), v);
      applied++;
      continue;
    }

    const width = info.width;
    if (rel.offset + width > bytes.length) fail(`the ${width}-byte field is not inside the section (size ${bytes.length})`);
    if (info.kind === 'set6' || info.kind === 'add6' || info.kind === 'sub6') {
      const byte = bytes[rel.offset]!;
      const a = rel.addend ?? 0n;
      const current = BigInt(byte & 0x3f);
      const low = info.kind === 'set6' ? s + a : info.kind === 'add6' ? current + (s + a) : current - (s + a);
      const v = Number(BigInt.asUintN(6, low));
      bytes[rel.offset] = (byte & 0xc0) | v;
      recordTarget(targets, rel.offset, differenceTarget(info.kind, targets.has(rel.offset), sectionIndex), BigInt(v));
      applied++;
      continue;
    }
    const current = read(rel.offset, width);
    // REL: the addend is stored in the field (sign doesn't matter modulo the width).
    const a = rel.addend ?? (info.kind === 'abs' ? current : 0n);
    let v: bigint;
    if (info.kind === 'abs') v = write(rel.offset, width, s + a);
    else if (info.kind === 'add') v = write(rel.offset, width, current + s + a);
    else v = write(rel.offset, width, current - (s + a));
    recordTarget(targets, rel.offset, differenceTarget(info.kind, targets.has(rel.offset), sectionIndex), v);
    applied++;
  }
  return { section, bytes, targets, applied };
}

/**
 * The section a relocated field points into, for RelocationTarget: a set or absolute relocation
 * names its symbol's section; a field that a SUB (or a second relocation of an ADD pair) has
 * touched holds a label difference, which points nowhere.
 */
function differenceTarget(kind: RelocKind, seenBefore: boolean, sectionIndex: number | null): number | null {
  if (kind === 'sub' || kind === 'sub6' || kind === 'subUleb') return null;
  if ((kind === 'add' || kind === 'add6' || kind === 'addUleb') && seenBefore) return null;
  return sectionIndex;
}

/**
 * The error for a relocation whose type reloc-types.ts does not know for the machine, at the
 * relocation entry's file offset (the fix is in the tool or the object, not in the DWARF).
 */
function unsupportedType(elf: ElfFile, rel: Relocation): ElfFormatError {
  const rs = elf.sections[rel.relocSection]!;
  return new ElfFormatError(
    elf.fileName,
    rel.entryOffset,
    `relocation ${rel.index} of section ${label(rs)} has type ${rel.type} (0x${rel.type.toString(16)}), which lineinfo-kit does not apply for ${elf.machineName}`,
  );
}

function recordTarget(targets: Map<number, RelocationTarget>, offset: number, sectionIndex: number | null, value: bigint): void {
  targets.set(offset, { sectionIndex, value });
}

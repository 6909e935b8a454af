/**
 * Add a section to a relocatable ELF object (a kernel module .ko or a .o), or replace the contents
 * of one, without disturbing anything else in the file. Written from the System V gABI (ELF header,
 * section header table, SHN_XINDEX escapes, string tables, section groups); ELF32/ELF64, either
 * byte order.
 *
 * What the output looks like. The input bytes are copied up to the end of the last byte any kept
 * section, the ELF header or the program header table uses; after that come, in order:
 *   1. if the name had to be added: the section header string table, moved here with the name
 *      appended (its existing names keep their offsets, so every sh_name stays valid);
 *   2. the new section's data, at an offset aligned to its sh_addralign;
 *   3. the section header table, aligned to 4 (ELF32) or 8 (ELF64) bytes, with e_shoff updated.
 * The bytes dropped from the tail are only the old section header table, the old string table
 * copy and (with `replace`) the replaced section's old data, plus zero padding; anything else
 * found there (e.g. trailing data no header describes) is kept and the new parts go after it.
 *
 * Every existing section keeps its index, sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size,
 * sh_link, sh_info, sh_addralign and sh_entsize, and its bytes (only the section header string
 * table gets a new sh_offset/sh_size when a name is added). Since the new section is appended,
 * no section index changes, so symbol tables, relocation sections, groups and SHT_SYMTAB_SHNDX
 * tables are copied untouched. Section counts of SHN_LORESERVE (0xff00) and above use the gABI
 * escape (e_shnum 0, the count in section 0's sh_size); an e_shstrndx escape (SHN_XINDEX, the index
 * in section 0's sh_link) is preserved as it is.
 *
 * Only ET_REL files are accepted: in a linked file (ET_EXEC, ET_DYN) an SHF_ALLOC section would
 * have to be covered by a program header, which this does not attempt.
 */
import { printableName } from './elf-bytes.js';
import {
  ET_REL,
  SHF_ALLOC,
  SHF_COMPRESSED,
  SHF_GROUP,
  SHF_INFO_LINK,
  SHF_LINK_ORDER,
  SECTION_LINKING_TYPES,
  SHN_LORESERVE,
  SHN_UNDEF,
  SHT_GROUP,
  SHT_NOBITS,
  SHT_NULL,
  SHT_PROGBITS,
  SHT_REL,
  SHT_RELA,
  SHT_SYMTAB,
  STT_SECTION,
  sectionTypeName,
} from './elf-constants.js';
import { ElfFormatError } from './elf-error.js';
import { parseElf, type ElfFile, type ElfSection } from './elf-file.js';
import { ElfWriter, alignUp, ehdrFieldOffsets, shdrFieldOffsets } from './elf-writer.js';
import { UsageError } from '../errors.js';
import { MAX_ALIGN, canDropTail, endsWith, findString, groupMembers, keptEnd, linksToSection, smallAlign } from './file-layout.js';
import { LINEINFO_BLOBS, withoutStaleLineinfo } from './old-lineinfo.js';

export interface EmbedSectionOptions {
  /** Section name, e.g. `.mod_lineinfo` (non-empty, no NUL; stored as UTF-8). */
  name: string;
  /** The section contents (copied into the output). */
  data: Uint8Array;
  /** sh_flags, e.g. SHF_ALLOC. SHF_LINK_ORDER, SHF_INFO_LINK and SHF_GROUP are refused (they need sh_link/sh_info/a group this does not set). */
  flags: bigint;
  /** sh_addralign: 0 or a power of two up to 2^20; the data is placed at a file offset that is a multiple of it. */
  addralign: number;
  /** sh_type; default SHT_PROGBITS. Types without file bytes or whose sh_link/sh_info must name other sections are refused. */
  type?: number;
  /**
   * When a section of this name exists: false (default) refuses; true gives that section (same
   * index, same sh_name) the new data, type, flags and alignment, with sh_addr, sh_link, sh_info
   * and sh_entsize set to 0 like a new section. Replacing `.mod_lineinfo` (or
   * `.init.mod_lineinfo`) also removes the old lineinfo's relocation sections and other blob
   * (old-lineinfo.ts); later sections' indices shift and are renumbered (remove-sections.ts).
   */
  replace?: boolean;
}

/** The largest sh_addralign accepted (the padding before the data is at most this minus one). */
export const MAX_EMBED_ALIGN = MAX_ALIGN;

/** Trailer of a kernel module signed by scripts/sign-file (the signature sits after the ELF image). */
const MODULE_SIG_MAGIC = new TextEncoder().encode('~Module signature appended~\n');


const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

interface CheckedOptions {
  name: string;
  nameBytes: Uint8Array;
  data: Uint8Array;
  flags: bigint;
  addralign: number;
  type: number;
  replace: boolean;
}

/**
 * Return new file bytes: `elfBytes` (never modified) with a section `options.name` holding
 * `options.data`, appended as section number e_shnum (or, with `replace`, put in place of the
 * existing section of that name). `fileName` only labels errors.
 *
 * Throws ElfFormatError (file name and byte offset) when the input is malformed, is not ET_REL
 * (offset 0x10, e_type), carries an appended module signature, has no section name string table,
 * already has a section of that name (without `replace`; offset of its section header), or when
 * the section to replace cannot be replaced safely (it is a symbol/relocation/group table, other
 * sections link to it, relocations apply to it, it is in a section group, or non-section symbols
 * are defined in it). Throws UsageError for invalid options.
 */
export function embedSection(elfBytes: Uint8Array, fileName: string, options: EmbedSectionOptions): Uint8Array {
  const opts = checkOptions(options);
  if (opts.replace && LINEINFO_BLOBS.includes(opts.name) && parseElf(elfBytes, fileName).sectionByName(opts.name)) {
    // Replacing a module's lineinfo: its relocation sections and the init blob of a sectioned
    // one describe the old bytes (old-lineinfo.ts); they go, the section itself is replaced in place.
    const pruned = withoutStaleLineinfo(elfBytes, fileName, [opts.name]);
    if (pruned) return embedSection(pruned, fileName, options);
  }
  const elf = parseElf(elfBytes, fileName);
  const cls = elf.class;
  const E = ehdrFieldOffsets(cls);
  const S = shdrFieldOffsets(cls);

  if (elf.type !== ET_REL) {
    throw new ElfFormatError(
      fileName,
      E.type,
      `e_type is ${elf.typeName}: only relocatable objects (ET_REL) can have a section embedded; a linked file would need its program headers rewritten`,
    );
  }
  if (endsWith(elfBytes, MODULE_SIG_MAGIC)) {
    throw new ElfFormatError(
      fileName,
      elfBytes.length - MODULE_SIG_MAGIC.length,
      'the module has an appended signature, which a change to the file would invalidate; embed the section before signing',
    );
  }
  if (cls === 32) {
    if (opts.flags > 0xffffffffn) throw new UsageError(`section flags 0x${opts.flags.toString(16)} do not fit in an ELF32 sh_flags field`);
  }
  const sections = elf.sections;
  const count = sections.length;
  if (count === 0) throw new ElfFormatError(fileName, E.shoff, 'the file has no section header table');
  const shstrndx = elf.header.shstrndx;
  if (shstrndx === SHN_UNDEF) {
    throw new ElfFormatError(fileName, E.shstrndx, 'the file has no section name string table (e_shstrndx is SHN_UNDEF)');
  }
  const shstrtab = sections[shstrndx]!;

  // The section to replace, if any.
  const existing = elf.sectionsByName(opts.name);
  let target: ElfSection | undefined;
  if (existing.length > 0) {
    const first = existing[0]!;
    if (!opts.replace) {
      throw new ElfFormatError(
        fileName,
        first.headerOffset,
        `section ${printableName(opts.name)} already exists (section ${first.index}); pass replace to overwrite it${LINEINFO_BLOBS.includes(opts.name) ? ' (the old lineinfo\'s relocation sections and init blob are then removed)' : ''}`,
      );
    }
    if (existing.length > 1) {
      throw new ElfFormatError(
        fileName,
        existing[1]!.headerOffset,
        `${existing.length} sections are named ${printableName(opts.name)} (sections ${existing.map((s) => s.index).join(', ')}); cannot tell which to replace`,
      );
    }
    target = first;
    checkReplaceable(elf, target);
  }

  // The name: reuse the existing sh_name when replacing, else an existing copy of the string, else append it.
  const oldStrData = shstrtab.data();
  let nameOffset: number;
  let newStrData: Uint8Array | undefined;
  if (target !== undefined) {
    nameOffset = target.nameOffset;
  } else {
    nameOffset = findString(oldStrData, opts.nameBytes);
    if (nameOffset < 0) {
      const needsNul = oldStrData.length === 0 || oldStrData[oldStrData.length - 1] !== 0;
      const lead = needsNul ? 1 : 0;
      newStrData = new Uint8Array(oldStrData.length + lead + opts.nameBytes.length + 1);
      newStrData.set(oldStrData, 0);
      nameOffset = oldStrData.length + lead;
      newStrData.set(opts.nameBytes, nameOffset);
    }
  }

  // Layout. Regions of the input that the output no longer refers to:
  const shentsize = elf.header.shentsize;
  const oldShoff = elf.header.shoff;
  const dropped: Array<[number, number]> = [[oldShoff, oldShoff + count * shentsize]];
  const moved = new Set<number>();
  if (newStrData !== undefined) {
    dropped.push([shstrtab.offset, shstrtab.offset + shstrtab.size]);
    moved.add(shstrndx);
  }
  if (target !== undefined) {
    if (target.fileRange !== null) dropped.push([target.fileRange.start, target.fileRange.end]);
    moved.add(target.index);
  }
  const keep = keptEnd(elf, moved);
  const cut = canDropTail(elfBytes, keep, dropped) ? keep : elfBytes.length;

  // The moved string table goes before the data, so that a later `replace` of the data finds it
  // (with the section header table) at the tail and reuses the space.
  const newCount = target === undefined ? count + 1 : count;
  let pos = cut;
  let strOffset = shstrtab.offset;
  if (newStrData !== undefined) {
    strOffset = alignUp(pos, smallAlign(shstrtab.addralign));
    pos = strOffset + newStrData.length;
  }
  const dataOffset = alignUp(pos, opts.addralign);
  pos = dataOffset + opts.data.length;
  const shoff = alignUp(pos, cls === 64 ? 8 : 4);
  const total = shoff + newCount * shentsize;
  if (cls === 32 && total > 0xffffffff) {
    throw new UsageError(`the result would be ${total} bytes, more than an ELF32 file can address`);
  }
  if (!Number.isSafeInteger(total) || total > 0x7fffffff) {
    throw new UsageError(`the result would be ${total} bytes, more than this tool can build in memory`);
  }

  const out = new Uint8Array(total);
  out.set(elfBytes.subarray(0, cut), 0);
  out.set(opts.data, dataOffset);
  if (newStrData !== undefined) out.set(newStrData, strOffset);
  out.set(elfBytes.subarray(oldShoff, oldShoff + count * shentsize), shoff);

  const w = new ElfWriter(out, elf.endian);
  // ELF header: e_shoff, e_shnum (with the section-0 escape when needed; e_shstrndx is unchanged).
  w.word(E.shoff, shoff, cls);
  const rawShnum = readU16(elfBytes, E.shnum, elf.endian === 'le');
  if (newCount >= SHN_LORESERVE || rawShnum === 0) {
    w.u16(E.shnum, 0);
    w.word(shoff + S.size, newCount, cls); // section 0's sh_size

  } else {
    w.u16(E.shnum, newCount);
  }
  if (newStrData !== undefined) {
    const at = shoff + shstrndx * shentsize;
    w.word(at + S.offset, strOffset, cls);
    w.word(at + S.size, newStrData.length, cls);
  }
  const index = target === undefined ? count : target.index;
  const at = shoff + index * shentsize;
  if (target === undefined) out.fill(0, at, at + shentsize);
  w.u32(at + S.name, nameOffset);
  w.u32(at + S.type, opts.type);
  w.word(at + S.flags, opts.flags, cls);
  w.word(at + S.addr, 0, cls);
  w.word(at + S.offset, dataOffset, cls);
  w.word(at + S.size, opts.data.length, cls);
  w.u32(at + S.link, 0);
  w.u32(at + S.info, 0);
  w.word(at + S.addralign, opts.addralign, cls);
  w.word(at + S.entsize, 0, cls);

  selfCheck(out, fileName, index, newCount, opts);
  return out;
}

function checkOptions(options: EmbedSectionOptions): CheckedOptions {
  const { name, data, flags, addralign } = options;
  const type = options.type ?? SHT_PROGBITS;
  if (typeof name !== 'string' || name === '' || name.includes('\0')) {
    throw new UsageError(`section name must be a non-empty string without NUL characters, got ${JSON.stringify(name)}`);
  }
  const nameBytes = utf8Encoder.encode(name);
  try {
    if (utf8Decoder.decode(nameBytes) !== name) throw new Error('not round-trip');
  } catch {
    throw new UsageError(`section name ${JSON.stringify(name)} is not well-formed Unicode`);
  }
  if (!(data instanceof Uint8Array)) throw new UsageError('section data must be a Uint8Array');
  if (typeof flags !== 'bigint' || flags < 0n || flags > 0xffffffffffffffffn) {
    throw new UsageError(`section flags must be a bigint in [0, 2^64), got ${String(flags)}`);
  }
  for (const [bit, what] of [
    [SHF_LINK_ORDER, 'SHF_LINK_ORDER (needs sh_link)'],
    [SHF_INFO_LINK, 'SHF_INFO_LINK (needs sh_info)'],
    [SHF_GROUP, 'SHF_GROUP (needs a section group listing the section)'],
  ] as const) {
    if ((flags & bit) !== 0n) throw new UsageError(`section flag ${what} cannot be set on an embedded section`);
  }
  if ((flags & SHF_COMPRESSED) !== 0n && (flags & SHF_ALLOC) !== 0n) {
    throw new UsageError('SHF_COMPRESSED cannot be combined with SHF_ALLOC (gABI)');
  }
  if (!Number.isInteger(addralign) || addralign < 0 || addralign > MAX_EMBED_ALIGN || (addralign & (addralign - 1)) !== 0) {
    throw new UsageError(`section alignment must be 0 or a power of two up to ${MAX_EMBED_ALIGN}, got ${addralign}`);
  }
  if (!Number.isInteger(type) || type < 0 || type > 0xffffffff) {
    throw new UsageError(`section type must be a 32-bit unsigned integer, got ${type}`);
  }
  if (type === SHT_NULL || type === SHT_NOBITS || SECTION_LINKING_TYPES.has(type)) {
    throw new UsageError(`section type ${sectionTypeName(type)} cannot be embedded (it has no file bytes or needs sh_link/sh_info)`);
  }
  return { name, nameBytes, data, flags, addralign, type, replace: options.replace === true };
}

/**
 * Refuse to replace a section whose contents other parts of the file describe: replacing its bytes
 * would silently break them.
 */
function checkReplaceable(elf: ElfFile, target: ElfSection): void {
  const fail = (why: string): never => {
    throw new ElfFormatError(elf.fileName, target.headerOffset, `cannot replace section ${target.index} (${printableName(target.name)}): ${why}`);
  };
  if (target.index === elf.header.shstrndx) fail('it is the section name string table');
  if (target.type === SHT_NULL || target.type === SHT_NOBITS || SECTION_LINKING_TYPES.has(target.type)) {
    fail(`it is a ${target.typeName} section`);
  }
  for (const s of elf.sections) {
    if (s.index === 0 || s.index === target.index) continue;
    if (linksToSection(s) && s.link === target.index) {
      fail(`section ${s.index} (${printableName(s.name)}) links to it`);
    }
    if ((s.type === SHT_REL || s.type === SHT_RELA || (s.flags & SHF_INFO_LINK) !== 0n) && s.info === target.index) {
      fail(`section ${s.index} (${printableName(s.name)}) ${s.type === SHT_REL || s.type === SHT_RELA ? 'holds relocations for it' : 'refers to it'}`);
    }
    if (s.type === SHT_GROUP && groupMembers(elf, s).includes(target.index)) {
      fail(`it is a member of section group ${s.index} (${printableName(s.name)})`);
    }
  }
  for (const table of elf.sections) {
    if (table.type !== SHT_SYMTAB) continue;
    for (const sym of elf.symbolsOf(table)) {
      if (sym.index !== 0 && sym.shndx === target.index && sym.rawShndx !== SHN_UNDEF && sym.type !== STT_SECTION) {
        fail(`symbol ${printableName(sym.name)} (#${sym.index} of section ${table.index}) is defined in it`);
      }
    }
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function readU16(bytes: Uint8Array, offset: number, littleEndian: boolean): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(offset, littleEndian);
}

/** Re-read the output: a failure here is a bug of this module, not a problem of the input. */
function selfCheck(out: Uint8Array, fileName: string, index: number, count: number, opts: CheckedOptions): void {
  let ok = false;
  try {
    const elf = parseElf(out, fileName);
    const s = elf.sections[index];
    ok =
      elf.sections.length === count &&
      s !== undefined &&
      s.name === opts.name &&
      s.type === opts.type &&
      s.flags === opts.flags &&
      s.size === opts.data.length &&
      (opts.addralign <= 1 || s.offset % opts.addralign === 0) &&
      equalBytes(s.data(), opts.data);
  } catch (err) {
    throw new Error(`embedSection produced an unreadable file (bug): ${(err as Error).message}`);
  }
  if (!ok) throw new Error('embedSection produced a file that does not hold the section as requested (bug)');
}

/**
 * Add the sectioned lineinfo blobs of v5 on (`.mod_lineinfo`, `.init.mod_lineinfo`) to a
 * relocatable module, each with the relocation section that fills in its descriptors' anchors, as
 * the kernel build's `ld -r x.ko.lineinfo.o x.ko` leaves them:
 *
 *  - each blob: SHT_PROGBITS, SHF_ALLOC, sh_addralign 8;
 *  - `.rela.<blob>` (RELA targets) or `.rel.<blob>` (REL targets: i386, arm) with SHF_INFO_LINK,
 *    sh_link the symbol table, sh_info the blob; one absolute relocation per descriptor against
 *    the STT_SECTION symbol of its covered section: R_*_64 on ELFCLASS64 at the anchor, the
 *    target's abs32 on ELFCLASS32 at the half of the u64 that holds the low word (`.long sym, 0`
 *    on little-endian, `.long 0, sym` on big-endian); REL addends are the field's contents, 0;
 *  - a covered section without a section symbol gets one: a local STT_SECTION symbol inserted at
 *    the symbol table's first global (locals must precede globals, gABI), every later symbol moving
 *    up by one and every reference to them (relocation entries, group signatures, the
 *    SHT_SYMTAB_SHNDX table) renumbered to keep its meaning.
 *
 * Every other section keeps its index and header fields and every other byte its meaning: new
 * and rewritten contents (blobs, relocation sections, and when they change the section name
 * string table and symbol table) go after the input's bytes, followed by a new section header
 * table. With `replace`, sections of the same names are given the new contents in place (same
 * index), and the rest of the old lineinfo (an init blob the new one lacks, a relocation section
 * of the other kind) is removed first (old-lineinfo.ts); without it, a relocation section of the
 * other kind (`.rel.` for `.rela.`) is refused.
 */
import { printableName } from './elf-bytes.js';
import {
  EM_386,
  EM_AARCH64,
  EM_ARM,
  EM_PPC,
  EM_PPC64,
  EM_RISCV,
  EM_S390,
  EM_LOONGARCH,
  EM_X86_64,
  ET_REL,
  SHF_ALLOC,
  SHF_INFO_LINK,
  SHN_LORESERVE,
  SHN_UNDEF,
  SHT_GROUP,
  SHT_PROGBITS,
  SHT_REL,
  SHT_RELA,
  SHT_SYMTAB,
  SHT_SYMTAB_SHNDX,
  STT_SECTION,
} from './elf-constants.js';
import { ElfFormatError } from './elf-error.js';
import { parseElf, type ElfFile, type ElfSection } from './elf-file.js';
import { ElfWriter, alignUp, ehdrFieldOffsets, shdrFieldOffsets } from './elf-writer.js';
import { canDropTail, endsWith, findString, keptEnd, smallAlign } from './file-layout.js';
import { relocTypeInfo } from './reloc-types.js';
import { withoutStaleLineinfo } from './old-lineinfo.js';

export interface BlobToEmbed {
  /** `.mod_lineinfo` or `.init.mod_lineinfo` */
  readonly name: string;
  readonly bytes: Uint8Array;
  /** per descriptor: blob offset of its u64 anchor and the covered section's name */
  readonly anchors: readonly { readonly offset: number; readonly section: string }[];
}

/** How anchors are relocated on a machine: REL or RELA, and the absolute type of the class's width. */
export interface AnchorRelocation {
  readonly rela: boolean;
  readonly type: number;
  readonly width: 4 | 8;
}

/** R_*_64 / abs32 per machine (numbers from the psABIs, as in reloc-types.ts). */
const ANCHOR_TYPES: ReadonlyMap<number, { rela: boolean; abs32: number; abs64?: number }> = new Map([
  [EM_X86_64, { rela: true, abs32: 10, abs64: 1 }],
  [EM_386, { rela: false, abs32: 1 }],
  [EM_AARCH64, { rela: true, abs32: 258, abs64: 257 }],
  [EM_ARM, { rela: false, abs32: 2 }],
  [EM_RISCV, { rela: true, abs32: 1, abs64: 2 }],
  [EM_PPC64, { rela: true, abs32: 1, abs64: 38 }],
  [EM_PPC, { rela: true, abs32: 1 }],
  [EM_S390, { rela: true, abs32: 4, abs64: 22 }],
  [EM_LOONGARCH, { rela: true, abs32: 1, abs64: 2 }],
]);

export function anchorRelocation(elf: ElfFile): AnchorRelocation {
  const m = ANCHOR_TYPES.get(elf.machine);
  const width = elf.class === 64 ? 8 : 4;
  const type = width === 8 ? m?.abs64 : m?.abs32;
  if (m === undefined || type === undefined || relocTypeInfo(elf.machine, type) === undefined) {
    throw new ElfFormatError(elf.fileName, 0x12, `no absolute ${width * 8}-bit relocation known for ${elf.machineName} ELF${elf.class}: cannot relocate the lineinfo anchors`);
  }
  return { rela: m.rela, type, width };
}

/** Blob offset of the relocated field of the anchor at `anchorOffset`. */
export function anchorFieldOffset(elf: ElfFile, anchorOffset: number): number {
  return elf.class === 64 || elf.endian === 'le' ? anchorOffset : anchorOffset + 4;
}

/** Trailer of a kernel module signed by scripts/sign-file. */
const MODULE_SIG_MAGIC = new TextEncoder().encode('~Module signature appended~\n');

/** A section header being built: an input header (maybe with new contents) or a new one. */
interface Shdr {
  nameOffset: number;
  type: number;
  flags: bigint;
  addr: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: bigint;
  entsize: bigint;
  /** new contents, placed after the input's bytes */
  data: Uint8Array | null;
}

export function embedLineinfoBlobs(elfBytes: Uint8Array, fileName: string, blobs: readonly BlobToEmbed[], options: { replace?: boolean } = {}): Uint8Array {
  if (options.replace) {
    // The old lineinfo's parts that these blobs do not rewrite in place (an init blob the new
    // lineinfo lacks, relocation sections of the other kind) describe old bytes: remove them first.
    const probe = parseElf(elfBytes, fileName);
    const rel = anchorRelocation(probe).rela ? '.rela' : '.rel';
    const pruned = withoutStaleLineinfo(elfBytes, fileName, blobs.flatMap((b) => [b.name, `${rel}${b.name}`]));
    if (pruned) return embedLineinfoBlobs(pruned, fileName, blobs, options);
  }
  const elf = parseElf(elfBytes, fileName);
  const cls = elf.class;
  const le = elf.endian === 'le';
  const E = ehdrFieldOffsets(cls);
  const S = shdrFieldOffsets(cls);
  const fail = (at: number, why: string): never => {
    throw new ElfFormatError(fileName, at, why);
  };
  if (elf.type !== ET_REL) fail(E.type, `e_type is ${elf.typeName}: only relocatable modules (ET_REL) can have lineinfo blobs embedded`);
  if (endsWith(elfBytes, MODULE_SIG_MAGIC)) fail(elfBytes.length - MODULE_SIG_MAGIC.length, 'the module has an appended signature, which a change to the file would invalidate; embed the section before signing');
  if (elf.sections.length === 0) fail(E.shoff, 'the file has no section header table');
  const shstrndx = elf.header.shstrndx;
  if (shstrndx === SHN_UNDEF) fail(E.shstrndx, 'the file has no section name string table');
  const symtabs = elf.sections.filter((s) => s.type === SHT_SYMTAB);
  if (symtabs.length !== 1) fail(E.shoff, `the module has ${symtabs.length} symbol tables (SHT_SYMTAB); the anchor relocations need exactly one`);
  const symtab = symtabs[0]!;
  const reloc = anchorRelocation(elf);

  const headers: Shdr[] = elf.sections.map((s) => ({
    nameOffset: s.nameOffset, type: s.type, flags: s.flags, addr: s.addr, offset: s.offset, size: s.size,
    link: s.link, info: s.info, addralign: s.addralign, entsize: s.entsize, data: null,
  }));

  // Names: reuse existing strings, append missing ones to a copy of the string table.
  let strtab = elf.sections[shstrndx]!.data();
  let strtabChanged = false;
  const nameOffset = (name: string): number => {
    const bytes = new TextEncoder().encode(name);
    const at = findString(strtab, bytes);
    if (at >= 0) return at;
    const lead = strtab.length === 0 || strtab[strtab.length - 1] !== 0 ? 1 : 0;
    const grown = new Uint8Array(strtab.length + lead + bytes.length + 1);
    grown.set(strtab);
    grown.set(bytes, strtab.length + lead);
    strtab = grown;
    strtabChanged = true;
    return strtab.length - bytes.length - 1;
  };

  // Section symbols of the covered sections, inserting missing ones at the first global.
  const symbols = elf.symbolsOf(symtab);
  const firstGlobal = Math.min(symtab.info, symbols.length);
  const covered = [...new Set(blobs.flatMap((b) => b.anchors.map((a) => a.section)))];
  const coveredIndex = new Map<string, number>();
  for (const name of covered) {
    const s = elf.sectionsByName(name);
    if (s.length !== 1) fail(E.shoff, s.length === 0 ? `the module has no ${printableName(name)} section to anchor` : `${s.length} sections are named ${printableName(name)}; cannot tell which one to anchor`);
    coveredIndex.set(name, s[0]!.index);
  }
  const symbolOf = new Map<string, number>();
  const missing: string[] = [];
  for (const [name, index] of coveredIndex) {
    const sym = symbols.find((y) => y.type === STT_SECTION && y.shndx === index && y.bind === 0 && y.value === 0n);
    if (sym) symbolOf.set(name, sym.index);
    else missing.push(name);
  }
  const inserted = missing.length;
  missing.forEach((name, k) => symbolOf.set(name, firstGlobal + k));
  const renumber = (i: number): number => (i >= firstGlobal ? i + inserted : i);
  if (inserted > 0) {
    const entsize = Number(symtab.entsize);
    const old = symtab.data();
    const out = new Uint8Array(old.length + inserted * entsize);
    out.set(old.subarray(0, firstGlobal * entsize));
    out.set(old.subarray(firstGlobal * entsize), (firstGlobal + inserted) * entsize);
    const w = new ElfWriter(out, elf.endian);
    missing.forEach((name, k) => {
      const at = (firstGlobal + k) * entsize;
      const shndx = coveredIndex.get(name)!;
      if (shndx >= SHN_LORESERVE) fail(symtab.headerOffset, `section ${printableName(name)} has index ${shndx}, which needs an SHN_XINDEX section symbol; not supported`);
      if (cls === 64) {
        out[at + 4] = STT_SECTION;
        w.u16(at + 6, shndx);
      } else {
        out[at + 12] = STT_SECTION;
        w.u16(at + 14, shndx);
      }
    });
    const h = headers[symtab.index]!;
    h.data = out;
    h.size = out.length;
    h.info = symtab.info + inserted;
    // Every reference to a symbol of this table keeps naming the same symbol.
    for (const s of elf.sections) {
      if (s.link !== symtab.index) continue;
      if (s.type === SHT_REL || s.type === SHT_RELA) headers[s.index]!.data = renumberRelocations(elf, s, renumber);
      else if (s.type === SHT_GROUP) headers[s.index]!.info = renumber(s.info);
      else if (s.type === SHT_SYMTAB_SHNDX) {
        const d = s.data();
        const grown = new Uint8Array(d.length + 4 * inserted);
        grown.set(d.subarray(0, 4 * firstGlobal));
        grown.set(d.subarray(4 * firstGlobal), 4 * (firstGlobal + inserted));
        headers[s.index]!.data = grown;
        headers[s.index]!.size = grown.length;
      }
    }
  }

  // The blobs and their relocation sections: in place of same-named sections (replace), else appended.
  const relPrefix = reloc.rela ? '.rela' : '.rel';
  const entsize = reloc.rela ? (cls === 64 ? 24 : 12) : cls === 64 ? 16 : 8;
  const slot = (name: string): number => {
    const existing = elf.sectionsByName(name);
    if (existing.length === 0) {
      headers.push({ nameOffset: nameOffset(name), type: 0, flags: 0n, addr: 0n, offset: 0, size: 0, link: 0, info: 0, addralign: 0n, entsize: 0n, data: null });
      return headers.length - 1;
    }
    if (!options.replace) fail(existing[0]!.headerOffset, `section ${printableName(name)} already exists (section ${existing[0]!.index}); pass replace to overwrite it (the rest of the old lineinfo, relocation sections and init blob, is then removed)`);
    if (existing.length > 1) fail(existing[1]!.headerOffset, `${existing.length} sections are named ${printableName(name)}; cannot tell which to replace`);
    return existing[0]!.index;
  };
  for (const blob of blobs) {
    const other = elf.sectionByName(`${reloc.rela ? '.rel' : '.rela'}${blob.name}`);
    if (other) fail(other.headerOffset, `${printableName(other.name)} exists but this target uses ${relPrefix} relocations`);
    const bi = slot(blob.name);
    const existingBlob = elf.sections[bi];
    if (existingBlob) checkOnlyOurRelocations(elf, existingBlob, `${relPrefix}${blob.name}`, fail);
    Object.assign(headers[bi]!, { type: SHT_PROGBITS, flags: SHF_ALLOC, addr: 0n, link: 0, info: 0, addralign: 8n, entsize: 0n, size: blob.bytes.length, data: blob.bytes });
    const rel = new Uint8Array(entsize * blob.anchors.length);
    const w = new ElfWriter(rel, elf.endian);
    blob.anchors.forEach((a, k) => {
      const at = k * entsize;
      const field = anchorFieldOffset(elf, a.offset);
      const sym = symbolOf.get(a.section)!;
      if (cls === 64) {
        w.u64(at, BigInt(field));
        w.u64(at + 8, (BigInt(sym) << 32n) | BigInt(reloc.type));
        if (reloc.rela) w.u64(at + 16, 0n);
      } else {
        w.u32(at, field);
        w.u32(at + 4, ((sym << 8) | reloc.type) >>> 0);
        if (reloc.rela) w.u32(at + 8, 0);
      }
    });
    const ri = slot(`${relPrefix}${blob.name}`);
    Object.assign(headers[ri]!, {
      type: reloc.rela ? SHT_RELA : SHT_REL, flags: SHF_INFO_LINK, addr: 0n, link: symtab.index, info: bi,
      addralign: BigInt(cls === 64 ? 8 : 4), entsize: BigInt(entsize), size: rel.length, data: rel,
    });
  }
  if (strtabChanged) {
    const h = headers[shstrndx]!;
    h.data = strtab;
    h.size = strtab.length;
  }

  // Layout: the input up to the last byte still used in place, then new contents, then the headers.
  const moved = new Set<number>();
  headers.forEach((h, i) => {
    if (h.data !== null && i < elf.sections.length) moved.add(i);
  });
  const count = headers.length;
  const shentsize = elf.header.shentsize;
  const oldShoff = elf.header.shoff;
  const dropped: Array<[number, number]> = [[oldShoff, oldShoff + elf.sections.length * shentsize]];
  for (const i of moved) {
    const s = elf.sections[i]!;
    if (s.fileRange !== null) dropped.push([s.fileRange.start, s.fileRange.end]);
  }
  const keep = keptEnd(elf, moved);
  const cut = canDropTail(elfBytes, keep, dropped) ? keep : elfBytes.length;
  let pos = cut;
  for (const h of headers) {
    if (h.data === null) continue;
    h.offset = alignUp(pos, smallAlign(h.addralign));
    pos = h.offset + h.data.length;
  }
  const shoff = alignUp(pos, cls === 64 ? 8 : 4);
  const total = shoff + count * shentsize;
  if (cls === 32 && total > 0xffffffff) fail(0, `the result would be ${total} bytes, more than an ELF32 file can address`);
  const out = new Uint8Array(total);
  out.set(elfBytes.subarray(0, cut));
  for (const h of headers) if (h.data !== null) out.set(h.data, h.offset);
  const w = new ElfWriter(out, elf.endian);
  // Section 0 keeps its escapes; the rest of the table is written from `headers`.
  out.set(elfBytes.subarray(oldShoff, oldShoff + shentsize), shoff);
  w.word(E.shoff, shoff, cls);
  const rawShnum = new DataView(elfBytes.buffer, elfBytes.byteOffset).getUint16(E.shnum, le);
  if (count >= SHN_LORESERVE || rawShnum === 0) {
    w.u16(E.shnum, 0);
    w.word(shoff + S.size, count, cls);
  } else {
    w.u16(E.shnum, count);
  }
  for (let i = 1; i < count; i++) {
    const h = headers[i]!;
    const at = shoff + i * shentsize;
    if (i < elf.sections.length) out.set(elfBytes.subarray(oldShoff + i * shentsize, oldShoff + (i + 1) * shentsize), at);
    w.u32(at + S.name, h.nameOffset);
    w.u32(at + S.type, h.type);
    w.word(at + S.flags, h.flags, cls);
    w.word(at + S.addr, h.addr, cls);
    w.word(at + S.offset, h.offset, cls);
    w.word(at + S.size, h.size, cls);
    w.u32(at + S.link, h.link);
    w.u32(at + S.info, h.info);
    w.word(at + S.addralign, h.addralign, cls);
    w.word(at + S.entsize, h.entsize, cls);
  }
  selfCheck(out, fileName, blobs);
  return out;
}

/** A copy of a relocation section's entries with their symbol indices renumbered. */
function renumberRelocations(elf: ElfFile, rs: ElfSection, renumber: (i: number) => number): Uint8Array {
  const d = new Uint8Array(rs.data());
  const v = new DataView(d.buffer);
  const le = elf.endian === 'le';
  const size = Number(rs.entsize);
  if (size === 0) return d;
  for (let at = 0; at + size <= d.length; at += size) {
    if (elf.class === 64) {
      const info = v.getBigUint64(at + 8, le);
      const sym = Number(info >> 32n);
      v.setBigUint64(at + 8, (BigInt(renumber(sym)) << 32n) | (info & 0xffffffffn), le);
    } else {
      const info = v.getUint32(at + 4, le);
      v.setUint32(at + 4, ((renumber(info >>> 8) << 8) | (info & 0xff)) >>> 0, le);
    }
  }
  return d;
}

/** A blob being replaced may only be relocated by the relocation section we write for it. */
function checkOnlyOurRelocations(elf: ElfFile, blob: ElfSection, ours: string, fail: (at: number, why: string) => never): void {
  for (const s of elf.sections) {
    if ((s.type === SHT_REL || s.type === SHT_RELA) && s.info === blob.index && s.name !== ours) {
      fail(s.headerOffset, `section ${s.index} (${printableName(s.name)}) holds relocations for ${printableName(blob.name)}; cannot replace it`);
    }
  }
}

/** Re-read the output: a failure here is a bug of this module, not a problem of the input. */
function selfCheck(out: Uint8Array, fileName: string, blobs: readonly BlobToEmbed[]): void {
  try {
    const elf = parseElf(out, fileName);
    for (const b of blobs) {
      const s = elf.sectionByName(b.name);
      if (!s || s.offset % 8 !== 0 || s.size !== b.bytes.length) throw new Error(`${b.name} is not as written`);
      for (const rs of elf.sections) if ((rs.type === SHT_RELA || rs.type === SHT_REL) && rs.info === s.index) elf.symbolsOf(elf.sections[rs.link]!);
    }
  } catch (err) {
    throw new Error(`embedLineinfoBlobs produced an unreadable file (bug): ${(err as Error).message}`);
  }
}

/**
 * Remove sections from a relocatable ELF object while every other section, symbol and relocation
 * keeps its meaning. Used when a module's lineinfo is replaced: the old blobs' relocation
 * sections and init blob describe the old bytes, and a new lineinfo of another revision has no
 * use for them (embed-blobs.ts, elf-embed.ts).
 *
 * Removing a section shifts the index of every later one, so what names sections by index is
 * renumbered: sh_link and sh_info where they hold a section index, e_shstrndx, section group
 * member lists, and each symbol's st_shndx (or its SHT_SYMTAB_SHNDX entry). STT_SECTION symbols
 * of removed sections are removed too, which shifts later symbols: relocation entries, group
 * signatures (sh_info) and the symbol table's sh_info (first global) are renumbered as well.
 * Anything else that would lose its target is refused: a kept section linked to or relocating a
 * removed one, a removed section in a group, a non-section symbol defined in a removed section,
 * or a kept relocation against a removed section's symbol.
 *
 * Bytes: the input is copied up to its last byte a kept section (or the ELF and program
 * headers) uses in place; rewritten tables, then the new section header table, follow.
 */
import { printableName } from './elf-bytes.js';
import { SHF_INFO_LINK, SHN_LORESERVE, SHN_UNDEF, SHN_XINDEX, SHT_GROUP, SHT_REL, SHT_RELA, SHT_SYMTAB, SHT_SYMTAB_SHNDX, STT_SECTION } from './elf-constants.js';
import { ElfFormatError } from './elf-error.js';
import { parseElf, type ElfFile, type ElfSection } from './elf-file.js';
import { canDropTail, groupMembers, keptEnd, linksToSection, smallAlign } from './file-layout.js';
import { ElfWriter, alignUp, ehdrFieldOffsets, shdrFieldOffsets } from './elf-writer.js';

/** `elfBytes` without the sections whose indices are in `remove` (see the file comment). */
export function removeSections(elfBytes: Uint8Array, fileName: string, remove: ReadonlySet<number>): Uint8Array {
  const elf = parseElf(elfBytes, fileName);
  const cls = elf.class;
  const le = elf.endian === 'le';
  const E = ehdrFieldOffsets(cls);
  const S = shdrFieldOffsets(cls);
  const fail = (s: ElfSection, why: string): never => {
    throw new ElfFormatError(fileName, s.headerOffset, `cannot remove section ${s.index} (${printableName(s.name)}): ${why}`);
  };
  const kept = elf.sections.filter((s) => !remove.has(s.index));
  for (const i of remove) {
    const s = elf.sections[i]!;
    if (i === 0 || i === elf.header.shstrndx || s.type === SHT_SYMTAB || s.type === SHT_SYMTAB_SHNDX) fail(s, 'it is part of the file\'s structure');
    for (const k of kept) {
      if (linksToSection(k) && k.link === i) fail(s, `section ${k.index} (${printableName(k.name)}) links to it`);
      if (infoIsSection(k) && k.info === i) fail(s, `section ${k.index} (${printableName(k.name)}) relocates or refers to it`);
      if (k.type === SHT_GROUP && groupMembers(elf, k).includes(i)) fail(s, `it is a member of section group ${k.index}`);
    }
  }
  const newIndex = (i: number): number => {
    let below = 0;
    for (const r of remove) if (r < i) below++;
    return i - below;
  };

  // Symbols: STT_SECTION symbols of removed sections go; other symbols there would lose their home.
  const symtab = elf.sections.find((s) => s.type === SHT_SYMTAB);
  const symbols = symtab ? elf.symbolsOf(symtab) : [];
  const dropped = new Set<number>();
  for (const y of symbols) {
    if (y.index === 0 || !remove.has(y.shndx) || y.rawShndx === SHN_UNDEF || (y.rawShndx >= SHN_LORESERVE && y.rawShndx !== SHN_XINDEX)) continue;
    if (y.type !== STT_SECTION) fail(elf.sections[y.shndx]!, `symbol ${printableName(y.name)} is defined in it`);
    dropped.add(y.index);
  }
  const sortedDropped = [...dropped].sort((a, b) => a - b);
  const newSymbol = (j: number): number => j - sortedDropped.filter((d) => d < j).length;

  const data = new Map<number, Uint8Array>();
  if (symtab && (dropped.size > 0 || symbols.some((y) => y.rawShndx > 0 && y.rawShndx < SHN_LORESERVE && newIndex(y.rawShndx) !== y.rawShndx))) {
    data.set(symtab.index, rewriteSymbols(elf, symtab, dropped, newIndex));
  }
  for (const s of kept) {
    if (symtab && s.type === SHT_SYMTAB_SHNDX && s.link === symtab.index) data.set(s.index, rewriteShndx(elf, s, dropped, newIndex));
    if (symtab && (s.type === SHT_REL || s.type === SHT_RELA) && s.link === symtab.index && dropped.size > 0) {
      data.set(s.index, rewriteRelocations(elf, s, dropped, newSymbol, (sym) => fail(elf.sections[symbols[sym]!.shndx]!, `${printableName(s.name)} relocates against its section symbol`)));
    }
    if (s.type === SHT_GROUP) {
      const d = new Uint8Array(s.data());
      const v = new DataView(d.buffer);
      for (let at = 4; at + 4 <= d.length; at += 4) v.setUint32(at, newIndex(v.getUint32(at, le)), le);
      data.set(s.index, d);
    }
  }

  // Layout: kept bytes in place, rewritten tables after them, then the section headers.
  const moved = new Set([...data.keys()]);
  const shentsize = elf.header.shentsize;
  const oldShoff = elf.header.shoff;
  const droppedRanges: Array<[number, number]> = [[oldShoff, oldShoff + elf.sections.length * shentsize]];
  for (const s of elf.sections) if ((remove.has(s.index) || moved.has(s.index)) && s.fileRange !== null) droppedRanges.push([s.fileRange.start, s.fileRange.end]);
  const keep = keptEnd(elf, new Set([...moved, ...remove]));
  let pos = canDropTail(elfBytes, keep, droppedRanges) ? keep : elfBytes.length;
  const cut = pos;
  const placed = new Map<number, number>();
  for (const [i, d] of data) {
    const at = alignUp(pos, smallAlign(elf.sections[i]!.addralign));
    placed.set(i, at);
    pos = at + d.length;
  }
  const count = kept.length;
  const shoff = alignUp(pos, cls === 64 ? 8 : 4);
  const out = new Uint8Array(shoff + count * shentsize);
  out.set(elfBytes.subarray(0, cut));
  for (const [i, d] of data) out.set(d, placed.get(i)!);
  const w = new ElfWriter(out, elf.endian);
  w.word(E.shoff, shoff, cls);
  kept.forEach((s, n) => {
    const at = shoff + n * shentsize;
    out.set(elfBytes.subarray(oldShoff + s.index * shentsize, oldShoff + (s.index + 1) * shentsize), at);
    if (n === 0) return; // section 0 keeps its escapes (fixed below)
    if (linksToSection(s) && s.link !== 0) w.u32(at + S.link, newIndex(s.link));
    if (infoIsSection(s) && s.info !== 0) w.u32(at + S.info, newIndex(s.info));
    if (s.type === SHT_GROUP) w.u32(at + S.info, newSymbol(s.info));
    if (s.type === SHT_SYMTAB) w.u32(at + S.info, newSymbol(s.info));
    const d = data.get(s.index);
    if (d) {
      w.word(at + S.offset, placed.get(s.index)!, cls);
      w.word(at + S.size, d.length, cls);
    }
  });
  // e_shnum and e_shstrndx, with the gABI escapes through section 0 where the input used them
  const view = new DataView(elfBytes.buffer, elfBytes.byteOffset, elfBytes.byteLength);
  if (count >= SHN_LORESERVE || view.getUint16(E.shnum, le) === 0) {
    w.u16(E.shnum, 0);
    w.word(shoff + S.size, count, cls);
  } else w.u16(E.shnum, count);
  const shstrndx = newIndex(elf.header.shstrndx);
  if (view.getUint16(E.shstrndx, le) === SHN_XINDEX) w.u32(shoff + S.link, shstrndx);
  else w.u16(E.shstrndx, shstrndx);
  return out;
}

/** sh_info names a section: relocation sections and SHF_INFO_LINK (gABI). */
function infoIsSection(s: ElfSection): boolean {
  return s.type === SHT_REL || s.type === SHT_RELA || (s.type !== SHT_SYMTAB && s.type !== SHT_GROUP && (s.flags & SHF_INFO_LINK) !== 0n);
}

/** The symbol table without `dropped`, each st_shndx that names a section renumbered. */
function rewriteSymbols(elf: ElfFile, symtab: ElfSection, dropped: ReadonlySet<number>, newIndex: (i: number) => number): Uint8Array {
  const size = Number(symtab.entsize);
  const old = symtab.data();
  const n = Math.floor(old.length / size);
  const out = new Uint8Array((n - dropped.size) * size);
  const w = new ElfWriter(out, elf.endian);
  const shndxAt = elf.class === 64 ? 6 : 14;
  const view = new DataView(old.buffer, old.byteOffset, old.byteLength);
  let k = 0;
  for (let j = 0; j < n; j++) {
    if (dropped.has(j)) continue;
    out.set(old.subarray(j * size, (j + 1) * size), k * size);
    const shndx = view.getUint16(j * size + shndxAt, elf.endian === 'le');
    if (shndx !== SHN_UNDEF && shndx < SHN_LORESERVE) w.u16(k * size + shndxAt, newIndex(shndx));
    k++;
  }
  return out;
}

/** The SHT_SYMTAB_SHNDX table without `dropped`'s entries, section indices renumbered. */
function rewriteShndx(elf: ElfFile, s: ElfSection, dropped: ReadonlySet<number>, newIndex: (i: number) => number): Uint8Array {
  const old = s.data();
  const view = new DataView(old.buffer, old.byteOffset, old.byteLength);
  const le = elf.endian === 'le';
  const values: number[] = [];
  for (let j = 0; 4 * j + 4 <= old.length; j++) if (!dropped.has(j)) values.push(view.getUint32(4 * j, le));
  const out = new Uint8Array(4 * values.length);
  const w = new ElfWriter(out, elf.endian);
  values.forEach((v, j) => w.u32(4 * j, v === 0 ? 0 : newIndex(v)));
  return out;
}

/** A relocation section's entries with symbol indices renumbered; one against a dropped symbol is refused. */
function rewriteRelocations(elf: ElfFile, rs: ElfSection, dropped: ReadonlySet<number>, renumber: (j: number) => number, fail: (sym: number) => never): Uint8Array {
  const d = new Uint8Array(rs.data());
  const v = new DataView(d.buffer);
  const le = elf.endian === 'le';
  const size = Number(rs.entsize);
  if (size === 0) return d;
  for (let at = 0; at + size <= d.length; at += size) {
    const info = elf.class === 64 ? v.getBigUint64(at + 8, le) : BigInt(v.getUint32(at + 4, le));
    const sym = elf.class === 64 ? Number(info >> 32n) : Number(info >> 8n);
    if (dropped.has(sym)) fail(sym);
    if (elf.class === 64) v.setBigUint64(at + 8, (BigInt(renumber(sym)) << 32n) | (info & 0xffffffffn), le);
    else v.setUint32(at + 4, ((renumber(sym) << 8) | Number(info & 0xffn)) >>> 0, le);
  }
  return d;
}

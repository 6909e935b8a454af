/**
 * Where the bytes of a rewritten relocatable ELF file go: the input is kept up to the last byte
 * something kept in place still uses, and the tail after it (old section header table, old copies
 * of moved or removed sections, zero padding) is dropped only when nothing else is there.
 * Shared by the writers: elf-embed.ts, embed-blobs.ts and remove-sections.ts (with the few byte
 * and table readers they all need).
 */
import { EHDR_SIZE, SECTION_LINKING_TYPES, SHF_LINK_ORDER, SHT_NULL } from './elf-constants.js';
import type { ElfFile, ElfSection } from './elf-file.js';
import { hasFileBytes } from './elf-section.js';

/** sh_link names a section: the symbol and relocation machinery (SECTION_LINKING_TYPES) and SHF_LINK_ORDER. */
export function linksToSection(s: ElfSection): boolean {
  return SECTION_LINKING_TYPES.has(s.type) || (s.flags & SHF_LINK_ORDER) !== 0n;
}

/**
 * End of the last input byte the output still refers to in place: the ELF header, the program
 * header table, and every section not being moved (for SHT_NOBITS and empty sections, their
 * sh_offset). Capped at the file size.
 */
export function keptEnd(elf: ElfFile, moved: ReadonlySet<number>): number {
  const size = elf.bytes.length;
  let end = Math.max(elf.header.ehsize, EHDR_SIZE[elf.class]);
  const { phoff, phnum, phentsize } = elf.header;
  if (phnum > 0) {
    const phEnd = phoff + BigInt(phnum) * BigInt(phentsize);
    if (phEnd > BigInt(size)) return size;
    end = Math.max(end, Number(phEnd));
  }
  for (const s of elf.sections) {
    if (s.index === 0 || moved.has(s.index) || s.type === SHT_NULL) continue;
    end = Math.max(end, hasFileBytes(s.type) ? s.offset + s.size : s.offset);
    if (end >= size) return size;
  }
  return end;
}

/** True when every byte of [from, end of file) is in a dropped region or is zero. */
export function canDropTail(bytes: Uint8Array, from: number, dropped: ReadonlyArray<readonly [number, number]>): boolean {
  for (let i = from; i < bytes.length; i++) {
    if (bytes[i] === 0) continue;
    let covered = false;
    for (const [start, end] of dropped) {
      if (i >= start && i < end) {
        covered = true;
        i = Math.min(end, bytes.length) - 1; // skip the rest of the region
        break;
      }
    }
    if (!covered) return false;
  }
  return true;
}

/** sh_addralign values above this are taken as implausible (and refused for a new section). */
export const MAX_ALIGN = 1 << 20;

/** An existing sh_addralign as a usable alignment for placing bytes (1 when absent or implausible). */
export function smallAlign(addralign: bigint): number {
  if (addralign <= 1n || addralign > BigInt(MAX_ALIGN) || (addralign & (addralign - 1n)) !== 0n) return 1;
  return Number(addralign);
}

/** Section indexes listed by an SHT_GROUP section (its words after the flags word). */
export function groupMembers(elf: ElfFile, group: ElfSection): number[] {
  const d = group.data();
  const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const le = elf.endian === 'le';
  const out: number[] = [];
  for (let i = 4; i + 4 <= d.length; i += 4) out.push(view.getUint32(i, le));
  return out;
}

/** Offset of `name` followed by a NUL in a string table (any position: a suffix is a valid string), or -1. */
export function findString(table: Uint8Array, name: Uint8Array): number {
  const n = name.length;
  for (let end = table.indexOf(0, n); end >= 0; end = table.indexOf(0, end + 1)) {
    const start = end - n;
    let match = true;
    for (let j = 0; j < n && match; j++) match = table[start + j] === name[j];
    if (match) return start;
  }
  return -1;
}

/** True when `bytes` ends with `suffix` (an appended module signature). */
export function endsWith(bytes: Uint8Array, suffix: Uint8Array): boolean {
  if (bytes.length < suffix.length) return false;
  const base = bytes.length - suffix.length;
  for (let i = 0; i < suffix.length; i++) if (bytes[base + i] !== suffix[i]) return false;
  return true;
}

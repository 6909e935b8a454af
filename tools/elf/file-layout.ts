/**
 * Where the bytes of a rewritten relocatable ELF file go: the input is kept up to the last byte
 * something kept in place still uses, and the tail after it (old section header table, old copies
 * of moved or removed sections, zero padding) is dropped only when nothing else is there.
 * Shared by elf-embed.ts and remove-sections.ts.
 */
import { EHDR_SIZE, SECTION_LINKING_TYPES, SHF_LINK_ORDER, SHT_NULL } from './elf-constants.js';
import type { ElfFile, ElfSection } from './elf-file.js';
import { hasFileBytes } from './elf-section.js';

/** Types whose sh_link (and for relocations sh_info) name another section, or that are part of the symbol machinery. */
export const STRUCTURAL_TYPES = SECTION_LINKING_TYPES;

/** sh_link names a section: the symbol and relocation machinery (STRUCTURAL_TYPES) and SHF_LINK_ORDER. */
export function linksToSection(s: ElfSection): boolean {
  return STRUCTURAL_TYPES.has(s.type) || (s.flags & SHF_LINK_ORDER) !== 0n;
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

/** An existing sh_addralign as a usable alignment for placing bytes (1 when absent or implausible). */
/** sh_addralign values above this are taken as implausible. */
const MAX_ALIGN = 1 << 20;

export function smallAlign(addralign: bigint): number {
  if (addralign <= 1n || addralign > BigInt(MAX_ALIGN) || (addralign & (addralign - 1n)) !== 0n) return 1;
  return Number(addralign);
}


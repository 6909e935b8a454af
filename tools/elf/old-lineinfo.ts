/**
 * The parts of a module's existing lineinfo that a replacement makes stale. `.mod_lineinfo` and
 * `.init.mod_lineinfo` belong together (one encode writes both, or only the first for revisions
 * before v5), and a relocation section applying to either describes its old bytes. Replacing the
 * lineinfo therefore removes whichever of these the new lineinfo does not rewrite in place, so a
 * v7 module can be re-encoded as v2 (one section, no relocations) or v5, and a v2 one as v7.
 */
import { SHT_REL, SHT_RELA } from './elf-constants.js';
import { parseElf, type ElfFile } from './elf-file.js';
import { removeSections } from './remove-sections.js';

export const LINEINFO_BLOBS: readonly string[] = ['.mod_lineinfo', '.init.mod_lineinfo'];

/** Indices of the lineinfo blobs and their relocation sections, except the sections named in `keep`. */
export function staleLineinfo(elf: ElfFile, keep: readonly string[]): Set<number> {
  const blobs = elf.sections.filter((s) => LINEINFO_BLOBS.includes(s.name));
  const parts = [...blobs, ...elf.sections.filter((s) => (s.type === SHT_REL || s.type === SHT_RELA) && blobs.some((b) => b.index === s.info))];
  return new Set(parts.filter((s) => !keep.includes(s.name)).map((s) => s.index));
}

/** `bytes` without the stale lineinfo sections (see staleLineinfo), or null when there are none. */
export function withoutStaleLineinfo(bytes: Uint8Array, fileName: string, keep: readonly string[]): Uint8Array | null {
  const stale = staleLineinfo(parseElf(bytes, fileName), keep);
  return stale.size === 0 ? null : removeSections(bytes, fileName, stale);
}

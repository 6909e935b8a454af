/**
 * Per-section tables of a module for the sectioned layouts (v5 = v6, v7), from the module's own
 * DWARF, with the rules of the v5+ generator's module mode (spec/FORMAT.md, "Layout v5"; project
 * notes 3.5, 3.6 and 6):
 *
 *  - covered sections: `.text` and `.exit.text` (persistent blob `.mod_lineinfo`), `.init.text`
 *    (init blob `.init.mod_lineinfo`), and from v7 `.noinstr.text` (persistent);
 *  - each row is classified by the section its address relocation points to (the generator gets
 *    the same result by giving each covered section a synthetic bias while it relocates
 *    `.debug_line`, then mapping the biased address back); rows of other sections, rows whose
 *    offset is not below their section's size, line-0 rows and rows without a file name are
 *    dropped;
 *  - one file list for the whole module, numbered in the order kept rows first name a file
 *    (units in `.debug_info` order, inside a unit libdw's order of the biased addresses: by
 *    covered section in descriptor order, then offset, an end-of-sequence row first at equal
 *    offsets), repeated in every table (W26);
 *  - per section: sort by (offset, file id, line) and the v1 de-duplication, which restarts at
 *    each section (model/line-table.ts normaliseEntries, applied per section);
 *  - sections without entries are omitted; descriptors in the order `.text`, `.exit.text`,
 *    `.noinstr.text` (persistent) and `.init.text` (init); anchors 0 (a relocation fills them in).
 *
 * Rows are read as row objects (readLineTables): a module's line tables are small. The bias
 * ordering of the covered sections used for file numbering is the descriptor order; the
 * generator's `all_sections[]` order is that for v5 (`.text`, `.exit.text`, `.init.text`), and
 * assumed so for v7's added `.noinstr.text` [inferred].
 */
import { readLineTables } from '../dwarf/index.js';
import type { ElfFile, ElfSection } from '../elf/elf-file.js';
import { InputError } from '../errors.js';
import { MAX_FILES, normaliseEntries } from '../model/line-table.js';
import type { Entry } from '../model/line-table.js';
import type { BlobInput, CoveredSection } from '../revisions/sectioned-blob.js';
import { relativise } from './relative-path.js';

export type SectionedRevision = 'v5' | 'v7';

/** The two blobs of a module and the ELF section each carries. */
export const PERSISTENT_BLOB = '.mod_lineinfo';
export const INIT_BLOB = '.init.mod_lineinfo';

/** Covered sections of each blob, in descriptor order. */
export function coveredSections(revision: SectionedRevision): { persistent: readonly string[]; init: readonly string[] } {
  return {
    persistent: revision === 'v7' ? ['.text', '.exit.text', '.noinstr.text'] : ['.text', '.exit.text'],
    init: ['.init.text'],
  };
}

export interface SectionTableStats {
  rows: number;
  lineZero: number;
  noFile: number;
  /** rows of sections no blob covers (or without a relocated address) */
  otherSection: number;
  /** rows at or past the end of their covered section (e.g. the end-of-sequence row) */
  pastEnd: number;
  kept: number;
}

export interface ModuleSectionTables {
  readonly revision: SectionedRevision;
  /** `.mod_lineinfo`: `.text`, `.exit.text` (and `.noinstr.text` for v7) that have entries */
  readonly persistent: BlobInput;
  /** `.init.mod_lineinfo`: `.init.text` when it has entries */
  readonly init: BlobInput;
  /** the module's file list (the same in both blobs) */
  readonly files: readonly string[];
  /** the ELF section of each covered section name present in the module */
  readonly sectionIndex: ReadonlyMap<string, number>;
  readonly stats: SectionTableStats;
  readonly warnings: readonly string[];
}

interface Kept {
  readonly rank: number;
  readonly offset: number;
  readonly endSeq: boolean;
  readonly seq: number;
  readonly file: number;
  readonly line: number;
}

/** The per-section tables of a relocatable module (ET_REL). */
export function moduleSectionTables(elf: ElfFile, revision: SectionedRevision): ModuleSectionTables {
  if (!elf.isRelocatable) {
    throw new InputError(elf.fileName, 0x10, `${elf.typeName} file: the sectioned layouts (${revision}) are for relocatable modules (.ko, ET_REL)`);
  }
  const cover = coveredSections(revision);
  const order = [...cover.persistent, ...cover.init];
  // Covered section by ELF section index -> rank in `order`.
  const rankOf = new Map<number, number>();
  const sectionOf = new Map<string, ElfSection>();
  order.forEach((name, rank) => {
    const s = elf.sectionByName(name);
    if (s === undefined) return;
    sectionOf.set(name, s);
    rankOf.set(s.index, rank);
  });

  const stats: SectionTableStats = { rows: 0, lineZero: 0, noFile: 0, otherSection: 0, pastEnd: 0, kept: 0 };
  const files: string[] = [];
  const ids = new Map<string, number>();
  const perSection: Entry[][] = order.map(() => []);
  const { units, warnings } = readLineTables(elf);
  if (units.length === 0) throw new InputError(elf.fileName, 0, 'no DWARF line tables (.debug_line): build with -g');

  for (const unit of units) {
    const pathOf = new Map<number, string>();
    for (const f of unit.fileNames) pathOf.set(f.index, relativise(f.path, unit.compDir));
    const kept: Kept[] = [];
    unit.rows.forEach((r, seq) => {
      stats.rows++;
      if (r.line === 0) {
        stats.lineZero++;
        return;
      }
      const rank = r.sectionIndex === null ? undefined : rankOf.get(r.sectionIndex);
      if (rank === undefined) {
        stats.otherSection++;
        return;
      }
      const section = elf.sections[r.sectionIndex!]!;
      const off = r.address - section.addr;
      if (off < 0n || off >= BigInt(section.size) || off > 0xffff_ffffn) {
        stats.pastEnd++;
        return;
      }
      if (!pathOf.has(r.file)) {
        stats.noFile++;
        return;
      }
      kept.push({ rank, offset: Number(off), endSeq: r.endSequence, seq, file: r.file, line: r.line });
    });
    // libdw's order of the biased addresses: section rank, offset, end of sequence first, program order.
    kept.sort((a, b) => a.rank - b.rank || a.offset - b.offset || Number(b.endSeq) - Number(a.endSeq) || a.seq - b.seq);
    for (const k of kept) {
      const name = pathOf.get(k.file)!;
      let id = ids.get(name);
      if (id === undefined) {
        if (files.length >= MAX_FILES) throw new InputError(elf.fileName, null, `too many source files (more than ${MAX_FILES}); the format stores at most ${MAX_FILES}`);
        id = files.length;
        files.push(name);
        ids.set(name, id);
      }
      perSection[k.rank]!.push({ offset: k.offset, fileId: id, line: k.line });
      stats.kept++;
    }
  }

  const blob = (names: readonly string[]): BlobInput => {
    const sections: CoveredSection[] = [];
    for (const name of names) {
      const s = sectionOf.get(name);
      const entries = normaliseEntries(perSection[order.indexOf(name)]!);
      if (s === undefined || entries.length === 0) continue;
      sections.push({ name, size: s.size, anchor: 0n, entries });
    }
    return { files, sections };
  };
  const sectionIndex = new Map([...sectionOf].map(([n, s]) => [n, s.index]));
  return { revision, persistent: blob(cover.persistent), init: blob(cover.init), files, sectionIndex, stats, warnings };
}

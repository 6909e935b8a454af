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
 * Rows are streamed unit by unit (readLineUnits) straight into each section's entry columns (a
 * big driver module has millions of rows); only their file indices wait for the end of the unit,
 * when its file names are complete. The bias
 * ordering of the covered sections used for file numbering is the descriptor order; the
 * generator's `all_sections[]` order is that for v5 (`.text`, `.exit.text`, `.init.text`), and
 * assumed so for v7's added `.noinstr.text` [inferred].
 */
import type { LineFileName, LineUnitInfo, LineUnitSink } from '../dwarf/index.js';
import { NO_SECTION, ROW_END_SEQUENCE } from '../dwarf/line-rows.js';
import type { ElfFile, ElfSection } from '../elf/elf-file.js';
import { InputError } from '../errors.js';
import { columnCount } from '../model/line-table.js';
import type { BlobInput, CoveredSection } from '../revisions/sectioned-blob.js';
import { FileNumbering } from './collect-entries.js';
import { readGeneratorUnits } from './dwarf-entries.js';
import { EntryColumns } from './entry-columns.js';
import { relativise } from './relative-path.js';
import { UnitRows } from './unit-rows.js';

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

const TWO_32 = 4294967296;

/**
 * The module mode's rules over streamed rows (readLineUnits): per-row rules as rows come, each
 * kept row going straight into its covered section's entry columns with its DWARF file index;
 * at the end of each unit (when its file names are complete) the files are numbered in libdw's
 * order and the indices replaced by ids (UnitRows), section by section in descriptor order.
 *
 * Section by section is libdw's order: the generator biases each covered section to its own
 * address range, in descriptor order, so a unit's rows sort by section first, then by offset (an
 * end-of-sequence row first at equal offsets), then in program order, which is UnitRows' order
 * within one section.
 */
class SectionRowCollector implements LineUnitSink {
  readonly stats: SectionTableStats = { rows: 0, lineZero: 0, noFile: 0, otherSection: 0, pastEnd: 0, kept: 0 };
  readonly numbering = new FileNumbering();
  /** raw entries of each covered section, by rank (descriptor order) */
  readonly perSection: EntryColumns[];
  private readonly units: UnitRows[];

  /**
   * `rankOf`: covered section by ELF section index -> rank; `bounds[rank]`: that section's
   * address (as u32 halves) and size.
   */
  constructor(
    private readonly rankOf: ReadonlyMap<number, number>,
    private readonly bounds: readonly { readonly addrHi: number; readonly addrLo: number; readonly size: number }[],
  ) {
    this.perSection = bounds.map(() => new EntryColumns());
    this.units = this.perSection.map((columns) => new UnitRows(columns));
  }

  beginUnit(_unit: LineUnitInfo): void {
    for (const u of this.units) u.begin();
  }

  row(addrHi: number, addrLo: number, file: number, line: number, flags: number, sectionIndex: number): void {
    const stats = this.stats;
    stats.rows++;
    if (line === 0) {
      stats.lineZero++;
      return;
    }
    const rank = sectionIndex === NO_SECTION ? undefined : this.rankOf.get(sectionIndex);
    if (rank === undefined) {
      stats.otherSection++;
      return;
    }
    const b = this.bounds[rank]!;
    // exact below 2^53; beyond, rounded once, which keeps it past the section's end
    const off = (addrHi - b.addrHi) * TWO_32 + (addrLo - b.addrLo);
    if (off < 0 || off >= b.size || off > 0xffff_ffff) {
      stats.pastEnd++;
      return;
    }
    // (an index above 2^32 - 1 names no file either way, as U32_MAX does not)
    this.units[rank]!.push(off, file > 0xffff_ffff ? 0xffff_ffff : file, line, (flags & ROW_END_SEQUENCE) !== 0);
  }

  endUnit(unit: LineUnitInfo, fileNames: readonly LineFileName[]): void {
    const pathOf = new Map<number, string>();
    for (const f of fileNames) pathOf.set(f.index, relativise(f.path, unit.compDir));
    for (const u of this.units) {
      const { kept, noFile } = u.finish(pathOf, this.numbering);
      this.stats.kept += kept;
      this.stats.noFile += noFile;
    }
  }
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

  const bounds = order.map((name) => {
    const s = sectionOf.get(name);
    const addr = s?.addr ?? 0n;
    return { addrHi: Number((addr >> 32n) & 0xffff_ffffn), addrLo: Number(addr & 0xffff_ffffn), size: s?.size ?? 0 };
  });
  const collector = new SectionRowCollector(rankOf, bounds);
  const { warnings } = readGeneratorUnits(elf, {}, collector);
  const { perSection, stats } = collector;
  const files = collector.numbering.files;

  const blob = (names: readonly string[]): BlobInput => {
    const sections: CoveredSection[] = [];
    for (const name of names) {
      const s = sectionOf.get(name);
      // the generator's sort and de-duplication (normaliseEntries' rules), into columns
      const entries = perSection[order.indexOf(name)]!.toColumns();
      if (s === undefined || columnCount(entries) === 0) continue;
      sections.push({ name, size: s.size, anchor: 0n, entries });
    }
    return { files, sections };
  };
  const sectionIndex = new Map([...sectionOf].map(([n, s]) => [n, s.index]));
  return { revision, persistent: blob(cover.persistent), init: blob(cover.init), files, sectionIndex, stats, warnings };
}

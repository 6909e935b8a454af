/**
 * Per-section tables of a module for the sectioned layouts (v5 = v6, v7), from the module's own
 * DWARF, with the rules of the v5+ generator's module mode (spec/FORMAT.md, "Entries from DWARF:
 * sectioned layouts"; project notes 3.5, 3.6 and 6):
 *
 *  - covered sections, in the generator's order (`all_sections[]`): `.text`, `.exit.text`,
 *    `.init.text`, and from v7 `.noinstr.text`; `.init.text` goes into the init blob
 *    `.init.mod_lineinfo`, the others into `.mod_lineinfo`. A covered section of 4 GiB or more is
 *    left out, as the generator does;
 *  - the generator tells sections apart by giving each present covered section a synthetic base
 *    address (a "bias": the running sum of the sizes before it, each rounded up to 16) that it
 *    adds to the addresses its relocations write into `.debug_line`, then maps each row's biased
 *    address back to the covered range that contains it. v7 also biases every other executable
 *    section (after the covered ones, in section-header order), so that their rows fall outside
 *    every covered range and are dropped; v5/v6 do not, so a row of an uncovered section keeps its
 *    unbiased offset and lands in whichever covered range contains that, usually `.text`'s (W32).
 *    A row at or past its section's end lands in the gap before the next range, or, when the
 *    section's size is a multiple of 16, at the start of the next present covered section (W32);
 *  - line-0 rows and rows without a file name are dropped;
 *  - one file list for the whole module, numbered in the order kept rows first name a file
 *    (units in `.debug_info` order, inside a unit libdw's order of the biased addresses: covered
 *    section in `all_sections[]` order, then offset, an end-of-sequence row first at equal
 *    offsets, then program order), repeated in every table (W26);
 *  - per section: sort by (offset, file id, line) and the v1 de-duplication, which restarts at
 *    each section (model/line-table.ts normaliseEntries, applied per section);
 *  - sections without entries are omitted; descriptors in `all_sections[]` order within each
 *    blob; anchors 0 (a relocation fills them in).
 *
 * The model replaces the generator's relocation of `.debug_line` with the rows' own relocations:
 * a row's biased address is its offset in the section its `DW_LNE_set_address` relocation names
 * plus that section's bias (0 for an unbiased one); a row without a relocation keeps its address.
 *
 * Rows are streamed unit by unit (readLineUnits) straight into each section's entry columns (a
 * big driver module has millions of rows); only their file indices wait for the end of the unit,
 * when its file names are complete.
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
import { relativiseKernelDirs } from './relative-path.js';
import { UnitRows } from './unit-rows.js';

export type SectionedRevision = 'v5' | 'v7';

/** The two blobs of a module and the ELF section each carries. */
export const PERSISTENT_BLOB = '.mod_lineinfo';
export const INIT_BLOB = '.init.mod_lineinfo';

/**
 * The generator's covered sections (`all_sections[]`), in its order: the order of the biases,
 * and of the descriptors within each blob.
 */
export function generatorSections(revision: SectionedRevision): readonly string[] {
  return revision === 'v7' ? ['.text', '.exit.text', '.init.text', '.noinstr.text'] : ['.text', '.exit.text', '.init.text'];
}

/** Covered sections of each blob, in descriptor order. */
export function coveredSections(revision: SectionedRevision): { persistent: readonly string[]; init: readonly string[] } {
  const all = generatorSections(revision);
  return { persistent: all.filter((n) => n !== '.init.text'), init: ['.init.text'] };
}

export interface SectionTableStats {
  rows: number;
  lineZero: number;
  noFile: number;
  /** rows whose biased address lies in no covered range (other sections, past a section's end) */
  uncovered: number;
  /**
   * rows kept in a covered range other than their own section's (v5/v6: rows of uncovered
   * sections; rows past the end of a section whose size is a multiple of 16), W32
   */
  foreign: number;
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
const U32_MAX = 0xffff_ffff;

/** The generator's address map: what it adds to each ELF section's addresses, and the covered ranges. */
interface BiasMap {
  /**
   * the bias the generator adds to the addresses of each ELF section, by index: 0 for a section
   * it does not bias, and for every section when it applies no `.debug_line` relocation (below)
   */
  readonly biasOf: Float64Array;
  /** each section's address, by index, as u32 halves (rows' addresses include it) */
  readonly addrHi: Uint32Array;
  readonly addrLo: Uint32Array;
  /** the covered ranges by rank (`all_sections[]` order, present sections only) */
  readonly ranges: readonly { readonly name: string; readonly section: ElfSection; readonly bias: number }[];
}

/**
 * The generator's biases: the present covered sections in `all_sections[]` order, then (v7) every
 * other allocated executable section of a size from 1 byte to 4 GiB - 1 in section-header order,
 * each starting where the previous one ends, rounded up to 16. The v5/v6 generator adds them
 * only through `.rela.debug_line`, so on REL targets (i386, arm) every row keeps its unbiased
 * offset (the ranges stay where they are); v7 also reads `.rel.debug_line`.
 */
function biasMap(elf: ElfFile, revision: SectionedRevision, warnings: string[]): BiasMap {
  const n = elf.sections.length;
  const applied = revision === 'v7' || elf.sectionByName('.rela.debug_line') !== undefined || elf.sectionByName('.rel.debug_line') === undefined;
  if (!applied) warnings.push(`${elf.fileName}: .debug_line has REL relocations, which the ${revision} generator does not apply: rows keep their unbiased offsets (W32)`);
  const biasOf = new Float64Array(n);
  const addrHi = new Uint32Array(n);
  const addrLo = new Uint32Array(n);
  for (const s of elf.sections) {
    addrHi[s.index] = Number((s.addr >> 32n) & 0xffff_ffffn);
    addrLo[s.index] = Number(s.addr & 0xffff_ffffn);
  }
  const ranges: { name: string; section: ElfSection; bias: number }[] = [];
  const placed = new Set<number>();
  let cursor = 0;
  const place = (s: ElfSection): number => {
    const bias = cursor;
    placed.add(s.index);
    if (applied) biasOf[s.index] = bias;
    cursor = Math.ceil((cursor + s.size) / 16) * 16;
    return bias;
  };
  for (const name of generatorSections(revision)) {
    const s = elf.sectionByName(name);
    if (s === undefined) continue;
    if (s.size > U32_MAX) {
      warnings.push(`${elf.fileName}: section ${name} is ${s.size} bytes, 4 GiB or more: not covered (as the generator skips it)`);
      continue;
    }
    ranges.push({ name, section: s, bias: place(s) });
  }
  if (revision === 'v7') {
    for (const s of elf.sections) {
      if (!placed.has(s.index) && s.isAlloc && s.isExec && s.size > 0 && s.size <= U32_MAX && !ranges.some((r) => r.name === s.name)) place(s);
    }
  }
  return { biasOf, addrHi, addrLo, ranges };
}

/**
 * The module mode's rules over streamed rows (readLineUnits): each row's biased address (see the
 * module comment) is mapped to a covered range, and a kept row goes straight into that section's
 * entry columns with its DWARF file index; at the end of each unit (when its file names are
 * complete) the files are numbered in libdw's order and the indices replaced by ids (UnitRows),
 * range by range in `all_sections[]` order.
 *
 * Range by range is libdw's order: the ranges are disjoint and increase in that order, so a
 * unit's rows sort by range first, then by offset (an end-of-sequence row first at equal
 * offsets), then in program order, which is UnitRows' order within one range.
 */
class SectionRowCollector implements LineUnitSink {
  readonly stats: SectionTableStats = { rows: 0, lineZero: 0, noFile: 0, uncovered: 0, foreign: 0, kept: 0 };
  readonly numbering = new FileNumbering();
  /** raw entries of each covered range, by rank */
  readonly perSection: EntryColumns[];
  private readonly units: UnitRows[];
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;
  private readonly ownIndex: Int32Array;

  constructor(private readonly map: BiasMap) {
    this.perSection = map.ranges.map(() => new EntryColumns());
    this.units = this.perSection.map((columns) => new UnitRows(columns));
    this.starts = Float64Array.from(map.ranges, (r) => r.bias);
    this.ends = Float64Array.from(map.ranges, (r) => r.bias + r.section.size);
    this.ownIndex = Int32Array.from(map.ranges, (r) => r.section.index);
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
    // The generator's address: the offset in the relocation's section plus that section's bias
    // (exact below 2^53; beyond, rounded once, which keeps it past every range).
    const map = this.map;
    const a = sectionIndex === NO_SECTION || sectionIndex >= map.biasOf.length
      ? addrHi * TWO_32 + addrLo
      : (addrHi - map.addrHi[sectionIndex]!) * TWO_32 + (addrLo - map.addrLo[sectionIndex]!) + map.biasOf[sectionIndex]!;
    const { starts, ends } = this;
    let rank = -1;
    for (let r = 0; r < starts.length; r++) {
      if (a >= starts[r]! && a < ends[r]!) {
        rank = r;
        break;
      }
    }
    if (rank < 0) {
      stats.uncovered++;
      return;
    }
    if (sectionIndex !== this.ownIndex[rank]) stats.foreign++;
    // (an index above 2^32 - 1 names no file either way, as U32_MAX does not)
    this.units[rank]!.push(a - starts[rank]!, file > U32_MAX ? U32_MAX : file, line, (flags & ROW_END_SEQUENCE) !== 0);
  }

  endUnit(unit: LineUnitInfo, fileNames: readonly LineFileName[]): void {
    const pathOf = new Map<number, string>();
    for (const f of fileNames) pathOf.set(f.index, relativiseKernelDirs(f.path, unit.compDir));
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
  const mapWarnings: string[] = [];
  const map = biasMap(elf, revision, mapWarnings);
  const collector = new SectionRowCollector(map);
  const { warnings } = readGeneratorUnits(elf, {}, collector);
  const { perSection, stats } = collector;
  const files = collector.numbering.files;
  if (stats.foreign > 0) {
    mapWarnings.push(`${elf.fileName}: ${stats.foreign} row(s) fall into a covered section's range from another section (${revision === 'v7' ? 'rows past a section end whose size is a multiple of 16' : 'rows of uncovered sections, or past a section end whose size is a multiple of 16'}), and are kept there as the ${revision} generator keeps them (W32)`);
  }

  const blob = (names: readonly string[]): BlobInput => {
    const sections: CoveredSection[] = [];
    map.ranges.forEach((r, rank) => {
      if (!names.includes(r.name)) return;
      // the generator's sort and de-duplication (normaliseEntries' rules), into columns
      const entries = perSection[rank]!.toColumns();
      if (columnCount(entries) === 0) return;
      sections.push({ name: r.name, size: r.section.size, anchor: 0n, entries });
    });
    return { files, sections };
  };
  const cover = coveredSections(revision);
  const sectionIndex = new Map(map.ranges.map((r) => [r.name, r.section.index]));
  return { revision, persistent: blob(cover.persistent), init: blob(cover.init), files, sectionIndex, stats, warnings: [...warnings, ...mapWarnings] };
}

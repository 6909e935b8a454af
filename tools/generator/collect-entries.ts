/**
 * Entries from DWARF line rows, exactly as the kernel's v1 generator (`gen_lineinfo`) builds
 * them, except that rows are attributed to sections by their address relocations (the generator
 * relies on libdw, which does not relocate ET_REL files: there every sequence collapses to
 * address 0, and `.init.text`/`.exit.text` rows, which also start at 0, pass its `.text` filter).
 *
 * Order matters because file ids are handed out in the order rows first name a file:
 *  1. units in `.debug_info` order;
 *  2. inside a unit, rows in libdw's order: sorted by address, an end-of-sequence row before an
 *     ordinary row at the same address, otherwise in line-program order;
 *  3. a row is skipped when its line is 0, it has no file name, it lies below the base
 *     (vmlinux `_text`), outside `.text` (module mode: section by relocation, and offset below
 *     `.text`'s size, as the generator's `[start, end)` filter), or more than 4 GiB from the base;
 *  4. the surviving row's name is relativised (relative-path.ts), numbered on first sight
 *     (error at 65535 files), and the entry (offset, file id, line) kept;
 *  5. finally the generator's sort and de-duplication (model/line-table.ts, entry-columns.ts).
 */
import type { LineFileName, LineUnitInfo, LineUnitSink } from '../dwarf/index.js';
import { NO_SECTION, ROW_END_SEQUENCE } from '../dwarf/line-rows.js';
import { MAX_FILES } from '../model/line-table.js';
import type { ColumnarLineTable } from '../model/line-table.js';
import { EntryColumns } from './entry-columns.js';
import { relativiserFor } from './relative-path.js';
import { V1_RULES } from './generator-rules.js';
import type { GeneratorRules } from './generator-rules.js';
import { UnitRows } from './unit-rows.js';

export type Selection =
  /** module: keep rows of the `.text` section (by index), offsets from its start */
  | { readonly mode: 'module'; readonly textIndex: number; readonly textAddr: bigint; readonly textSize: bigint }
  /**
   * vmlinux: keep rows at or above `_text`, offsets from it; with `endAddr` (`_etext`, from v5)
   * only rows below it
   */
  | { readonly mode: 'vmlinux'; readonly textAddr: bigint; readonly endAddr?: bigint };

export interface CollectStats {
  rows: number;
  lineZero: number;
  noFile: number;
  otherSection: number;
  belowBase: number;
  /** vmlinux from v5: rows at or past `_etext` */
  pastEtext: number;
  beyond4GiB: number;
  kept: number;
}

export class TooManyFilesError extends Error {
  constructor(readonly count: number) {
    super(`too many source files (more than ${MAX_FILES}); the format stores at most ${MAX_FILES}`);
    this.name = 'TooManyFilesError';
  }
}

/** The module's file list: a name gets the next id the first time a kept row names it. */
export class FileNumbering {
  readonly files: string[] = [];
  private readonly ids = new Map<string, number>();

  /** the id of `name`, numbered now if new; TooManyFilesError past MAX_FILES */
  idOf(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      if (this.files.length >= MAX_FILES) throw new TooManyFilesError(this.files.length + 1);
      id = this.files.length;
      this.files.push(name);
      this.ids.set(name, id);
    }
    return id;
  }
}

const TWO_32 = 4294967296;
const U32_MAX = 0xffff_ffff;

/** Why a row with a line is not kept (or that it is), before its file name is known. */
type Verdict = 0 | 1 | 2 | 3 | 4;
const KEPT = 0;
const OTHER_SECTION = 1;
const BELOW_BASE = 2;
const BEYOND_4GIB = 3;
const PAST_ETEXT = 4;

/**
 * The generator's rules, fed by readLineUnits (dwarf/line-tables.ts) one unit and one row at a
 * time; finish() gives the table. Rows are not stored: a row that passes the per-row rules (3.
 * above) is added to the entry columns at once with its DWARF file index, and at the end of its
 * unit UnitRows numbers the files in libdw's order (4.) and replaces the indices by file ids.
 *
 * Rows that fail a per-row rule while their file index is not (yet) valid are counted at the end
 * of the unit, as noFile when the index is still invalid then.
 */
export class EntryCollector implements LineUnitSink {
  readonly stats: CollectStats = { rows: 0, lineZero: 0, noFile: 0, otherSection: 0, belowBase: 0, pastEtext: 0, beyond4GiB: 0, kept: 0 };
  private readonly numbering = new FileNumbering();
  private readonly entries = new EntryColumns();
  private readonly unit = new UnitRows(this.entries);
  // The selection, with the base address in u32 halves (rows' addresses come that way).
  private readonly module: boolean;
  private readonly textIndex: number;
  private readonly textSize: number;
  private readonly baseHi: number;
  private readonly baseLo: number;
  /** vmlinux: `_etext` as an offset from the base (Infinity: no cap) */
  private readonly endOffset: number;
  private readonly relativise: (path: string, compDir: string | null) => string;
  // The current unit: its file list (which grows) and rows not kept whose file index was not
  // valid when read.
  private unitFiles: { readonly length: number } = [];
  private fileIndexBase = 0;
  private deferred: { file: number; verdict: Verdict }[] = [];

  constructor(readonly selection: Selection, rules: GeneratorRules = V1_RULES) {
    this.relativise = relativiserFor(rules.paths);
    this.endOffset = selection.mode === 'vmlinux' && selection.endAddr !== undefined ? Number(selection.endAddr - selection.textAddr) : Infinity;
    this.module = selection.mode === 'module';
    this.textIndex = selection.mode === 'module' ? selection.textIndex : NO_SECTION;
    this.textSize = selection.mode === 'module' ? Number(selection.textSize) : 0;
    this.baseHi = Number((selection.textAddr >> 32n) & 0xffff_ffffn);
    this.baseLo = Number(selection.textAddr & 0xffff_ffffn);
  }

  beginUnit(unit: LineUnitInfo): void {
    this.unit.begin();
    this.unitFiles = unit.header.files;
    this.fileIndexBase = unit.header.fileIndexBase;
    this.deferred = [];
  }

  row(addrHi: number, addrLo: number, file: number, line: number, flags: number, sectionIndex: number): void {
    const stats = this.stats;
    stats.rows++;
    if (line === 0) {
      stats.lineZero++;
      return;
    }
    // The offset from the base, in a double: exact when below 2^53 in magnitude, and otherwise
    // rounded once, which keeps its sign and keeps it above 2^32, all the rules below look at.
    const offset = (addrHi - this.baseHi) * TWO_32 + (addrLo - this.baseLo);
    let verdict: Verdict;
    if (this.module) {
      const inText = sectionIndex !== NO_SECTION ? sectionIndex === this.textIndex : offset >= 0 && offset < this.textSize;
      verdict = !inText || offset < 0 || offset >= this.textSize ? OTHER_SECTION : offset > U32_MAX ? BEYOND_4GIB : KEPT;
    } else {
      verdict = offset < 0 ? BELOW_BASE : offset >= this.endOffset ? PAST_ETEXT : offset > U32_MAX ? BEYOND_4GIB : KEPT;
    }
    if (verdict === KEPT) {
      // An index above 2^32 - 1 names no file either way (see dwarf/line-rows.ts).
      this.unit.push(offset, file > U32_MAX ? U32_MAX : file, line, (flags & ROW_END_SEQUENCE) !== 0);
      return;
    }
    const i = file - this.fileIndexBase;
    if (i >= 0 && i < this.unitFiles.length) this.count(verdict);
    else this.deferred.push({ file, verdict });
  }

  endUnit(unit: LineUnitInfo, fileNames: readonly LineFileName[]): void {
    const stats = this.stats;
    // Names are relativised once per DWARF file index of the unit, not once per row.
    const nameOf = new Map<number, string>();
    for (const f of fileNames) nameOf.set(f.index, this.relativise(f.path, unit.compDir));
    for (const d of this.deferred) {
      if (nameOf.has(d.file)) this.count(d.verdict);
      else stats.noFile++;
    }
    this.deferred = [];
    const { kept, noFile } = this.unit.finish(nameOf, this.numbering);
    stats.kept += kept;
    stats.noFile += noFile;
  }

  /** 5. The table: the generator's sort and de-duplication of everything kept (the rows are dropped). */
  finish(): { table: ColumnarLineTable; stats: CollectStats } {
    return { table: { files: this.numbering.files, columns: this.entries.toColumns() }, stats: this.stats };
  }

  private count(verdict: Verdict): void {
    if (verdict === OTHER_SECTION) this.stats.otherSection++;
    else if (verdict === BELOW_BASE) this.stats.belowBase++;
    else if (verdict === PAST_ETEXT) this.stats.pastEtext++;
    else this.stats.beyond4GiB++;
  }
}

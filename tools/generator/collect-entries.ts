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
 *  5. finally the generator's sort and de-duplication (model/line-table.ts).
 */
import { MAX_FILES, normaliseEntries } from '../model/line-table.js';
import type { Entry, LineTable } from '../model/line-table.js';
import { relativise } from './relative-path.js';

export interface SourceRow {
  readonly address: bigint;
  readonly line: number;
  readonly endSequence: boolean;
  /** section the row's address relocation points into (null: not relocated / unknown) */
  readonly sectionIndex: number | null;
  /** the row's DWARF file index */
  readonly file: number;
}

export interface SourceUnit {
  readonly compDir: string | null;
  readonly rows: readonly SourceRow[];
  /** the path libdw's dwarf_linesrc composes for a file index; null when the index is invalid */
  pathOf(file: number): string | null;
}

export type Selection =
  /** module: keep rows of the `.text` section (by index), offsets from its start */
  | { readonly mode: 'module'; readonly textIndex: number; readonly textAddr: bigint; readonly textSize: bigint }
  /** vmlinux: keep rows at or above `_text`, offsets from it */
  | { readonly mode: 'vmlinux'; readonly textAddr: bigint };

export interface CollectStats {
  rows: number;
  lineZero: number;
  noFile: number;
  otherSection: number;
  belowBase: number;
  beyond4GiB: number;
  kept: number;
}

export class TooManyFilesError extends Error {
  constructor(readonly count: number) {
    super(`too many source files (more than ${MAX_FILES}); the format stores at most ${MAX_FILES}`);
    this.name = 'TooManyFilesError';
  }
}

const before = (a: SourceRow, b: SourceRow): number =>
  a.address < b.address ? -1 : a.address > b.address ? 1 : Number(b.endSequence) - Number(a.endSequence);

/**
 * libdw's row order inside one unit: by address, end-of-sequence rows first at equal addresses,
 * otherwise stable (Array.prototype.sort is stable). Units are usually sorted already, so that
 * case is detected in one pass and costs no copy.
 */
export function libdwOrder(rows: readonly SourceRow[]): readonly SourceRow[] {
  let sorted = true;
  for (let i = 1; i < rows.length && sorted; i++) sorted = before(rows[i - 1]!, rows[i]!) <= 0;
  return sorted ? rows : [...rows].sort(before);
}

export function collectEntries(units: readonly SourceUnit[], sel: Selection): { table: LineTable; stats: CollectStats } {
  const stats: CollectStats = { rows: 0, lineZero: 0, noFile: 0, otherSection: 0, belowBase: 0, beyond4GiB: 0, kept: 0 };
  const files: string[] = [];
  const ids = new Map<string, number>();
  const rows: Entry[] = [];
  for (const unit of units) {
    // Names are relativised once per DWARF file index of the unit, not once per row.
    const names = new Map<number, string | null>();
    const nameOf = (file: number): string | null => {
      let n = names.get(file);
      if (n === undefined) {
        const path = unit.pathOf(file);
        n = path === null ? null : relativise(path, unit.compDir);
        names.set(file, n);
      }
      return n;
    };
    for (const row of libdwOrder(unit.rows)) {
      stats.rows++;
      if (row.line === 0) { stats.lineZero++; continue; }
      const name = nameOf(row.file);
      if (name === null) { stats.noFile++; continue; }
      let offset: bigint;
      if (sel.mode === 'module') {
        if (row.sectionIndex !== null ? row.sectionIndex !== sel.textIndex : row.address < sel.textAddr || row.address >= sel.textAddr + sel.textSize) {
          stats.otherSection++;
          continue;
        }
        offset = row.address - sel.textAddr;
        if (offset < 0n || offset >= sel.textSize) { stats.otherSection++; continue; }
      } else {
        if (row.address < sel.textAddr) { stats.belowBase++; continue; }
        offset = row.address - sel.textAddr;
      }
      if (offset > 0xffff_ffffn) { stats.beyond4GiB++; continue; }
      let id = ids.get(name);
      if (id === undefined) {
        if (files.length >= MAX_FILES) throw new TooManyFilesError(files.length + 1);
        id = files.length;
        files.push(name);
        ids.set(name, id);
      }
      rows.push({ offset: Number(offset), fileId: id, line: row.line });
      stats.kept++;
    }
  }
  return { table: { files, entries: normaliseEntries(rows) }, stats };
}

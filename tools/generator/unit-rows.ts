/**
 * One line unit's kept rows inside the generator's entry columns, and the end-of-unit step both
 * generator modes share: number the source files in the order libdw would meet the rows, then
 * replace each row's DWARF file index by its file id, dropping rows that name no file.
 *
 * Why at the end of the unit: a row's file name is known only then, because DW_LNE_define_file
 * may add the entry later in the program. Why in place: a unit can hold millions of rows, and
 * they are already where the table needs them (EntryColumns); only the end-of-sequence rows are
 * remembered on the side (one per sequence, far fewer than a flag per row), for libdw's order.
 *
 * libdw's order of a unit's rows (dwarf_getsrclines): by address, an end-of-sequence row before
 * an ordinary row at the same address, otherwise in line-program order. Only the kept rows need
 * it: sorting and then dropping rows keeps the relative order of the kept ones, and the kept rows
 * of one UnitRows all lie in one section measured from one base, where address order is offset
 * order.
 */
import type { EntryColumns } from './entry-columns.js';
import type { FileNumbering } from './collect-entries.js';

export class UnitRows {
  /** where the current unit's rows start in `entries` */
  private start = 0;
  /** unit-relative indices of the end-of-sequence rows, increasing */
  private endSeqRows: number[] = [];

  constructor(private readonly entries: EntryColumns) {}

  /** Start a unit: rows pushed from now on are its rows. */
  begin(): void {
    this.start = this.entries.length;
    this.endSeqRows = [];
  }

  /** A kept row, with its DWARF file index (at most 2^32 - 1) in place of the file id. */
  push(offset: number, fileIndex: number, line: number, endSequence: boolean): void {
    if (endSequence) this.endSeqRows.push(this.entries.length - this.start);
    this.entries.push(offset, fileIndex, line);
  }

  /**
   * End the unit: number the files of its rows in libdw's order (`nameOf`: DWARF file index ->
   * the name the generator uses), replace the indices by ids and drop the rows whose index names
   * no file. Returns how many rows were kept and dropped.
   */
  finish(nameOf: ReadonlyMap<number, string>, numbering: FileNumbering): { kept: number; noFile: number } {
    const entries = this.entries;
    const start = this.start;
    const n = entries.length - start;
    const idOf = new Map<number, number>();
    const number = (fileIndex: number): void => {
      if (idOf.has(fileIndex)) return;
      const name = nameOf.get(fileIndex);
      idOf.set(fileIndex, name === undefined ? -1 : numbering.idOf(name));
    };
    const order = this.libdwOrder(n);
    let lastFile = -1;
    for (let k = 0; k < n; k++) {
      const f = entries.fileAt(start + (order === null ? k : order[k]!));
      if (f !== lastFile) number(f);
      lastFile = f;
    }

    let w = start;
    let noFile = 0;
    lastFile = -1;
    let lastId = -1;
    for (let r = start; r < start + n; r++) {
      const f = entries.fileAt(r);
      if (f !== lastFile) {
        lastFile = f;
        lastId = idOf.get(f)!;
      }
      if (lastId < 0) {
        noFile++;
        continue;
      }
      entries.set(w, entries.offsetAt(r), lastId, entries.lineAt(r));
      w++;
    }
    entries.truncate(w);
    this.endSeqRows = [];
    return { kept: w - start, noFile };
  }

  /**
   * libdw's order of the unit's rows: null when they are in that order already (the usual case,
   * detected in one pass); else unit-relative row indices (Array.prototype.sort is stable).
   */
  private libdwOrder(n: number): number[] | null {
    const entries = this.entries;
    const start = this.start;
    const ends = this.endSeqRows;
    // One pass: offsets never decrease, and at an equal offset an end-of-sequence row never
    // follows an ordinary one (`next` walks the end-of-sequence list along).
    let sorted = true;
    let next = 0;
    let prevEnd = false;
    for (let k = 0; k < n && sorted; k++) {
      const end = next < ends.length && ends[next] === k;
      if (end) next++;
      if (k > 0) {
        const d = entries.offsetAt(start + k) - entries.offsetAt(start + k - 1);
        sorted = d > 0 || (d === 0 && (prevEnd || !end));
      }
      prevEnd = end;
    }
    if (sorted) return null;
    const endSeq = new Uint8Array(n);
    for (const k of ends) endSeq[k] = 1;
    const before = (a: number, b: number): number => entries.offsetAt(start + a) - entries.offsetAt(start + b) || endSeq[b]! - endSeq[a]!;
    const order = new Array<number>(n);
    for (let k = 0; k < n; k++) order[k] = k;
    return order.sort(before);
  }
}

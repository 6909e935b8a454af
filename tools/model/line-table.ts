/**
 * The abstract content of a lineinfo table: a file list and address -> (file, line) entries.
 * Every revision encodes the same content; only the bytes differ.
 */

export interface Entry {
  /** byte offset from the table's base (module `.text` start, or `_text` for vmlinux), u32 */
  readonly offset: number;
  /** index into LineTable.files */
  readonly fileId: number;
  /** source line, u32 */
  readonly line: number;
}

export interface LineTable {
  readonly files: readonly string[];
  /** sorted by offset, strictly increasing (see normaliseEntries) */
  readonly entries: readonly Entry[];
}

/**
 * Entries column by column: entry i is (offsets[i], fileIds[i], lines[i]), in LineTable.entries
 * order (sorted, de-duplicated). The DWARF generator produces tables in this form, so that large
 * ones (a kernel's millions of entries) are encoded without an object per entry (about 56 bytes
 * in V8, against 10 here).
 */
export interface EntryArrays {
  readonly offsets: Uint32Array;
  /** file ids are below MAX_FILES, so they fit in 16 bits */
  readonly fileIds: Uint16Array;
  readonly lines: Uint32Array;
}

/** A LineTable whose entries are in columns (EntryArrays) instead of Entry objects. */
export interface ColumnarLineTable {
  readonly files: readonly string[];
  readonly columns: EntryArrays;
}

/** The number of entries of a columnar table. */
export function columnCount(columns: EntryArrays): number {
  return columns.offsets.length;
}

/** Entries given either way: Entry objects, or columns (the DWARF generator's, without an object per entry). */
export type EntryList = readonly Entry[] | EntryArrays;

export function entryListCount(entries: EntryList): number {
  return Array.isArray(entries) ? entries.length : columnCount(entries as EntryArrays);
}

/** `entries` as Entry objects (made from columns when given as columns). */
export function entryObjects(entries: EntryList): readonly Entry[] {
  return Array.isArray(entries) ? (entries as readonly Entry[]) : entriesFromColumns(entries as EntryArrays);
}

/** The same table with Entry objects (for code that takes a LineTable). */
export function entriesFromColumns(columns: EntryArrays): Entry[] {
  const { offsets, fileIds, lines } = columns;
  const out = new Array<Entry>(offsets.length);
  for (let i = 0; i < offsets.length; i++) out[i] = { offset: offsets[i]!, fileId: fileIds[i]!, line: lines[i]! };
  return out;
}

/** entriesFromColumns as a LineTable. */
export function lineTableFromColumns(table: ColumnarLineTable): LineTable {
  return { files: table.files, entries: entriesFromColumns(table.columns) };
}

/** The generator's limits (gen_lineinfo): file ids fit in a u16 and are below 65535. */
export const MAX_FILES = 65535;
export const MAX_U32 = 0xffff_ffff;

/**
 * Sort and de-duplicate raw rows exactly as the kernel generator does before encoding:
 *  1. rows with line 0 are dropped (DWARF's "no source line");
 *  2. sort by (offset, file id, line);
 *  3. walk the sorted rows keeping a "last kept" entry: a row with the same offset as the last
 *     kept one is dropped (so the lowest file id, then lowest line, wins); a row with the same
 *     (file, line) as the last kept one is dropped (it adds nothing to a largest-entry-<=-offset
 *     lookup).
 * The result has strictly increasing offsets and no two consecutive equal (file, line) pairs.
 */
export function normaliseEntries(rows: readonly Entry[]): Entry[] {
  const kept = rows.filter((r) => r.line !== 0);
  kept.sort((a, b) => a.offset - b.offset || a.fileId - b.fileId || a.line - b.line);
  const out: Entry[] = [];
  for (const row of kept) {
    const last = out[out.length - 1];
    if (last !== undefined) {
      if (row.offset === last.offset) continue;
      if (row.fileId === last.fileId && row.line === last.line) continue;
    }
    out.push(row);
  }
  return out;
}

/** A problem with encoder input, located by JSON path. */
export class TableError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path}: ${detail}`);
    this.name = 'TableError';
  }
}

/** Checks the limits every revision shares; throws TableError on the first violation. */
export function checkTable(table: LineTable): void {
  if (table.files.length > MAX_FILES) {
    throw new TableError('files', `${table.files.length} files; the generator's limit is ${MAX_FILES}`);
  }
  table.files.forEach((name, i) => {
    if (name.includes('\0')) throw new TableError(`files[${i}]`, 'file name contains a NUL byte');
  });
  table.entries.forEach((e, i) => {
    if (!isU32(e.offset)) throw new TableError(`entries[${i}].offset`, `${e.offset} is not a u32 (offsets are below 4 GiB)`);
    if (!isU32(e.line)) throw new TableError(`entries[${i}].line`, `${e.line} is not a u32`);
    if (!Number.isInteger(e.fileId) || e.fileId < 0 || e.fileId >= table.files.length) {
      throw new TableError(`entries[${i}].file`, `file id ${e.fileId} is not in files[0..${table.files.length - 1}]`);
    }
  });
}

export function isU32(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= MAX_U32;
}

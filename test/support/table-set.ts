/**
 * The table shapes every codec test runs over: seeded random tables plus the edge cases
 * (empty, one entry, exactly one block, one past a block, two blocks, many files, extreme values).
 */
import type { Entry, LineTable } from '../../tools/model/line-table.js';
import { randomTable } from './random-tables.js';

export interface NamedTable {
  readonly label: string;
  readonly seed: number;
  readonly table: LineTable;
}

/** A random table with exactly `n` entries (the entries of a larger seeded table, cut). */
export function tableWithEntries(seed: number, n: number, maxFiles = 40): LineTable {
  for (let s = seed; ; s += 7919) {
    const t = randomTable(s, Math.max(2 * n, 8), maxFiles);
    if (t.entries.length >= n) return { files: t.files, entries: t.entries.slice(0, n) };
  }
}

/** Offsets near 2^32, lines at the u32 limits, file-id and line deltas that wrap in int32. */
export function extremeTable(): LineTable {
  const entries: Entry[] = [
    { offset: 0, fileId: 2, line: 0xffff_ffff },
    { offset: 1, fileId: 0, line: 1 },
    { offset: 0x7fff_ffff, fileId: 1, line: 0x8000_0000 },
    { offset: 0x8000_0000, fileId: 2, line: 1 },
    { offset: 0x8000_0001, fileId: 0, line: 0x7fff_ffff },
    { offset: 0xffff_fffe, fileId: 0, line: 0xffff_ffff },
    { offset: 0xffff_ffff, fileId: 2, line: 2 },
  ];
  return { files: ['lib/x.c', 'include/y.h', 'kernel/z.c'], entries };
}

/** 65535 files (the generator's limit); entries name ids 0, 65534 and some in between. */
export function maxFilesTable(): LineTable {
  const files = Array.from({ length: 65535 }, (_, i) => `d${i % 97}/f${i}.c`);
  const ids = [0, 65534, 1, 65533, 32768, 255, 256, 65534, 0, 12345];
  const entries: Entry[] = ids.map((fileId, i) => ({ offset: 0x100 + 0x40 * i, fileId, line: 1 + i }));
  return { files, entries };
}

/** File names with characters that need escaping in assembly or are not ASCII. */
export function oddNamesTable(): LineTable {
  const files = ['a/"quoted".c', 'b\\back\\slash.c', 'c/\\"both\\".h', 'dir\\', 'tab\\t and \\n literal.c', 'ünïcödé/файл.c', 'x#y;z.c', 'sp ace/é.h'];
  const entries: Entry[] = files.map((_, i) => ({ offset: 8 * i + 3, fileId: i, line: 10 + i }));
  return { files, entries };
}

/** 200 tables: the edge cases first, then seeded random ones of varied size. */
export function standardTables(count = 200): NamedTable[] {
  const out: NamedTable[] = [
    { label: '0 entries, 1 file', seed: 1, table: { files: ['only.c'], entries: [] } },
    { label: '0 entries, 0 files', seed: 2, table: { files: [], entries: [] } },
    { label: '1 entry, 1 file', seed: 3, table: { files: ['init/main.c'], entries: [{ offset: 0x40, fileId: 0, line: 7 }] } },
    { label: '1 entry at offset 0', seed: 4, table: { files: ['a.c', 'b/c.c'], entries: [{ offset: 0, fileId: 1, line: 1 }] } },
    { label: 'exactly 64 entries', seed: 5, table: tableWithEntries(5, 64) },
    { label: 'exactly 65 entries', seed: 6, table: tableWithEntries(6, 65) },
    { label: 'exactly 128 entries', seed: 7, table: tableWithEntries(7, 128) },
    { label: '63 entries', seed: 8, table: tableWithEntries(8, 63) },
    { label: '129 entries', seed: 9, table: tableWithEntries(9, 129) },
    { label: '3 entries (odd, flat padding)', seed: 10, table: tableWithEntries(10, 3) },
    { label: '1 file, many entries', seed: 11, table: randomTable(11, 2000, 1) },
    { label: 'many files', seed: 12, table: randomTable(12, 600, 3000) },
    { label: '65535 files', seed: 13, table: maxFilesTable() },
    { label: 'extreme values', seed: 14, table: extremeTable() },
    { label: 'odd file names', seed: 15, table: oddNamesTable() },
  ];
  const sizes = [2000, 400, 150, 40, 6];
  for (let i = out.length; i < count; i++) {
    const seed = 1000 + i;
    out.push({ label: `random seed ${seed}`, seed, table: randomTable(seed, sizes[i % sizes.length]!) });
  }
  return out;
}

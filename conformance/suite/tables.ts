/**
 * Line tables and query sets for conformance cases. Tables are built directly (not through the
 * generator's de-duplication) so that entry counts are exact: a vector that must have 65 entries
 * has 65. Every table built here is valid: strictly increasing offsets, no two consecutive entries
 * with the same (file, line), every file id in range.
 */
import type { DecoderQuery } from '../decoder-interface.js';
import { checkTable } from '../../tools/model/line-table.js';
import type { Entry, LineTable } from '../../tools/model/line-table.js';
import { BLOCK_ENTRIES } from '../../tools/revisions/block-stream.js';
import { randInt } from './random.js';

export const U32_MAX = 0xffff_ffff;

export interface TableShape {
  readonly entries: number;
  readonly files: number;
  /** offset of the first entry */
  readonly start?: number;
  /** largest ordinary gap between consecutive entries (default 24) */
  readonly maxGap?: number;
  /** probability of a large gap (0x1000..0x100000 bytes) between two entries */
  readonly bigGaps?: number;
  /** probability that an entry switches to another file (default 0.15) */
  readonly fileSwitch?: number;
  /** file names; default dirN/sub/file_N.c */
  readonly names?: readonly string[];
}

export function fileName(i: number): string {
  return `dir${i % 7}/sub/file_${i}.${i % 5 === 3 ? 'h' : 'c'}`;
}

export function buildTable(random: () => number, shape: TableShape): LineTable {
  const files = shape.names ? [...shape.names] : Array.from({ length: shape.files }, (_, i) => fileName(i));
  const entries: Entry[] = [];
  let offset = shape.start ?? 0x40 + randInt(random, 0, 0x3c0);
  let line = randInt(random, 1, 400);
  let file = 0;
  for (let i = 0; i < shape.entries; i++) {
    if (i > 0) {
      const big = random() < (shape.bigGaps ?? 0);
      offset += big ? randInt(random, 0x1000, 0x10_0000) : randInt(random, 1, shape.maxGap ?? 24);
      if (i < files.length) file = i; // every file is named by some entry (LI-FIL-004)
      else if (files.length > 1 && random() < (shape.fileSwitch ?? 0.15)) file = (file + randInt(random, 1, files.length - 1)) % files.length;
      // lines move by small steps, sometimes jump; never repeat the previous (file, line)
      const step = random() < 0.05 ? randInt(random, 50, 5000) : randInt(random, 1, 6);
      line = random() < 0.3 && line > step ? line - step : line + step;
    }
    entries.push({ offset, fileId: file, line });
  }
  if (offset > U32_MAX) throw new Error('table offsets overflow 32 bits; use a smaller start or fewer gaps');
  const table = { files, entries };
  assertValidTable(table);
  return table;
}

export function assertValidTable(table: LineTable): void {
  checkTable(table);
  for (let i = 1; i < table.entries.length; i++) {
    const a = table.entries[i - 1]!;
    const b = table.entries[i]!;
    if (b.offset <= a.offset) throw new Error(`entry ${i} offset not increasing`);
    if (a.fileId === b.fileId && a.line === b.line) throw new Error(`entry ${i} repeats the previous (file, line)`);
  }
}

function key(q: DecoderQuery): string {
  return `${q.offset}/${q.symbolStart ?? ''}`;
}

/**
 * Queries that exercise a table's edges: 0 and 0xffffffff, before/at/after the first and last
 * entries, every block edge (entries 64k-1, 64k, 64k+1 and the byte before 64k), gaps between
 * entries, far past the last entry, a few inner entries, and the symbol-start rule (a symbol
 * starting at an entry, and one starting just after the nearest entry).
 */
export function edgeQueries(table: LineTable, random: () => number, limit = 48): DecoderQuery[] {
  const out = new Map<string, DecoderQuery>();
  const add = (q: DecoderQuery): void => {
    if (q.offset < 0 || q.offset > U32_MAX) return;
    if (!out.has(key(q))) out.set(key(q), q);
  };
  const e = table.entries;
  add({ offset: 0 });
  add({ offset: U32_MAX });
  if (e.length > 0) {
    const first = e[0]!.offset;
    const last = e[e.length - 1]!.offset;
    if (first > 0) add({ offset: first - 1 });
    add({ offset: first });
    add({ offset: first + 1 });
    add({ offset: last });
    add({ offset: last + 1 });
    add({ offset: Math.min(U32_MAX, last + 0x10_0000) });
    for (let k = BLOCK_ENTRIES; k < e.length; k += BLOCK_ENTRIES) {
      for (const i of [k - 1, k, k + 1]) if (i < e.length) add({ offset: e[i]!.offset });
      add({ offset: e[k]!.offset - 1 });
    }
    // gaps: the byte after an entry and the byte before the next one
    const gaps: number[] = [];
    for (let i = 0; i + 1 < e.length; i++) if (e[i + 1]!.offset - e[i]!.offset > 2) gaps.push(i);
    for (let n = 0; n < 4 && gaps.length; n++) {
      const i = gaps.splice(Math.floor(random() * gaps.length), 1)[0]!;
      add({ offset: e[i]!.offset + 1 });
      add({ offset: e[i + 1]!.offset - 1 });
    }
    for (let n = 0; n < 4; n++) add({ offset: e[Math.floor(random() * e.length)]!.offset });
    // symbol-start rule
    const i = Math.min(e.length - 1, 1 + Math.floor(random() * Math.max(1, e.length - 1)));
    const at = e[i]!.offset;
    const next = i + 1 < e.length ? e[i + 1]!.offset : at + 0x100;
    add({ offset: at, symbolStart: at });
    add({ offset: Math.min(U32_MAX, next - 1), symbolStart: at });
    if (next - at > 2) add({ offset: next - 1, symbolStart: at + 1 });
    add({ offset: at, symbolStart: 0 });
    if (i > 0) add({ offset: at, symbolStart: e[i - 1]!.offset });
  }
  return [...out.values()].slice(0, limit);
}

/**
 * Independent oracles for the tests: written from the documented rules (spec and the kernel
 * generator's description), not from the code under test, and deliberately naive.
 */
import type { Entry, LineTable } from '../../tools/model/line-table.js';
import { rng } from './random-tables.js';

export type OracleAnswer =
  | { kind: 'hit'; file: string; line: number; fileId: number; entryOffset: number }
  | { kind: 'miss' };

/** What a layout's lookup rules need from the oracle: its traits. */
interface LayoutRules {
  readonly traits: { readonly symbolBound: boolean; readonly locate: string; readonly minOffsetBound?: boolean };
}

/**
 * The brute-force answer under one layout's lookup rules (spec/FORMAT.md, Lookup):
 * - no symbol bound (v2 to v6): the symbol start is ignored;
 * - v7's min_offset bound only applies when the symbol starts at or before the query;
 * - a sectioned layout's plain table covers offsets below 2^32 - 1 (a descriptor's u32 size).
 */
export function layoutLookup(layout: LayoutRules, table: LineTable, q: number, symbolStart?: number): OracleAnswer {
  const sectioned = layout.traits.locate === 'sectioned';
  if (sectioned && q >= 0xffff_ffff) return { kind: 'miss' };
  let bound = layout.traits.symbolBound ? symbolStart : undefined;
  if (layout.traits.minOffsetBound && bound !== undefined && bound > q) bound = undefined;
  return bruteLookup(table, q, bound);
}

/**
 * Brute force: the entry with the largest offset <= q (linear scan, no assumption that the
 * entries are sorted); none when there is no such entry, or when a symbol start is given and that
 * entry lies before it.
 */
export function bruteLookup(table: LineTable, q: number, symbolStart?: number): OracleAnswer {
  let best: Entry | undefined;
  for (const e of table.entries) {
    if (e.offset <= q && (best === undefined || e.offset > best.offset)) best = e;
  }
  if (best === undefined) return { kind: 'miss' };
  if (symbolStart !== undefined && best.offset < symbolStart) return { kind: 'miss' };
  const file = table.files[best.fileId];
  if (file === undefined) return { kind: 'miss' };
  return { kind: 'hit', file, line: best.line, fileId: best.fileId, entryOffset: best.offset };
}

/**
 * The kernel generator's de-duplication, written out step by step:
 *  drop line 0; sort by offset, then file id, then line; keep a row unless it has the offset of
 *  the last KEPT row, or the (file, line) of the last KEPT row.
 */
export function referenceNormalise(rows: readonly Entry[]): Entry[] {
  const withLines: Entry[] = [];
  for (const r of rows) if (r.line > 0) withLines.push({ offset: r.offset, fileId: r.fileId, line: r.line });
  const key = (e: Entry): bigint => (BigInt(e.offset) << 64n) | (BigInt(e.fileId) << 32n) | BigInt(e.line);
  withLines.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const kept: Entry[] = [];
  for (const r of withLines) {
    if (kept.length === 0) {
      kept.push(r);
      continue;
    }
    const last = kept[kept.length - 1]!;
    const sameOffset = r.offset === last.offset;
    const samePlace = r.fileId === last.fileId && r.line === last.line;
    if (!sameOffset && !samePlace) kept.push(r);
  }
  return kept;
}

/** Raw generator rows with the shapes that exercise de-duplication (repeats, line 0, disorder). */
export function messyRows(seed: number, count: number, numFiles: number): Entry[] {
  const r = rng(seed);
  const rows: Entry[] = [];
  let offset = Math.floor(r() * 64);
  for (let i = 0; i < count; i++) {
    if (r() < 0.6) offset += Math.floor(r() * 12);
    const fileId = r() < 0.7 ? 0 : Math.floor(r() * numFiles);
    const line = r() < 0.08 ? 0 : 1 + Math.floor(r() * 6);
    rows.push({ offset, fileId, line });
  }
  // shuffle
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  return rows;
}

/**
 * Offsets to query a table with: each entry's offset, offset - 1, offset + 1, a point between
 * neighbours, before the first, far past the last, 0 and 0xffffffff. Large tables are sampled
 * (every entry near the start and end and around each 64-entry block boundary, plus a random
 * spread) to keep the run time bounded.
 */
export function queryOffsets(table: LineTable, seed: number, maxEntriesProbed = 200): number[] {
  const es = table.entries;
  const out = new Set<number>([0, 0xffff_ffff, 1, 0x7fff_ffff, 0x8000_0000]);
  const probe = new Set<number>();
  if (es.length <= maxEntriesProbed) {
    for (let i = 0; i < es.length; i++) probe.add(i);
  } else {
    for (let i = 0; i < 40; i++) {
      probe.add(i);
      probe.add(es.length - 1 - i);
    }
    for (let b = 64; b < es.length; b += 64) for (const d of [-2, -1, 0, 1]) if (b + d >= 0 && b + d < es.length) probe.add(b + d);
    const r = rng(seed ^ 0x5eed);
    while (probe.size < maxEntriesProbed) probe.add(Math.floor(r() * es.length));
  }
  const u32 = (x: number): void => {
    if (x >= 0 && x <= 0xffff_ffff) out.add(x);
  };
  for (const i of probe) {
    const e = es[i]!;
    u32(e.offset);
    u32(e.offset - 1);
    u32(e.offset + 1);
    const next = es[i + 1];
    if (next) u32(Math.floor((e.offset + next.offset) / 2));
  }
  if (es.length) {
    u32(es[0]!.offset - 1);
    u32(Math.floor(es[0]!.offset / 2));
    const last = es[es.length - 1]!.offset;
    u32(Math.min(0xffff_ffff, last + 1_000_000));
    u32(Math.min(0xffff_ffff, last + 0x1000_0000));
  }
  return [...out].sort((a, b) => a - b);
}

/** The line `lineinfo lookup` prints for an answer. */
export function lookupLine(q: number, a: OracleAnswer): string {
  return `0x${q.toString(16)} ${a.kind === 'hit' ? `${a.file}:${a.line}` : '-'}`;
}

/** An encoder-input JSON document for a table of raw rows. */
export function encoderInput(files: readonly string[], rows: readonly Entry[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...extra, files, entries: rows.map((e) => ({ offset: e.offset, file: e.fileId, line: e.line })) });
}

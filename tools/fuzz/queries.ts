/**
 * Lookup queries for one case, drawn from the decision stream and aimed at the table: exact entry
 * offsets, offsets between entries, before the first and past the last, block starts, the
 * symbol-start rule (hit and miss), 32-bit edges and random offsets. Every query has a kind; a
 * finding is deduplicated by the kind of its first failing query.
 */
import type { DecoderQuery } from '../../conformance/decoder-interface.js';
import type { Decisions } from './decisions.js';

export interface QuerySet {
  readonly queries: DecoderQuery[];
  readonly kinds: string[];
}

interface Located {
  readonly offset: number;
}

const EDGES = [0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_fffe, 0xffff_ffff];

const KINDS = ['entry', 'between', 'first', 'past-last', 'before-first', 'symbol-hit', 'symbol-miss', 'block-start', 'edge', 'random'] as const;
const WEIGHTS = [30, 14, 8, 8, 5, 6, 6, 6, 5, 4];
const TOTAL = WEIGHTS.reduce((a, b) => a + b, 0);
/** KIND_OF[v] = d.weighted(WEIGHTS)'s answer for the drawn value v = below(TOTAL) */
const KIND_OF = new Uint8Array(TOTAL);
for (let k = 0, v = 0; k < WEIGHTS.length; k++) for (let j = 0; j < WEIGHTS[k]!; j++) KIND_OF[v++] = k;
// KINDS' indices
const ENTRY = 0;
const BLOCK_START = 7;
const EDGE = 8;
const RANDOM = 9;

const clamp = (x: number): number => Math.max(0, Math.min(0xffff_ffff, Math.floor(x)));

/** The entries' offsets, in table order (what makeQueries aims at). */
export function entryOffsets(entries: readonly Located[]): Float64Array {
  const out = new Float64Array(entries.length);
  for (let i = 0; i < entries.length; i++) out[i] = entries[i]!.offset;
  return out;
}

/**
 * `offsets`: the table's entry offsets in order (entryOffsets), `blockAddrs` its block start
 * offsets (none for flat layouts).
 */
export function makeQueries(d: Decisions, offsets: ArrayLike<number>, blockAddrs: ArrayLike<number> = []): QuerySet {
  const count = d.int(4, 12);
  const queries: DecoderQuery[] = new Array(count);
  const kinds: string[] = new Array(count);
  const n = offsets.length;
  for (let i = 0; i < count; i++) {
    let kind: number = KIND_OF[d.below(TOTAL)]!; // = d.weighted(WEIGHTS, TOTAL)
    if (n === 0 && kind !== RANDOM) kind = EDGE;
    if (kind === BLOCK_START && blockAddrs.length === 0) kind = ENTRY;
    let q: DecoderQuery;
    switch (kind) {
      case 0: // entry
        q = { offset: offsets[d.below(n)]! };
        break;
      case 1: { // between
        const k = d.below(n);
        const a = offsets[k]!;
        const b = k + 1 < n ? offsets[k + 1]! : a + 64;
        q = { offset: clamp(b - a > 1 ? a + 1 + d.below(b - a - 1) : a) };
        break;
      }
      case 2: // first
        q = { offset: offsets[0]! };
        break;
      case 3: // past-last
        q = { offset: clamp(offsets[n - 1]! + 1 + d.below(1 << 16)) };
        break;
      case 4: // before-first
        q = { offset: clamp(offsets[0]! - 1 - d.below(4)) };
        break;
      case 5: { // symbol-hit
        const a = offsets[d.below(n)]!;
        q = { offset: clamp(a + d.below(4)), symbolStart: clamp(a - d.below(3)) };
        break;
      }
      case 6: { // symbol-miss
        const a = offsets[d.below(n)]!;
        q = { offset: a, symbolStart: clamp(a + 1 + d.below(16)) };
        break;
      }
      case 7: { // block-start
        const a = blockAddrs[d.below(blockAddrs.length)]!;
        q = { offset: clamp(a - d.below(2)) };
        break;
      }
      case 8: // edge
        q = { offset: d.pick(EDGES) };
        break;
      default: // random
        q = { offset: d.u32() };
    }
    queries[i] = q;
    kinds[i] = KINDS[kind]!;
  }
  return { queries, kinds };
}

/** Queries for replaying a bare section: every entry (up to a bound) plus the edges. */
export function defaultQueries(entries: readonly Located[], max = 64): QuerySet {
  const queries: DecoderQuery[] = [];
  const kinds: string[] = [];
  const step = Math.max(1, Math.ceil(entries.length / max));
  for (let i = 0; i < entries.length; i += step) {
    queries.push({ offset: entries[i]!.offset });
    kinds.push('entry');
  }
  for (const e of EDGES) {
    queries.push({ offset: e });
    kinds.push('edge');
  }
  return { queries, kinds };
}

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

const clamp = (x: number): number => Math.max(0, Math.min(0xffff_ffff, Math.floor(x)));

export function makeQueries(d: Decisions, entries: readonly Located[], blockAddrs: readonly number[] = []): QuerySet {
  const count = d.int(4, 12);
  const queries: DecoderQuery[] = [];
  const kinds: string[] = [];
  const n = entries.length;
  for (let i = 0; i < count; i++) {
    let kind: string = KINDS[d.weighted(WEIGHTS, TOTAL)]!;
    if (n === 0 && kind !== 'random') kind = 'edge';
    if (kind === 'block-start' && blockAddrs.length === 0) kind = 'entry';
    let q: DecoderQuery;
    switch (kind) {
      case 'entry':
        q = { offset: entries[d.below(n)]!.offset };
        break;
      case 'between': {
        const k = d.below(n);
        const a = entries[k]!.offset;
        const b = k + 1 < n ? entries[k + 1]!.offset : a + 64;
        q = { offset: clamp(b - a > 1 ? a + 1 + d.below(b - a - 1) : a) };
        break;
      }
      case 'first':
        q = { offset: entries[0]!.offset };
        break;
      case 'past-last':
        q = { offset: clamp(entries[n - 1]!.offset + 1 + d.below(1 << 16)) };
        break;
      case 'before-first':
        q = { offset: clamp(entries[0]!.offset - 1 - d.below(4)) };
        break;
      case 'symbol-hit': {
        const k = d.below(n);
        const a = entries[k]!.offset;
        q = { offset: clamp(a + d.below(4)), symbolStart: clamp(a - d.below(3)) };
        break;
      }
      case 'symbol-miss': {
        const a = entries[d.below(n)]!.offset;
        q = { offset: a, symbolStart: clamp(a + 1 + d.below(16)) };
        break;
      }
      case 'block-start': {
        const a = blockAddrs[d.below(blockAddrs.length)]!;
        q = { offset: clamp(a - d.below(2)) };
        break;
      }
      case 'edge':
        q = { offset: d.pick(EDGES) };
        break;
      default:
        q = { offset: d.u32() };
    }
    queries.push(q);
    kinds.push(kind);
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

/**
 * Shrinks a finding to a small reproducer that still fails with the same category:
 *  1. the decision streams (FormatFuzzer/Hypothesis style): delete, zero and lower recorded
 *     decisions and regenerate, which gives fewer entries, fewer files, shorter names, simpler
 *     mutations, while the layout, byte order and mutator stay the same;
 *  2. the queries: keep only the failing one when that still fails;
 *  3. the bytes, by delta debugging: first whole fields (the regions and header fields of the
 *     layout: delete a region, cut before it, lower a header count), then chunks of bytes of
 *     halving size, then single bytes set to zero.
 * Candidates are ordered (size, then decisions) and only strictly smaller ones are accepted, so
 * it terminates; it also stops at its run and time budget.
 */
import { layoutById } from '../revisions/registry.js';
import type { CaseDecisions } from './case-gen.js';
import type { RawFinding } from './engine.js';
import type { Executor } from './executor.js';
import type { Category, Verdict } from './oracle.js';
import type { WireCase } from './protocol.js';

export interface MinimizeBudget {
  readonly maxRuns: number;
  readonly maxMs: number;
}

export interface Minimized {
  readonly case: WireCase;
  /** decisions of the smallest regenerated case (before byte-level reduction) */
  readonly decisions: CaseDecisions | null;
  readonly verdict: Verdict;
  readonly originalSize: number;
  readonly runs: number;
  readonly ms: number;
  /** false when the finding did not reproduce when re-run (flaky target) */
  readonly reproduced: boolean;
}

class Budget {
  runs = 0;
  private readonly t0 = Date.now();
  /** a stage may stop early to leave runs for the next ones */
  stageRuns = Infinity;
  constructor(private readonly b: MinimizeBudget) {}
  get left(): boolean {
    return this.runs < this.b.maxRuns && this.runs < this.stageRuns && Date.now() - this.t0 < this.b.maxMs;
  }
  get maxRuns(): number {
    return this.b.maxRuns;
  }
  get ms(): number {
    return Date.now() - this.t0;
  }
}

function decisionsKey(d: CaseDecisions): [number, number[]] {
  return [d.table.length + d.case.length, [...d.case, ...d.table]];
}

function smallerDecisions(a: CaseDecisions, b: CaseDecisions): boolean {
  const [la, xa] = decisionsKey(a);
  const [lb, xb] = decisionsKey(b);
  if (la !== lb) return la < lb;
  for (let i = 0; i < xa.length; i++) if (xa[i] !== xb[i]) return xa[i]! < xb[i]!;
  return false;
}

export async function minimize(exec: Executor, finding: RawFinding, budget: MinimizeBudget): Promise<Minimized> {
  const b = new Budget(budget);
  const category: Category = finding.category;
  const original: WireCase = { layout: finding.layout, endian: finding.endian, bytes: finding.bytes, queries: finding.queries, queryKinds: finding.queryKinds, mutator: finding.mutator, rule: finding.rule, description: finding.description };
  let cur: WireCase = original;
  let verdict: Verdict = { category, detail: finding.detail, query: finding.queryIndex };
  let decisions: CaseDecisions | null = null;
  let reproduced = true;

  // 1. decisions
  if (finding.caseIndex >= 0 && finding.source === 'generated') {
    b.runs++;
    const rec = await exec.run({ op: 'record', index: finding.caseIndex });
    if (rec.verdict?.category === category && rec.case && rec.decisions && rec.case.bytes.length === finding.bytes.length) {
      decisions = rec.decisions;
      cur = rec.case;
      verdict = rec.verdict;
      const accept = async (cand: CaseDecisions): Promise<boolean> => {
        if (!b.left || !decisions) return false;
        b.runs++;
        const r = await exec.run({ op: 'decisions', decisions: cand });
        if (!r.verdict || r.verdict.category !== category || !r.case || !r.decisions) return false;
        const c = r.case;
        if (c.layout !== finding.layout || c.endian !== finding.endian || c.mutator !== finding.mutator) return false;
        if (finding.bytes.length >= layoutById(finding.layout).headerSize && c.bytes.length < layoutById(finding.layout).headerSize) return false;
        if (c.bytes.length > cur.bytes.length || (c.bytes.length === cur.bytes.length && !smallerDecisions(r.decisions, decisions))) return false;
        decisions = r.decisions;
        cur = c;
        verdict = r.verdict;
        return true;
      };
      b.stageRuns = Math.floor(b.maxRuns * 0.4);
      await shrinkDecisions(() => decisions!, accept, b);
      b.stageRuns = Infinity;
    } else if (rec.verdict?.category !== category) {
      reproduced = rec.verdict !== null;
    }
  }

  // 2. queries
  const judgeBytes = async (c: WireCase): Promise<Verdict | null> => {
    b.runs++;
    const r = await exec.run({ op: 'bytes', case: c });
    return r.verdict && r.verdict.category === category ? r.verdict : null;
  };
  if (cur.queries.length > 1 && b.left) {
    const idx = verdict.query ?? finding.queryIndex;
    const candidates = idx !== null && idx < cur.queries.length ? [idx] : [];
    for (let i = 0; i < cur.queries.length && candidates.length < 4; i++) if (!candidates.includes(i)) candidates.push(i);
    for (const i of candidates) {
      const c: WireCase = { ...cur, queries: [cur.queries[i]!], ...(cur.queryKinds ? { queryKinds: [cur.queryKinds[i] ?? 'any'] } : {}) };
      const v = await judgeBytes(c);
      if (v) {
        cur = c;
        verdict = v;
        break;
      }
    }
  }

  // 3. bytes. A section cut inside its fixed header is a different (and trivial) finding: a
  // reproducer keeps its header when the original had one.
  const headerSize = layoutById(finding.layout).headerSize;
  const keepHeader = finding.bytes.length >= headerSize;
  const tryBytes = async (bytes: Uint8Array): Promise<boolean> => {
    if (!b.left || (keepHeader && bytes.length < headerSize)) return false;
    const c: WireCase = { ...cur, bytes };
    const v = await judgeBytes(c);
    if (!v) return false;
    cur = c;
    verdict = v;
    return true;
  };
  await reduceFields(() => cur, tryBytes, b);
  await ddmin(() => cur.bytes, tryBytes, b);
  if (cur.bytes.length <= 512) await zeroBytes(() => cur.bytes, tryBytes, b);

  return { case: cur, decisions, verdict, originalSize: finding.bytes.length, runs: b.runs, ms: b.ms, reproduced };
}

async function shrinkDecisions(get: () => CaseDecisions, accept: (d: CaseDecisions) => Promise<boolean>, b: Budget): Promise<void> {
  type Which = 'table' | 'case';
  const with_ = (d: CaseDecisions, which: Which, arr: number[]): CaseDecisions => (which === 'table' ? { table: arr, case: d.case } : { table: d.table, case: arr });
  const arr = (which: Which): readonly number[] => get()[which];

  const lowerValues = async (which: Which): Promise<boolean> => {
    let improved = false;
    for (let i = 0; i < arr(which).length && b.left; i++) {
      let v = arr(which)[i]!;
      // try 0 first, then halving
      for (let next = 0; v > 0 && b.left; next = v >>> 1) {
        const a = [...arr(which)];
        a[i] = next;
        if (!(await accept(with_(get(), which, a)))) {
          if (next === 0 && v > 1) continue;
          break;
        }
        improved = true;
        v = next;
      }
    }
    return improved;
  };
  const truncate = async (which: Which): Promise<boolean> => {
    for (let keep = 0; keep < arr(which).length && b.left; keep = keep ? keep * 2 : 1) {
      if (await accept(with_(get(), which, arr(which).slice(0, keep)))) return true;
    }
    return false;
  };
  const chunks = async (which: Which): Promise<boolean> => {
    let improved = false;
    for (const k of [8, 4, 2, 1]) {
      for (let i = arr(which).length - k; i >= 0 && b.left; i--) {
        const a = arr(which);
        if (i + k > a.length) continue;
        if (await accept(with_(get(), which, [...a.slice(0, i), ...a.slice(i + k)]))) {
          improved = true;
          continue;
        }
        if (a.slice(i, i + k).some((x) => x !== 0) && (await accept(with_(get(), which, [...a.slice(0, i), ...Array<number>(k).fill(0), ...a.slice(i + k)])))) improved = true;
      }
    }
    return improved;
  };

  let improved = true;
  while (improved && b.left) {
    improved = false;
    // the case stream first: its size-class decision makes the table small at once
    if (await lowerValues('case')) improved = true;
    // the first table decision is the entry count
    const t = arr('table');
    if (t.length > 0 && t[0] !== 0 && (await accept(with_(get(), 'table', [0, ...t.slice(1)])))) improved = true;
    if (await truncate('table')) improved = true;
    if (await chunks('table')) improved = true;
    if (await lowerValues('table')) improved = true;
    if (await truncate('case')) improved = true;
    if (await chunks('case')) improved = true;
  }
}

/** field-level reduction: delete or cut at the layout's regions; lower header fields */
async function reduceFields(get: () => WireCase, tryBytes: (b: Uint8Array) => Promise<boolean>, b: Budget): Promise<void> {
  let improved = true;
  while (improved && b.left) {
    improved = false;
    const c = get();
    const layout = layoutById(c.layout);
    const model = layout.read(c.bytes, c.endian);
    const regions = [...model.regions].filter((r) => r.kind !== 'header').sort((x, y) => y.size - x.size);
    for (const r of regions) {
      const bytes = get().bytes;
      if (r.offset + r.size > bytes.length) continue;
      if (r.offset < bytes.length && (await tryBytes(bytes.subarray(0, r.offset)))) {
        improved = true;
        break;
      }
      const cut = new Uint8Array(bytes.length - r.size);
      cut.set(bytes.subarray(0, r.offset));
      cut.set(bytes.subarray(r.offset + r.size), r.offset);
      if (await tryBytes(cut)) {
        improved = true;
        break;
      }
    }
    if (improved) continue;
    // a count and the bytes it describes, lowered together (k elements of 1 to 12 bytes each)
    for (const h of model.header) {
      if (h.size !== 4 || h.value === 0 || !b.left) continue;
      for (const v of [h.value - 1, h.value >>> 1, 0]) {
        const k = h.value - v;
        if (v < 0 || k <= 0 || k > 1 << 20) continue;
        for (const per of [4, 10, 8, 6, 2, 1, 12]) {
          const bytes = get().bytes;
          for (const extra of [0, 2, -2]) {
            const cut = k * per + extra;
            if (cut <= 0 || cut > bytes.length - (h.offset + 4)) continue;
            for (const atEnd of [true, false]) {
              if (!atEnd && layout.headerSize + cut > bytes.length) continue;
              const out = new Uint8Array(bytes.length - cut);
              if (atEnd) out.set(bytes.subarray(0, bytes.length - cut));
              else {
                const from = layout.headerSize;
                out.set(bytes.subarray(0, from));
                out.set(bytes.subarray(from + cut), from);
              }
              new DataView(out.buffer).setUint32(h.offset, v, c.endian === 'le');
              if (await tryBytes(out)) {
                improved = true;
                break;
              }
            }
            if (improved) break;
          }
          if (improved) break;
        }
        if (improved) break;
      }
      if (improved) break;
    }
    if (improved) continue;
    for (const h of model.header) {
      if (h.size !== 4 || h.value === 0) continue;
      for (const v of [0, 1, h.value >>> 1, h.value - 1]) {
        const bytes = get().bytes;
        if (v >= h.value || h.offset + 4 > bytes.length) continue;
        const out = new Uint8Array(bytes);
        new DataView(out.buffer).setUint32(h.offset, v, c.endian === 'le');
        if (await tryBytes(out)) {
          improved = true;
          break;
        }
      }
      if (improved) break;
    }
  }
}

/** delta debugging by chunk deletion, chunk size halving down to single bytes */
async function ddmin(get: () => Uint8Array, tryBytes: (b: Uint8Array) => Promise<boolean>, b: Budget): Promise<void> {
  let chunk = Math.max(1, get().length >> 1);
  for (;;) {
    let changed = false;
    for (let start = get().length - chunk; start > -chunk && b.left; start -= chunk) {
      const bytes = get();
      const s = Math.max(0, start);
      const e = Math.min(bytes.length, start + chunk);
      if (e <= s) continue;
      const out = new Uint8Array(bytes.length - (e - s));
      out.set(bytes.subarray(0, s));
      out.set(bytes.subarray(e), s);
      if (await tryBytes(out)) changed = true;
    }
    if (!b.left) return;
    if (chunk === 1 && !changed) return;
    if (!changed || chunk > 1) chunk = Math.max(1, chunk >> 1);
  }
}

async function zeroBytes(get: () => Uint8Array, tryBytes: (b: Uint8Array) => Promise<boolean>, b: Budget): Promise<void> {
  for (let i = 0; i < get().length && b.left; i++) {
    const bytes = get();
    if (bytes[i] === 0) continue;
    const out = new Uint8Array(bytes);
    out[i] = 0;
    await tryBytes(out);
  }
}

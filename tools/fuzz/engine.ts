/**
 * One fuzz case through a target: run, judge against the reference, and describe a finding
 * (category, first failing query and its kind). Shared by the worker threads, the minimiser's
 * executor, the benchmark and the tests.
 */
import type { DecoderQuery } from '../../conformance/decoder-interface.js';
import type { DecoderCase } from '../../conformance/driver.js';
import type { Endian } from '../format/endian.js';
import type { Layout, SectionModel } from '../revisions/layout.js';
import type { LayoutId } from '../revisions/layout-id.js';
import { RULES } from '../rules/catalogue.js';
import { hashBytes, mix32 } from './decisions.js';
import type { FuzzCase } from './case-gen.js';
import type { Category, FuzzOutcome, Verdict } from './oracle.js';
import { judge, Reference } from './oracle.js';
import type { LoadedTarget } from './targets.js';

export interface RawFinding {
  readonly caseIndex: number;
  readonly category: Category;
  readonly detail: string;
  readonly queryIndex: number | null;
  /** kind of the first failing query ('any' when every query fails alone, 'none' when no query is needed) */
  readonly queryKind: string;
  readonly layout: LayoutId;
  readonly endian: Endian;
  readonly mutator: string;
  readonly rule: string | null;
  readonly description: string;
  readonly source: string;
  readonly sizeClass: string | null;
  readonly bytes: Uint8Array;
  readonly queries: readonly DecoderQuery[];
  readonly queryKinds: readonly string[];
  /** the section breaks a MUST rule */
  readonly malformed: boolean;
}

export function dedupKey(f: Pick<RawFinding, 'category' | 'mutator' | 'queryKind'>): string {
  return `${f.category}|${f.mutator}|${f.queryKind}`;
}

/** The case as a decoder sees it. */
export interface PlainCase {
  readonly layout: Layout;
  readonly endian: Endian;
  readonly bytes: Uint8Array;
  readonly queries: readonly DecoderQuery[];
  readonly model?: SectionModel | null;
}

function decoderCase(c: PlainCase, queries: readonly DecoderQuery[] = c.queries): DecoderCase {
  return { section: c.bytes, endian: c.endian, layout: c.layout.id, queries };
}

export interface Examined {
  readonly outcome: FuzzOutcome;
  readonly verdict: Verdict | null;
  readonly ref: Reference;
}

/** The oracle for `c`: the cached model of an unmutated section, the target's own (builtin:reference), or a lazy read. */
function referenceFor(c: PlainCase, outcome: FuzzOutcome): Reference {
  if (c.model) return new Reference(c.layout, c.endian, c.bytes, c.model);
  if (outcome.kind === 'answers' && 'reference' in outcome) return outcome.reference;
  return new Reference(c.layout, c.endian, c.bytes);
}

/**
 * Runs one decoder case in-process and judges it. A finding on the fast guarded view is run again
 * on the exact one (runStrict) and judged from that run, so what is reported never depends on
 * the fast view.
 */
function runJudged(target: LoadedTarget, c: PlainCase, queries: readonly DecoderQuery[], known: Reference | null): Examined {
  const dc = decoderCase(c, queries);
  let outcome = target.runSync!(dc);
  let ref = known ?? referenceFor(c, outcome);
  let verdict = judge(c.bytes, queries, outcome, ref);
  if (verdict !== null && target.runStrict) {
    outcome = target.runStrict(dc);
    verdict = judge(c.bytes, queries, outcome, ref);
  }
  return { outcome, verdict, ref };
}

export function examineSync(target: LoadedTarget, c: PlainCase): Examined {
  return runJudged(target, c, c.queries, null);
}

export async function examine(target: LoadedTarget, c: PlainCase): Promise<Examined> {
  if (target.runSync) return examineSync(target, c);
  const outcome = await target.run(decoderCase(c));
  const ref = new Reference(c.layout, c.endian, c.bytes, c.model ?? undefined);
  return { outcome, verdict: judge(c.bytes, c.queries, outcome, ref), ref };
}

/**
 * For failures not tied to one query (exceptions, reads out of bounds), the first query that
 * fails alone with the same category; null when every query fails alone (the failure does not
 * depend on the query) or none does.
 */
export async function locateQuery(target: LoadedTarget, c: PlainCase, category: Category, known?: Reference): Promise<{ index: number | null; all: boolean }> {
  let failing = 0;
  let first: number | null = null;
  const ref = known ?? new Reference(c.layout, c.endian, c.bytes, c.model ?? undefined);
  for (let i = 0; i < c.queries.length; i++) {
    const qs = [c.queries[i]!];
    let v: Verdict | null;
    if (target.runSync) v = runJudged(target, c, qs, ref).verdict;
    else v = judge(c.bytes, qs, await target.run(decoderCase(c, qs)), ref);
    if (v && v.category === category) {
      failing++;
      first ??= i;
    }
  }
  return { index: first, all: failing === c.queries.length && failing > 0 };
}

/** Describes a judged case as a raw finding (locating the query when needed). */
export async function describeFinding(target: LoadedTarget, c: FuzzCase, verdict: Verdict, ref: Reference): Promise<RawFinding> {
  let queryIndex = verdict.query;
  let queryKind: string;
  if (queryIndex !== null) queryKind = c.queryKinds[queryIndex] ?? 'any';
  else if (verdict.category === 'hang' || verdict.category === 'memory' || c.queries.length === 0) queryKind = 'any';
  else {
    const loc = await locateQuery(target, c, verdict.category, ref);
    queryIndex = loc.index;
    queryKind = loc.all ? 'any' : loc.index === null ? 'combined' : (c.queryKinds[loc.index] ?? 'any');
  }
  return {
    caseIndex: c.index,
    category: verdict.category,
    detail: verdict.detail,
    queryIndex,
    queryKind,
    layout: c.layout.id,
    endian: c.endian,
    mutator: c.mutator,
    rule: c.rule,
    description: c.description,
    source: c.source,
    sizeClass: c.sizeClass,
    bytes: c.bytes,
    queries: c.queries,
    queryKinds: c.queryKinds,
    malformed: !ref.valid,
  };
}

/** Order-independent digest term of one case (bytes, queries, layout, byte order, index). */
export function caseHash(c: FuzzCase): number {
  let h = hashBytes(c.bytes, mix32(c.index >>> 0) ^ (c.endian === 'le' ? 1 : 2));
  for (let i = 0; i < c.layout.id.length; i++) h = Math.imul(h ^ c.layout.id.charCodeAt(i), 0x0100_0193);
  for (const q of c.queries) h = mix32(h ^ q.offset ^ (q.symbolStart === undefined ? 0x5555_5555 : mix32(q.symbolStart)));
  return h >>> 0;
}

const MUST = new Set(RULES.filter((r) => r.level === 'MUST').map((r) => r.id));

/** A coarse behaviour signature for --corpus: which MUST rules break, what the target did. */
export function behaviourSignature(ref: Reference, outcome: FuzzOutcome): string {
  const rules = new Set<string>();
  for (const f of ref.model.findings) if (MUST.has(f.rule)) rules.add(f.rule);
  let out: string = outcome.kind;
  if (outcome.kind === 'answers') {
    let hits = 0;
    for (const a of outcome.answers) if (a !== null) hits++;
    out += hits === 0 ? ':none' : hits === outcome.answers.length ? ':all' : ':some';
  }
  return `${ref.layout.id}|${ref.endian}|${[...rules].sort().join(',')}|${out}`;
}

/**
 * The conformance runner: drives a decoder (conformance/driver.ts) through every vector of the
 * catalogue and, optionally, a stream of fuzz cases, and judges each outcome at a conformance
 * level (spec/FORMAT.md, "Decoder safety contract"). The CLI (`lineinfo conformance`) and the
 * tests use this; reports are rendered from the returned ConformanceRun.
 */
import type { Endian } from '../tools/format/endian.js';
import type { LayoutId } from '../tools/revisions/layout-id.js';
import type { DecoderQuery } from './decoder-interface.js';
import type { DecoderDriver, DecoderSpec } from './driver.js';
import { reconcile } from './suite/expected-failures.js';
import type { ExpectedFailures, StaleEntry } from './suite/expected-failures.js';
import { fuzzCase } from './suite/fuzz-cases.js';
import { DecoderLoadError, InProcessDriver, workerSpecFor } from './suite/in-process-driver.js';
import { judge, nameTablesOf } from './suite/judge.js';
import type { FailureCategory, Highlight, Level } from './suite/judge.js';
import { isValidExpectation, loadCatalogue } from './suite/manifest.js';
import type { VectorEntry } from './suite/manifest.js';

export type { Level } from './suite/judge.js';
export { LEVELS } from './suite/judge.js';

export type CaseStatus = 'pass' | 'fail' | 'skip';

export interface CaseResult {
  readonly id: string;
  readonly source: 'vector' | 'fuzz';
  readonly layout: LayoutId;
  readonly endian: Endian;
  readonly kind: 'valid' | 'malformed';
  /** `valid`, the rule or the weakness the case targets (fuzz: `fuzz`) */
  readonly group: string;
  readonly rules: readonly string[];
  readonly weaknesses: readonly string[];
  readonly description: string;
  readonly status: CaseStatus;
  /** `pass`, `skipped`, or what went wrong */
  readonly category: 'pass' | 'skipped' | FailureCategory;
  /** one line */
  readonly reason: string;
  /** index of the first offending query */
  readonly query?: number;
  readonly highlights: readonly Highlight[];
  /** the id is on the expected-failure list and the case failed */
  readonly expectedFailure: boolean;
  readonly durationMs: number;
  /** kept for reports (hex maps); not part of the JSON report for vectors */
  readonly section: Uint8Array;
  readonly queries: readonly DecoderQuery[];
}

export interface FuzzSummary {
  readonly seed: number;
  readonly requestedMs: number;
  readonly elapsedMs: number;
  readonly cases: number;
  readonly passed: number;
  /** every fuzz failure (at most MAX_FUZZ_FAILURES kept) */
  readonly failures: readonly CaseResult[];
  readonly failureCount: number;
}

export interface RunSummary {
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly expectedFailures: number;
  readonly unexpectedFailures: number;
  readonly staleEntries: number;
  readonly fuzzCases: number;
  readonly fuzzFailures: number;
  /** no unexpected failure, no stale entry, no fuzz failure */
  readonly ok: boolean;
}

export interface ConformanceRun {
  readonly decoder: { readonly spec: string; readonly name: string; readonly layouts: readonly LayoutId[] };
  readonly level: Level;
  readonly vectorsDir: string;
  readonly catalogueSize: number;
  readonly results: readonly CaseResult[];
  readonly expectedFailuresFile: string | null;
  readonly stale: readonly StaleEntry[];
  readonly fuzz: FuzzSummary | null;
  readonly summary: RunSummary;
  readonly startedAt: string;
  readonly durationMs: number;
}

export interface RunOptions {
  readonly level: Level;
  readonly vectorsDir: string;
  /** the spec text shown in reports */
  readonly decoderSpec: string;
  readonly expectedFailures?: ExpectedFailures | null;
  /** run only these vectors */
  readonly select?: (v: VectorEntry) => boolean;
  /** fuzz for this long after the vectors (0 or absent: no fuzzing) */
  readonly fuzzMs?: number;
  readonly fuzzSeed?: number;
  readonly progress?: (line: string) => void;
}

export const MAX_FUZZ_FAILURES = 50;

/** The conformance/external module could not be loaded. */
export class DriverUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DriverUnavailable';
  }
}

export interface DriverOptions {
  /** per-case time limit in milliseconds (default 2000) */
  readonly timeoutMs?: number;
}

/**
 * A driver for a decoder spec: in-process decoders (builtin:, module:) run in a worker thread
 * here; exec: and c: decoders come from conformance/external/index.js (createDriver).
 */
export async function createDriver(spec: DecoderSpec, options: DriverOptions = {}): Promise<DecoderDriver> {
  const timeoutMs = options.timeoutMs;
  switch (spec.kind) {
    case 'builtin':
      if (spec.name !== 'reference' && spec.name !== 'kernel-v1') throw new DecoderLoadError(`unknown builtin decoder "${spec.name}": builtin:reference or builtin:kernel-v1`);
      return InProcessDriver.create(workerSpecFor('builtin', spec.name), timeoutMs === undefined ? {} : { timeoutMs });
    case 'module':
      return InProcessDriver.create(workerSpecFor('module', spec.path, spec.exportName), timeoutMs === undefined ? {} : { timeoutMs });
    case 'exec':
    case 'c': {
      type External = { createDriver?: (s: DecoderSpec, o?: { timeoutMs?: number }) => Promise<DecoderDriver> };
      const where = './external/index.js';
      let mod: External;
      try {
        mod = (await import(where)) as External;
      } catch (e) {
        const err = e as { code?: string; message?: string };
        if (err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('external')) {
          throw new DriverUnavailable(`external drivers not available: conformance/external/index.js is missing, so ${spec.kind}: decoders cannot be run`);
        }
        throw new DriverUnavailable(`external drivers not available: conformance/external/index.js failed to load: ${String(err.message).split('\n')[0]}`);
      }
      if (typeof mod.createDriver !== 'function') throw new DriverUnavailable('external drivers not available: conformance/external/index.js does not export createDriver(spec)');
      return mod.createDriver(spec, timeoutMs === undefined ? {} : { timeoutMs });
    }
  }
}

function specText(spec: DecoderSpec): string {
  switch (spec.kind) {
    case 'builtin':
      return `builtin:${spec.name}`;
    case 'module':
      return `module:${spec.path}${spec.exportName === 'default' ? '' : `#${spec.exportName}`}`;
    case 'exec':
      return `exec:${spec.argv.join(' ')}`;
    case 'c':
      return `c:${spec.source}${spec.sanitize ? ',asan' : ''}`;
  }
}
export { specText };

function vectorResult(v: VectorEntry, section: Uint8Array, extra: Pick<CaseResult, 'status' | 'category' | 'reason' | 'highlights' | 'durationMs'> & { query?: number }): CaseResult {
  return {
    id: v.id,
    source: 'vector',
    layout: v.layout,
    endian: v.endian,
    kind: v.kind,
    group: v.group,
    rules: v.rules,
    weaknesses: v.weaknesses,
    description: v.description,
    expectedFailure: false,
    section,
    queries: v.queries,
    ...extra,
  };
}

export async function runConformance(driver: DecoderDriver, options: RunOptions): Promise<ConformanceRun> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const { vectors } = loadCatalogue(options.vectorsDir);
  const selected = options.select ? vectors.filter((v) => options.select!(v.entry)) : vectors;
  const results: CaseResult[] = [];
  let n = 0;
  for (const { entry: v, bytes } of selected) {
    n++;
    options.progress?.(`conformance: ${n}/${selected.length} ${v.id}`);
    if (!driver.layouts.includes(v.layout)) {
      results.push(vectorResult(v, bytes, { status: 'skip', category: 'skipped', reason: `the decoder does not support layout ${v.layout}`, highlights: [], durationMs: 0 }));
      continue;
    }
    const t0 = Date.now();
    const outcome = await driver.run({ section: bytes, endian: v.endian, layout: v.layout, queries: v.queries });
    const durationMs = Date.now() - t0;
    const expectation = isValidExpectation(v.expected) ? { kind: 'valid' as const, answers: v.expected.answers } : { kind: 'malformed' as const };
    const verdict = judge(bytes, nameTablesOf(v.layout, bytes, v.endian), v.queries, expectation, outcome, options.level);
    results.push(vectorResult(v, bytes, {
      status: verdict.pass ? 'pass' : 'fail',
      category: verdict.category,
      reason: verdict.reason,
      highlights: verdict.highlights,
      durationMs,
      ...(verdict.query === undefined ? {} : { query: verdict.query }),
    }));
  }

  const { expected, stale } = reconcile(options.expectedFailures ?? null, results, new Set(vectors.map((v) => v.entry.id)));
  const finalResults = results.map((r) => (expected.has(r.id) ? { ...r, expectedFailure: true } : r));

  let fuzz: FuzzSummary | null = null;
  if (options.fuzzMs && options.fuzzMs > 0) fuzz = await runFuzz(driver, options);

  const failed = finalResults.filter((r) => r.status === 'fail');
  const unexpected = failed.filter((r) => !r.expectedFailure).length;
  const summary: RunSummary = {
    total: finalResults.length,
    passed: finalResults.filter((r) => r.status === 'pass').length,
    failed: failed.length,
    skipped: finalResults.filter((r) => r.status === 'skip').length,
    expectedFailures: failed.length - unexpected,
    unexpectedFailures: unexpected,
    staleEntries: stale.length,
    fuzzCases: fuzz?.cases ?? 0,
    fuzzFailures: fuzz?.failureCount ?? 0,
    ok: unexpected === 0 && stale.length === 0 && (fuzz?.failureCount ?? 0) === 0,
  };
  options.progress?.('');
  return {
    decoder: { spec: options.decoderSpec, name: driver.name, layouts: driver.layouts },
    level: options.level,
    vectorsDir: options.vectorsDir,
    catalogueSize: vectors.length,
    results: finalResults,
    expectedFailuresFile: options.expectedFailures?.file ?? null,
    stale,
    fuzz,
    summary,
    startedAt,
    durationMs: Date.now() - started,
  };
}

async function runFuzz(driver: DecoderDriver, options: RunOptions): Promise<FuzzSummary> {
  const seed = options.fuzzSeed ?? (Date.now() % 0x7fff_ffff);
  const requestedMs = options.fuzzMs!;
  const t0 = Date.now();
  const failures: CaseResult[] = [];
  let cases = 0;
  let failureCount = 0;
  if (driver.layouts.length === 0) return { seed, requestedMs, elapsedMs: 0, cases: 0, passed: 0, failures, failureCount };
  for (let index = 0; Date.now() - t0 < requestedMs; index++) {
    const c = fuzzCase(seed, index, driver.layouts);
    const c0 = Date.now();
    const outcome = await driver.run({ section: c.section, endian: c.endian, layout: c.layout, queries: c.queries });
    const verdict = judge(c.section, nameTablesOf(c.layout, c.section, c.endian), c.queries, c.expectation, outcome, options.level);
    cases++;
    if (cases % 50 === 0) options.progress?.(`conformance: fuzz ${cases} cases, ${failureCount} failure(s), ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    if (verdict.pass) continue;
    failureCount++;
    if (failures.length < MAX_FUZZ_FAILURES) {
      failures.push({
        id: c.id,
        source: 'fuzz',
        layout: c.layout,
        endian: c.endian,
        kind: c.kind,
        group: 'fuzz',
        rules: c.rules,
        weaknesses: [],
        description: c.description,
        status: 'fail',
        category: verdict.category,
        reason: verdict.reason,
        highlights: verdict.highlights,
        expectedFailure: false,
        durationMs: Date.now() - c0,
        section: c.section,
        queries: c.queries,
        ...(verdict.query === undefined ? {} : { query: verdict.query }),
      });
    }
  }
  return { seed, requestedMs, elapsedMs: Date.now() - t0, cases, passed: cases - failureCount, failures, failureCount };
}

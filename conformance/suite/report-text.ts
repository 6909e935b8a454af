/** The text summary of a conformance run, and the per-category counts every report shares. */
import { RULES, ruleById } from '../../tools/rules/catalogue.js';
import type { CaseResult, ConformanceRun } from '../runner.js';

export interface CategoryCount {
  /** `valid`, `malformed`, a MUST rule id or a W-number */
  readonly category: string;
  readonly kind: 'kind' | 'rule' | 'weakness';
  readonly passed: number;
  readonly failed: number;
  readonly expectedFailures: number;
  readonly skipped: number;
}

const RULE_ORDER = new Map(RULES.map((r, i) => [r.id, i]));

/**
 * Counts by category: valid and malformed vectors; malformed vectors by every MUST rule they
 * break; all vectors by weakness class. A vector counts in each of its categories.
 */
export function categories(results: readonly CaseResult[]): CategoryCount[] {
  const counts = new Map<string, { kind: CategoryCount['kind']; passed: number; failed: number; expectedFailures: number; skipped: number }>();
  const bump = (category: string, kind: CategoryCount['kind'], r: CaseResult): void => {
    let c = counts.get(category);
    if (!c) counts.set(category, (c = { kind, passed: 0, failed: 0, expectedFailures: 0, skipped: 0 }));
    if (r.status === 'pass') c.passed++;
    else if (r.status === 'skip') c.skipped++;
    else if (r.expectedFailure) c.expectedFailures++;
    else c.failed++;
  };
  for (const r of results) {
    bump(r.kind, 'kind', r);
    if (r.kind === 'malformed') for (const rule of r.rules) if (ruleById(rule).level === 'MUST') bump(rule, 'rule', r);
    for (const w of r.weaknesses) bump(w, 'weakness', r);
  }
  const order = (c: string, kind: CategoryCount['kind']): number =>
    kind === 'kind' ? (c === 'valid' ? 0 : 1) : kind === 'rule' ? 100 + (RULE_ORDER.get(c) ?? 99) : 1000 + Number(c.slice(1));
  return [...counts.entries()].map(([category, c]) => ({ category, ...c })).sort((a, b) => order(a.category, a.kind) - order(b.category, b.kind));
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function lpad(s: string | number, n: number): string {
  const t = String(s);
  return t.length >= n ? t : ' '.repeat(n - t.length) + t;
}

export function failureLine(r: CaseResult): string {
  return `${r.id}  ${r.category}  ${r.reason}`;
}

export function textReport(run: ConformanceRun): string {
  const s = run.summary;
  const lines: string[] = [];
  lines.push(`lineinfo conformance: decoder ${run.decoder.spec} (${run.decoder.name}), level ${run.level}`);
  lines.push(`layouts: ${run.decoder.layouts.join(', ') || 'none'}; vectors: ${run.vectorsDir} (${s.total} run of ${run.catalogueSize})`);
  lines.push('');
  const cats = categories(run.results);
  const w = Math.max(12, ...cats.map((c) => c.category.length + (c.kind === 'kind' ? 0 : c.kind === 'rule' ? 5 : 9)));
  lines.push(`${pad('category', w)}  ${lpad('passed', 6)}  ${lpad('failed', 6)}  ${lpad('expected', 8)}  ${lpad('skipped', 7)}`);
  for (const c of cats) {
    const label = c.kind === 'kind' ? c.category : c.kind === 'rule' ? `rule ${c.category}` : `weakness ${c.category}`;
    lines.push(`${pad(label, w)}  ${lpad(c.passed, 6)}  ${lpad(c.failed, 6)}  ${lpad(c.expectedFailures, 8)}  ${lpad(c.skipped, 7)}`);
  }
  const failed = run.results.filter((r) => r.status === 'fail');
  const unexpected = failed.filter((r) => !r.expectedFailure);
  const expected = failed.filter((r) => r.expectedFailure);
  if (unexpected.length) {
    lines.push('', `failures (${unexpected.length}):`);
    for (const r of unexpected) lines.push(`  FAIL ${failureLine(r)}`);
  }
  if (expected.length) {
    lines.push('', `expected failures (${expected.length}, listed in ${run.expectedFailuresFile}):`);
    for (const r of expected) lines.push(`  XFAIL ${failureLine(r)}`);
  }
  if (run.stale.length) {
    lines.push('', `stale expected-failure entries (${run.stale.length}):`);
    for (const e of run.stale) lines.push(`  STALE ${e.id}  ${e.reason}`);
  }
  if (run.fuzz) {
    const f = run.fuzz;
    lines.push('', `fuzz: ${f.cases} case(s) in ${(f.elapsedMs / 1000).toFixed(1)} s (seed ${f.seed}), ${f.failureCount} failure(s)`);
    for (const r of f.failures) lines.push(`  FAIL ${failureLine(r)}`, `       ${r.description}`);
    if (f.failureCount > f.failures.length) lines.push(`  ... ${f.failureCount - f.failures.length} more fuzz failure(s) not kept`);
  }
  lines.push('');
  const parts = [`${s.passed} passed`, `${s.failed - s.expectedFailures} failed`];
  if (s.expectedFailures) parts.push(`${s.expectedFailures} expected failure(s)`);
  if (s.skipped) parts.push(`${s.skipped} skipped`);
  if (s.staleEntries) parts.push(`${s.staleEntries} stale expected-failure entr${s.staleEntries === 1 ? 'y' : 'ies'}`);
  if (run.fuzz) parts.push(`${s.fuzzFailures} fuzz failure(s) in ${s.fuzzCases} case(s)`);
  lines.push(`result: ${s.ok ? 'PASS' : 'FAIL'} (${parts.join(', ')}) in ${(run.durationMs / 1000).toFixed(1)} s`);
  return lines.join('\n') + '\n';
}

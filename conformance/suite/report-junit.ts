/**
 * JUnit XML for CI systems: one <testsuite> per layout (plus `fuzz`), one <testcase> per vector.
 * Failures carry the outcome as the failure type; expected failures are reported as skipped with
 * the reason, and stale expected-failure entries as failing test cases of their own.
 */
import type { CaseResult, ConformanceRun } from '../runner.js';

export function xmlEscape(text: string): string {
  // characters XML 1.0 cannot carry at all are replaced
  return text
    .replace(/[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function testcase(r: CaseResult, suite: string): string {
  const attrs = `name="${xmlEscape(r.id)}" classname="${xmlEscape(`conformance.${suite}.${r.group}`)}" time="${(r.durationMs / 1000).toFixed(3)}"`;
  if (r.status === 'pass') return `    <testcase ${attrs}/>`;
  if (r.status === 'skip') return `    <testcase ${attrs}>\n      <skipped message="${xmlEscape(r.reason)}"/>\n    </testcase>`;
  if (r.expectedFailure) return `    <testcase ${attrs}>\n      <skipped message="${xmlEscape(`expected failure (${r.category}): ${r.reason}`)}"/>\n    </testcase>`;
  const body = [`${r.category}: ${r.reason}`, r.description, r.rules.length ? `rules: ${r.rules.join(', ')}` : '', r.weaknesses.length ? `weaknesses: ${r.weaknesses.join(', ')}` : '']
    .filter(Boolean)
    .join('\n');
  return `    <testcase ${attrs}>\n      <failure type="${xmlEscape(r.category)}" message="${xmlEscape(r.reason)}">${xmlEscape(body)}</failure>\n    </testcase>`;
}

export function junitReport(run: ConformanceRun): string {
  const suites = new Map<string, CaseResult[]>();
  for (const r of run.results) {
    const list = suites.get(r.layout) ?? [];
    list.push(r);
    suites.set(r.layout, list);
  }
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = run.results.length + run.stale.length + (run.fuzz ? 1 + run.fuzz.failures.length : 0);
  const failures = run.summary.unexpectedFailures + run.summary.staleEntries + (run.fuzz ? run.fuzz.failures.length : 0);
  out.push(`<testsuites name="${xmlEscape(`lineinfo conformance: ${run.decoder.spec} (level ${run.level})`)}" tests="${total}" failures="${failures}" time="${(run.durationMs / 1000).toFixed(3)}">`);
  for (const [layout, list] of suites) {
    const f = list.filter((r) => r.status === 'fail' && !r.expectedFailure).length;
    const s = list.filter((r) => r.status === 'skip' || r.expectedFailure).length;
    const t = list.reduce((a, r) => a + r.durationMs, 0) / 1000;
    out.push(`  <testsuite name="${xmlEscape(layout)}" tests="${list.length}" failures="${f}" errors="0" skipped="${s}" time="${t.toFixed(3)}">`);
    for (const r of list) out.push(testcase(r, layout));
    out.push('  </testsuite>');
  }
  if (run.stale.length) {
    out.push(`  <testsuite name="expected-failures" tests="${run.stale.length}" failures="${run.stale.length}" errors="0" skipped="0">`);
    for (const e of run.stale) {
      out.push(`    <testcase name="${xmlEscape(e.id)}" classname="conformance.expected-failures">\n      <failure type="stale-entry" message="${xmlEscape(e.reason)}"/>\n    </testcase>`);
    }
    out.push('  </testsuite>');
  }
  if (run.fuzz) {
    const f = run.fuzz;
    out.push(`  <testsuite name="fuzz" tests="${1 + f.failures.length}" failures="${f.failures.length}" errors="0" skipped="0" time="${(f.elapsedMs / 1000).toFixed(3)}">`);
    out.push(`    <testcase name="fuzz seed ${f.seed}: ${f.cases} cases" classname="conformance.fuzz" time="${(f.elapsedMs / 1000).toFixed(3)}"/>`);
    for (const r of f.failures) out.push(testcase(r, 'fuzz'));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

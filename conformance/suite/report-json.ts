/** The JSON report of a conformance run (schemas/conformance-report.schema.json). */
import { VERSION } from '../../tools/package-root.js';
import type { CaseResult, ConformanceRun } from '../runner.js';
import { categories } from './report-text.js';

function caseJson(r: CaseResult, withSection: boolean) {
  return {
    id: r.id,
    source: r.source,
    layout: r.layout,
    endian: r.endian,
    kind: r.kind,
    group: r.group,
    rules: r.rules,
    weaknesses: r.weaknesses,
    status: r.status,
    outcome: r.category,
    reason: r.reason,
    ...(r.query === undefined ? {} : { query: r.query }),
    highlights: r.highlights,
    expectedFailure: r.expectedFailure,
    durationMs: r.durationMs,
    ...(withSection ? { description: r.description, sectionBase64: Buffer.from(r.section).toString('base64'), queries: r.queries } : {}),
  };
}

export function jsonReport(run: ConformanceRun) {
  return {
    tool: { name: 'lineinfo-kit' as const, version: VERSION },
    decoder: { spec: run.decoder.spec, name: run.decoder.name, layouts: run.decoder.layouts },
    level: run.level,
    vectors: { dir: run.vectorsDir, catalogue: run.catalogueSize, run: run.results.length },
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    expectedFailuresFile: run.expectedFailuresFile,
    summary: run.summary,
    categories: categories(run.results),
    results: run.results.map((r) => caseJson(r, false)),
    staleExpectedFailures: run.stale,
    fuzz: run.fuzz
      ? {
          seed: run.fuzz.seed,
          requestedMs: run.fuzz.requestedMs,
          elapsedMs: run.fuzz.elapsedMs,
          cases: run.fuzz.cases,
          passed: run.fuzz.passed,
          failureCount: run.fuzz.failureCount,
          failures: run.fuzz.failures.map((r) => caseJson(r, true)),
        }
      : null,
  };
}

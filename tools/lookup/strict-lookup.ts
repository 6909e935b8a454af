/**
 * The strict reference lookup: the section is read and checked first, and a section that breaks
 * any MUST rule annotates nothing (the conformance suite's "recommended" level). On a valid
 * section it answers exactly as the kernel does: the largest entry <= offset, subject to the
 * symbol-start rule.
 */
import { hex } from '../format/u32-math.js';
import { ruleById } from '../rules/catalogue.js';
import type { LookupAnswer, LookupQuery, SectionModel } from '../revisions/layout.js';

export function mustViolations(model: SectionModel): string[] {
  return [...new Set(model.findings.filter((f) => ruleById(f.rule).level === 'MUST').map((f) => f.rule))];
}

export function strictLookup(model: SectionModel, q: LookupQuery): LookupAnswer {
  const broken = mustViolations(model);
  if (broken.length || !model.decoded) {
    return { kind: 'miss', reason: `section breaks ${broken.join(', ') || 'its layout'}` };
  }
  if (q.offset > 0xffff_ffff) return { kind: 'miss', reason: 'offset beyond 4 GiB' };
  const entries = model.entries;
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (entries[mid]!.offset <= q.offset) low = mid + 1;
    else high = mid;
  }
  if (low === 0) return { kind: 'miss', reason: 'offset before the first entry' };
  const e = entries[low - 1]!;
  if (q.symbolStart !== undefined && e.offset < q.symbolStart) {
    return { kind: 'miss', reason: `nearest entry ${hex(e.offset)} is before the symbol start ${hex(q.symbolStart)}` };
  }
  const ref = model.files[e.fileId];
  if (ref === undefined || ref.name === null) return { kind: 'miss', reason: `file ${e.fileId} has no readable name` };
  const names = model.regions.find((r) => r.kind === 'names');
  return { kind: 'hit', file: ref.name, line: e.line, fileId: e.fileId, entryOffset: e.offset, nameAt: (names?.offset ?? 0) + ref.nameOffset };
}

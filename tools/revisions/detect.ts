/**
 * Revision detection. Sections carry no magic or version, so a layout "fits" when reading the
 * bytes with it breaks no MUST rule. Every fitting (layout, byte order) is reported, so callers
 * can say when the answer is ambiguous.
 */
import type { Endian } from '../format/endian.js';
import { ENDIANS } from '../format/endian.js';
import { ruleById } from '../rules/catalogue.js';
import type { Container, Layout, SectionModel, SymbolOffsets } from './layout.js';
import { layoutsFor } from './registry.js';

export interface Candidate {
  readonly layout: Layout;
  readonly endian: Endian;
  readonly model: SectionModel;
  readonly errors: number;
  /** SHOULD-rule warnings (not notes): among candidates without errors, fewer is a better fit */
  readonly warnings: number;
  /** notes, the last tie-breaker (a stream read with the wrong delta coding leaves files unused) */
  readonly notes: number;
}

export interface Detection {
  /** best candidate: fewest MUST violations, then fewest warnings, then fewest notes, then registry order, little-endian first */
  readonly best: Candidate;
  /** every candidate with no MUST violation */
  readonly fitting: readonly Candidate[];
}

export function errorCount(model: SectionModel): number {
  return model.findings.filter((f) => ruleById(f.rule).level === 'MUST').length;
}

/**
 * Findings of SHOULD rules with severity warning. A section of one revision read as another
 * often breaks no MUST rule but several SHOULD rules (v2's padding read as v1 misaligns the file
 * table and garbles the names), so warnings break ties between fitting candidates.
 */
export function warningCount(model: SectionModel): number {
  return model.findings.filter((f) => ruleById(f.rule).severity === 'warning').length;
}

export function noteCount(model: SectionModel): number {
  return model.findings.filter((f) => ruleById(f.rule).severity === 'note').length;
}

export function detectLayout(
  bytes: Uint8Array,
  container: Container,
  options: { endian?: Endian; layouts?: readonly Layout[]; symbols?: SymbolOffsets } = {},
): Detection {
  const layouts = options.layouts ?? layoutsFor(container);
  const endians = options.endian ? [options.endian] : ENDIANS;
  const candidates: Candidate[] = [];
  for (const layout of layouts) {
    for (const endian of endians) {
      const model = layout.read(bytes, endian, options.symbols);
      candidates.push({ layout, endian, model, errors: errorCount(model) + (model.decoded ? 0 : 1000), warnings: warningCount(model), notes: noteCount(model) });
    }
  }
  const ranked = [...candidates].sort((a, b) => a.errors - b.errors || a.warnings - b.warnings || a.notes - b.notes);
  return { best: ranked[0]!, fitting: candidates.filter((c) => c.errors === 0) };
}

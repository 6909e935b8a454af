/**
 * Accumulates a SectionModel while a layout reads a section. Keeps findings bounded: a hostile
 * section can break one rule at every entry, and the report must stay readable and small.
 */
import type { Endian } from '../format/endian.js';
import type { LayoutId } from './layout-id.js';
import type { BlockInfo, FileRef, Finding, HeaderField, LocatedEntry, Region, RegionKind, SectionModel } from './layout.js';

/** At most this many findings per rule are kept; the rest are counted in one summary finding. */
export const MAX_FINDINGS_PER_RULE = 50;

export class ModelBuilder {
  readonly header: HeaderField[] = [];
  readonly regions: Region[] = [];
  blocks: BlockInfo[] | null = null;
  entries: LocatedEntry[] = [];
  files: FileRef[] = [];
  decoded = false;
  private readonly findings: Finding[] = [];
  private readonly perRule = new Map<string, number>();

  constructor(
    readonly layout: LayoutId,
    readonly endian: Endian,
    readonly size: number,
  ) {}

  field(name: string, value: number, offset: number, size = 4): number {
    this.header.push({ name, value, offset, size });
    return value;
  }

  region(kind: RegionKind, name: string, offset: number, size: number): void {
    if (size > 0) this.regions.push({ kind, name, offset, size });
  }

  /**
   * Records a finding. Its byte range is clamped into the section: a finding about a symbol or
   * array that lies (partly) outside it points at the part inside, so every report location is a
   * real byte of the section (or its end, with length 0).
   */
  find(rule: string, field: string, offset: number, length: number, message: string): void {
    const at = Math.min(Math.max(0, Number.isFinite(offset) ? offset : 0), this.size);
    length = Math.max(0, Math.min(length, this.size - at));
    offset = at;
    const n = (this.perRule.get(rule) ?? 0) + 1;
    this.perRule.set(rule, n);
    if (n <= MAX_FINDINGS_PER_RULE) this.findings.push({ rule, field, offset, length, message });
  }

  hasError(rules: ReadonlySet<string>): boolean {
    return this.findings.some((f) => rules.has(f.rule));
  }

  build(): SectionModel {
    const findings = [...this.findings];
    for (const [rule, n] of this.perRule) {
      if (n > MAX_FINDINGS_PER_RULE) {
        const first = findings.find((f) => f.rule === rule)!;
        findings.push({ ...first, message: `${n - MAX_FINDINGS_PER_RULE} more violation(s) of ${rule} not listed` });
      }
    }
    // rule ids are all LI-AAA-NNN: code-unit order is their collation order (and much cheaper
    // than localeCompare)
    if (findings.length > 1) findings.sort((a, b) => a.offset - b.offset || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
    const regions = [...this.regions];
    if (regions.length > 1) regions.sort((a, b) => a.offset - b.offset);
    return {
      layout: this.layout,
      endian: this.endian,
      size: this.size,
      header: this.header,
      regions,
      blocks: this.blocks,
      entries: this.entries,
      files: this.files,
      findings,
      decoded: this.decoded,
    };
  }
}

/**
 * Accumulates a SectionModel while a layout reads a section. Keeps findings bounded: a hostile
 * section can break one rule at every entry, and the report must stay readable and small.
 */
import type { Endian } from '../format/endian.js';
import type { LayoutId } from './layout-id.js';
import type { BlockInfo, CoveredTable, FileRef, Finding, HeaderField, LocatedEntry, ReadOptions, Region, RegionKind, SectionModel } from './layout.js';
import { RULES } from '../rules/catalogue.js';

const MUST_RULES: ReadonlySet<string> = new Set(RULES.filter((r) => r.level === 'MUST').map((r) => r.id));

/** At most this many findings per rule are kept; the rest are counted in one summary finding. */
export const MAX_FINDINGS_PER_RULE = 50;

function inOffsetOrder(regions: readonly Region[]): boolean {
  for (let i = 1; i < regions.length; i++) if (regions[i]!.offset < regions[i - 1]!.offset) return false;
  return true;
}

export class ModelBuilder {
  readonly header: HeaderField[] = [];
  readonly regions: Region[] = [];
  blocks: BlockInfo[] | null = null;
  entries: LocatedEntry[] = [];
  files: FileRef[] = [];
  decoded = false;
  private readonly findings: Finding[] = [];
  /** findings per rule (made at the first finding: most lookup-only reads have none) */
  private perRule: Map<string, number> | null = null;
  /**
   * Read for a lookup only (ReadOptions.mustOnly): only the first MUST finding is kept (then
   * `stop` is true and readers may skip the rest of the section: it annotates nothing), other
   * findings and header fields are dropped, and readers skip checks that can only find SHOULD
   * rules. Regions, entries and files are kept (lookups answer from them).
   */
  readonly mustOnly: boolean;
  private broken = false;

  constructor(
    readonly layout: LayoutId,
    readonly endian: Endian,
    readonly size: number,
    options?: ReadOptions,
  ) {
    this.mustOnly = options?.mustOnly === true;
  }

  field(name: string, value: number, offset: number, size = 4): number {
    if (!this.mustOnly) this.header.push({ name, value, offset, size });
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
    if (this.mustOnly) {
      if (this.broken || !MUST_RULES.has(rule)) return;
      this.broken = true;
    }
    const at = Math.min(Math.max(0, Number.isFinite(offset) ? offset : 0), this.size);
    length = Math.max(0, Math.min(length, this.size - at));
    offset = at;
    if (this.mustOnly) {
      // the one finding a lookup-only read keeps: nothing to count
      this.findings.push({ rule, field, offset, length, message });
      return;
    }
    const perRule = (this.perRule ??= new Map<string, number>());
    const n = (perRule.get(rule) ?? 0) + 1;
    perRule.set(rule, n);
    if (n <= MAX_FINDINGS_PER_RULE) this.findings.push({ rule, field, offset, length, message });
  }

  /** a lookup-only read found a MUST rule broken: nothing more needs reading */
  get stop(): boolean {
    return this.broken;
  }

  /**
   * Whether one of `rules` was found (a reader stops where reading on would make no sense). In a
   * lookup-only read, which keeps only the first MUST finding, true once any MUST rule is broken
   * (the section annotates nothing then, so stopping is always right); SHOULD rules are not
   * tracked there, so readers must not stop on them.
   */
  hasError(rules: ReadonlySet<string>): boolean {
    if (this.broken) return true;
    return this.findings.some((f) => rules.has(f.rule));
  }

  /**
   * `tables`: for `sectioned` layouts, the table of every descriptor (SectionModel.tables); the
   * model's own blocks, entries and files are then table 0's.
   */
  build(tables?: readonly CoveredTable[]): SectionModel {
    const findings = [...this.findings];
    if (this.perRule !== null) {
      for (const [rule, n] of this.perRule) {
        if (n > MAX_FINDINGS_PER_RULE) {
          const first = findings.find((f) => f.rule === rule)!;
          findings.push({ ...first, message: `${n - MAX_FINDINGS_PER_RULE} more violation(s) of ${rule} not listed` });
        }
      }
    }
    // rule ids are all LI-AAA-NNN: code-unit order is their collation order (and much cheaper
    // than localeCompare)
    if (findings.length > 1) findings.sort((a, b) => a.offset - b.offset || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
    // readers mostly add regions in order: sort (stable) only when they are not
    const regions = this.regions;
    if (!inOffsetOrder(regions)) regions.sort((a, b) => a.offset - b.offset);
    const model: { -readonly [K in keyof SectionModel]: SectionModel[K] } = {
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
    if (tables !== undefined) {
      const first = tables[0];
      model.blocks = first?.blocks ?? null;
      model.entries = first?.entries ?? [];
      model.files = first?.files ?? [];
      model.tables = tables;
    }
    return model;
  }
}

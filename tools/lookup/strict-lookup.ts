/**
 * The strict reference lookup: the section is read and checked first, and a section that breaks
 * any MUST rule annotates nothing (the conformance suite's "recommended" level). On a valid
 * section it answers exactly as the kernel of that revision does: the largest entry <= offset,
 * subject to the symbol-start bound where the revision has one; for sectioned layouts, in the
 * table of the first descriptor whose range covers the address.
 */
import { hex } from '../format/u32-math.js';
import { RULES, ruleById } from '../rules/catalogue.js';
import { LAYOUT_TRAITS } from '../revisions/layout-id.js';
import type { LayoutTraits } from '../revisions/layout-id.js';
import type { Endian } from '../format/endian.js';
import type { CoveredTable, FileRef, Layout, LocatedEntry, LookupAnswer, LookupQuery, ReadOptions, SectionModel, SymbolOffsets } from '../revisions/layout.js';

const U64 = (1n << 64n) - 1n;

export function mustViolations(model: Pick<SectionModel, 'findings'>): string[] {
  return [...new Set(model.findings.filter((f) => ruleById(f.rule).level === 'MUST').map((f) => f.rule))];
}

const MUST = new Set(RULES.filter((r) => r.level === 'MUST').map((r) => r.id));

/** The model is decoded and breaks no MUST rule: strictLookup answers from it. */
export function strictlyValid(model: SectionModel): boolean {
  if (!model.decoded) return false;
  const findings = model.findings;
  for (let i = 0; i < findings.length; i++) {
    const rule = findings[i]!.rule;
    if (MUST.has(rule)) return false;
    ruleById(rule); // an unknown rule id throws, as in mustViolations
  }
  return true;
}

const MUST_ONLY: ReadOptions = { mustOnly: true };

/**
 * What strictLookup needs from a section, read as cheaply as possible: a model to answer from
 * (lookupValid) when the section breaks no MUST rule, else null. The layout reads with
 * ReadOptions.mustOnly (keeping only the first MUST finding and skipping what follows it, and
 * SHOULD-only checks); a layout that ignores the option returns its full model. Either way the
 * model's findings tell. For every section, null exactly when strictlyValid(layout.read(...)) is
 * false, and lookupValid gives the same answers from either model
 * (test/fuzz-fast-reference.test.ts).
 */
export function readForLookup(layout: Layout, bytes: Uint8Array, endian: Endian, symbols?: SymbolOffsets): SectionModel | null {
  const model = layout.read(bytes, endian, symbols, MUST_ONLY);
  return strictlyValid(model) ? model : null;
}

export function strictLookup(model: SectionModel, q: LookupQuery): LookupAnswer {
  if (!strictlyValid(model)) {
    const broken = mustViolations(model);
    return { kind: 'miss', reason: `section breaks ${broken.join(', ') || 'its layout'}` };
  }
  return lookupValid(model, q);
}

/**
 * strictLookup for a model the caller has already found strictlyValid (the fuzz oracle answers
 * many queries from one model): the same answer without checking the findings again.
 */
export function lookupValid(model: SectionModel, q: LookupQuery): LookupAnswer {
  const traits = LAYOUT_TRAITS[model.layout];
  if (model.tables) return sectionedLookup(model.tables, q, traits);
  if (q.offset > 0xffff_ffff) return { kind: 'miss', reason: 'offset beyond 4 GiB' };
  const names = model.regions.find((r) => r.kind === 'names');
  return tableLookup(model.entries, model.files, names?.offset ?? 0, q.offset, boundingStart(traits, q.symbolStart, q.offset));
}

/**
 * The symbol start that bounds a lookup at `offset` (both relative to one table), or undefined
 * for none: none without a bound (v2 to v6); v7's min_offset only for a start at or before the
 * offset; v1's rule for any start.
 */
function boundingStart(traits: LayoutTraits, start: number | undefined, offset: number): number | undefined {
  if (!traits.symbolBound || start === undefined) return undefined;
  return traits.minOffsetBound && start > offset ? undefined : start;
}

/** Addresses are u64; descriptor 0's anchor is the base of `offset` and `symbolStart`. */
function sectionedLookup(tables: readonly CoveredTable[], q: LookupQuery, traits: LayoutTraits): LookupAnswer {
  const base = tables[0]?.anchor ?? 0n;
  const address = q.address ?? (base + BigInt(q.offset)) & U64;
  const symbol = q.symbolAddress ?? (q.symbolStart === undefined ? undefined : (base + BigInt(q.symbolStart)) & U64);
  for (const t of tables) {
    if (t.anchor === 0n || address < t.anchor) continue;
    const off = address - t.anchor;
    if (off >= BigInt(t.size) || off > 0xffff_ffffn) continue;
    // The first covering descriptor answers, hit or miss: the kernel does not fall through.
    // a symbol starting at or below the anchor bounds nothing (min_offset 0)
    const start = symbol !== undefined && symbol > t.anchor && symbol - t.anchor <= 0xffff_ffffn ? Number(symbol - t.anchor) : undefined;
    return tableLookup(t.entries, t.files, t.namesAt, Number(off), boundingStart(traits, start, Number(off)));
  }
  return { kind: 'miss', reason: `no descriptor covers address ${hex64(address)}` };
}

function tableLookup(entries: readonly LocatedEntry[], files: readonly FileRef[], namesAt: number, offset: number, symbolStart: number | undefined): LookupAnswer {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (entries[mid]!.offset <= offset) low = mid + 1;
    else high = mid;
  }
  if (low === 0) return { kind: 'miss', reason: 'offset before the first entry' };
  const e = entries[low - 1]!;
  if (symbolStart !== undefined && e.offset < symbolStart) {
    return { kind: 'miss', reason: `nearest entry ${hex(e.offset)} is before the symbol start ${hex(symbolStart)}` };
  }
  const ref = files[e.fileId];
  if (ref === undefined || ref.name === null) return { kind: 'miss', reason: `file ${e.fileId} has no readable name` };
  return { kind: 'hit', file: ref.name, line: e.line, fileId: e.fileId, entryOffset: e.offset, nameAt: namesAt + ref.nameOffset };
}

function hex64(v: bigint): string {
  return '0x' + v.toString(16);
}

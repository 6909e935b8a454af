/**
 * Judging one decoder outcome against a case's expectation, at a conformance level
 * (spec/FORMAT.md, "Decoder safety contract"). Pure: no I/O, no decoder calls.
 */
import type { Endian } from '../../tools/format/endian.js';
import { decodeName } from '../../tools/format/section-bytes.js';
import type { LayoutId } from '../../tools/revisions/layout-id.js';
import { layoutById } from '../../tools/revisions/registry.js';
import type { DecoderAnswer, DecoderQuery } from '../decoder-interface.js';
import type { CaseOutcome } from '../driver.js';
import type { ExpectedAnswer } from './manifest.js';

export type Level = 'required' | 'recommended';
export const LEVELS: readonly Level[] = ['required', 'recommended'];

export type FailureCategory =
  /** valid table: an answer differs from the reference */
  | 'wrong-answer'
  /** malformed table: a hit whose name is not NUL-terminated inside the name table */
  | 'unsafe-answer'
  /** malformed table at level recommended: an annotation instead of none */
  | 'annotated'
  /** answers of the wrong count or shape */
  | 'bad-answer'
  | 'out-of-bounds'
  | 'crash'
  | 'exception'
  | 'timeout';

export const FAILURE_CATEGORIES: readonly FailureCategory[] = ['wrong-answer', 'unsafe-answer', 'annotated', 'bad-answer', 'out-of-bounds', 'crash', 'exception', 'timeout'];

/** A byte range of the section a report should point at. */
export interface Highlight {
  readonly offset: number;
  readonly length: number;
  readonly label: string;
}

export interface Verdict {
  readonly pass: boolean;
  readonly category: 'pass' | FailureCategory;
  /** one line */
  readonly reason: string;
  /** index of the first offending query, when one is to blame */
  readonly query?: number;
  readonly highlights: readonly Highlight[];
}

export type CaseExpectation =
  | { readonly kind: 'valid'; readonly answers: readonly ExpectedAnswer[] }
  | { readonly kind: 'malformed' };

/**
 * The name tables of a section as the reference reader locates them (one per table: sectioned
 * blobs have one per covered section); empty when it cannot locate any.
 */
export interface NameTable {
  readonly offset: number;
  readonly size: number;
}
export type NameTables = readonly NameTable[];

export function nameTablesOf(layout: LayoutId, section: Uint8Array, endian: Endian): NameTables {
  const model = layoutById(layout).read(section, endian);
  return model.regions.filter((x) => x.kind === 'names').map((r) => ({ offset: r.offset, size: r.size }));
}

const hex = (x: number): string => (Number.isInteger(x) && x >= 0 ? `0x${x.toString(16)}` : String(x));

function describeQuery(q: DecoderQuery | undefined, i: number): string {
  if (!q) return `query #${i}`;
  return `query #${i} (offset ${hex(q.offset)}${q.symbolStart === undefined ? '' : `, symbol start ${hex(q.symbolStart)}`})`;
}

type NameCheck = { readonly ok: true; readonly end: number } | { readonly ok: false; readonly why: string; readonly length: number };

/** A name must start inside a name table and have its NUL inside that table. */
export function checkName(section: Uint8Array, tables: NameTables, nameOffset: number): NameCheck {
  if (tables.length === 0) return { ok: false, why: 'the name table cannot be located in this section, so no name is safe to return', length: 1 };
  const names = tables.find((t) => Number.isInteger(nameOffset) && nameOffset >= t.offset && nameOffset < t.offset + t.size);
  if (!names) {
    const where = tables.map((t) => `[${hex(t.offset)}, ${hex(t.offset + t.size)})`).join(', ');
    return { ok: false, why: `name offset ${hex(nameOffset)} is outside the name table${tables.length > 1 ? 's' : ''} ${where}`, length: 1 };
  }
  const end = names.offset + names.size;
  const nul = section.indexOf(0, nameOffset);
  if (nul < 0 || nul >= end) {
    return { ok: false, why: `the name at ${hex(nameOffset)} has no NUL before the end of the name table (${hex(end)})`, length: Math.min(end, section.length) - nameOffset };
  }
  return { ok: true, end: nul };
}

function isAnswerShape(a: unknown): a is DecoderAnswer {
  if (a === null) return true;
  if (typeof a !== 'object') return false;
  const x = a as { line?: unknown; nameOffset?: unknown };
  return Number.isInteger(x.line) && (x.line as number) >= 0 && (x.line as number) <= 0xffff_ffff && Number.isInteger(x.nameOffset);
}

function show(section: Uint8Array, a: DecoderAnswer): string {
  if (a === null) return 'none';
  const nul = a.nameOffset >= 0 && a.nameOffset < section.length ? section.indexOf(0, a.nameOffset) : -1;
  const name = nul >= 0 && nul - a.nameOffset <= 200 ? `"${decodeName(section.subarray(a.nameOffset, nul))}"` : `(name at ${hex(a.nameOffset)})`;
  return `${name}:${a.line}`;
}

function sameBytes(section: Uint8Array, a: number, aEnd: number, b: number, bEnd: number): boolean {
  if (aEnd - a !== bEnd - b) return false;
  for (let i = 0; i < aEnd - a; i++) if (section[a + i] !== section[b + i]) return false;
  return true;
}

const PASS: Verdict = { pass: true, category: 'pass', reason: 'ok', highlights: [] };

export function judge(
  section: Uint8Array,
  names: NameTables,
  queries: readonly DecoderQuery[],
  expectation: CaseExpectation,
  outcome: CaseOutcome,
  level: Level,
): Verdict {
  switch (outcome.kind) {
    case 'out-of-bounds': {
      const at = outcome.offset;
      const reason = at !== null && outcome.detail.includes(hex(at))
        ? outcome.detail
        : `read ${at === null ? 'outside the section' : `at ${hex(at)}, outside the ${section.length}-byte section`}: ${outcome.detail}`;
      return {
        pass: false,
        category: 'out-of-bounds',
        reason,
        highlights: at === null ? [] : [{ offset: at, length: 1, label: 'out-of-bounds read' }],
      };
    }
    case 'crash':
      return { pass: false, category: 'crash', reason: outcome.detail, highlights: [] };
    case 'exception':
      return { pass: false, category: 'exception', reason: outcome.detail, highlights: [] };
    case 'timeout':
      return { pass: false, category: 'timeout', reason: `no answer within ${outcome.afterMs} ms`, highlights: [] };
    case 'answers':
      break;
  }
  const answers = outcome.answers as readonly unknown[];
  if (!Array.isArray(answers) || answers.length !== queries.length) {
    return { pass: false, category: 'bad-answer', reason: `${Array.isArray(answers) ? answers.length : 'no'} answers for ${queries.length} queries`, highlights: [] };
  }
  for (let i = 0; i < answers.length; i++) {
    if (!isAnswerShape(answers[i])) {
      return { pass: false, category: 'bad-answer', query: i, reason: `${describeQuery(queries[i], i)}: answer ${JSON.stringify(answers[i])} is neither null nor {line: u32, nameOffset: integer}`, highlights: [] };
    }
  }
  const got = answers as readonly DecoderAnswer[];

  if (expectation.kind === 'valid') {
    for (let i = 0; i < got.length; i++) {
      const a = got[i]!;
      const e = expectation.answers[i] ?? null;
      const q = describeQuery(queries[i], i);
      if (a === null && e === null) continue;
      if (a === null || e === null) {
        const want = e === null ? 'none' : `"${e.file}":${e.line}`;
        return {
          pass: false, category: 'wrong-answer', query: i,
          reason: `${q}: expected ${want}, got ${show(section, a)}`,
          highlights: a === null ? [] : [{ offset: a.nameOffset, length: 1, label: 'returned name' }],
        };
      }
      const c = checkName(section, names, a.nameOffset);
      if (!c.ok) {
        return { pass: false, category: 'wrong-answer', query: i, reason: `${q}: expected "${e.file}":${e.line}; ${c.why}`, highlights: [{ offset: a.nameOffset, length: c.length, label: 'returned name' }] };
      }
      const eEnd = section.indexOf(0, e.nameOffset);
      if (a.line !== e.line || !sameBytes(section, a.nameOffset, c.end, e.nameOffset, eEnd)) {
        return {
          pass: false, category: 'wrong-answer', query: i,
          reason: `${q}: expected "${e.file}":${e.line}, got ${show(section, a)}`,
          highlights: [{ offset: a.nameOffset, length: c.end - a.nameOffset + 1, label: 'returned name' }],
        };
      }
    }
    return PASS;
  }

  // malformed
  for (let i = 0; i < got.length; i++) {
    const a = got[i]!;
    if (a === null) continue;
    const c = checkName(section, names, a.nameOffset);
    if (!c.ok) {
      return {
        pass: false, category: 'unsafe-answer', query: i,
        reason: `${describeQuery(queries[i], i)}: answered line ${a.line} with an unsafe name: ${c.why}`,
        highlights: [{ offset: a.nameOffset, length: Math.max(1, c.length), label: 'returned name' }],
      };
    }
  }
  if (level === 'recommended') {
    const i = got.findIndex((a) => a !== null);
    if (i >= 0) {
      const a = got[i]!;
      return {
        pass: false, category: 'annotated', query: i,
        reason: `${describeQuery(queries[i], i)}: answered ${show(section, a)} on a table that breaks a MUST rule (recommended level: none)`,
        highlights: a === null ? [] : [{ offset: a.nameOffset, length: 1, label: 'returned name' }],
      };
    }
  }
  return PASS;
}

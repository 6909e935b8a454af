/**
 * What counts as a finding. The oracle is lineinfo-kit's strict reference (spec/FORMAT.md,
 * "Decoder safety contract"):
 *  - read outside the section, an exception other than the documented ones, a crash, a hang,
 *    memory exhaustion: always a finding;
 *  - on a VALID section (every MUST rule holds): any answer that differs from the reference
 *    answer (hit or none, file name bytes, line) is a `wrong-answer`;
 *  - on a malformed section: every answer must be none, or a line with a file name that is
 *    NUL-terminated wholly inside the name table (`required` level); otherwise `unsafe-answer`.
 * Parsers (the Kaitai target) are only held to "no crash, no hang, no memory exhaustion", plus
 * agreement with the reference on valid sections.
 */
import type { DecoderAnswer, DecoderQuery } from '../../conformance/decoder-interface.js';
import type { CaseOutcome } from '../../conformance/driver.js';
import type { Endian } from '../format/endian.js';
import { hex } from '../format/u32-math.js';
import type { KaitaiTable } from '../kaitai/kaitai-table.js';
import { lookupValid, readForLookup, strictlyValid } from '../lookup/strict-lookup.js';
import type { Layout, LookupAnswer, SectionModel } from '../revisions/layout.js';

export type FuzzOutcome =
  | CaseOutcome
  /** builtin:reference's answers, with the Reference (the oracle's own read) it computed them from */
  | { readonly kind: 'answers'; readonly answers: readonly DecoderAnswer[]; readonly reference: Reference }
  | { readonly kind: 'memory'; readonly detail: string }
  /** a parser target's result */
  | { readonly kind: 'parsed'; readonly table: KaitaiTable | null };

export const CATEGORIES = ['out-of-bounds', 'exception', 'crash', 'hang', 'memory', 'wrong-answer', 'unsafe-answer'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface Verdict {
  readonly category: Category;
  readonly detail: string;
  /** index of the first failing query, when the failure is tied to one */
  readonly query: number | null;
}

const MALFORMED: LookupAnswer = { kind: 'miss', reason: 'the section breaks a MUST rule' };

/**
 * The reference view of one section, computed lazily and at most once: the verdict and the
 * answers from the lookup-only read (readForLookup), the full structural model (findings,
 * regions) only when something asks for it.
 */
export class Reference {
  private m: SectionModel | undefined;
  /** the model lookups answer from (the full one or the lookup-only one); null: malformed */
  private lm: SectionModel | null | undefined;
  /** the last query list answered, and its answers (the target and the judge ask the same) */
  private askedFor: readonly DecoderQuery[] | null = null;
  private answered: readonly LookupAnswer[] = [];

  /**
   * `model`: the full structural read of `bytes`, when known; `lookup`: readForLookup's result
   * for `bytes`, when known (builtin:reference computes it on its guarded view).
   */
  constructor(
    readonly layout: Layout,
    readonly endian: Endian,
    readonly bytes: Uint8Array,
    model?: SectionModel,
    lookup?: SectionModel | null,
  ) {
    this.m = model;
    if (model !== undefined) this.lm = strictlyValid(model) ? model : null;
    else if (lookup !== undefined) this.lm = lookup;
  }

  get model(): SectionModel {
    return (this.m ??= this.layout.read(this.bytes, this.endian));
  }

  private get lookupModel(): SectionModel | null {
    if (this.lm === undefined) this.lm = readForLookup(this.layout, this.bytes, this.endian);
    return this.lm;
  }

  /** every MUST rule holds (and the section could be decoded) */
  get valid(): boolean {
    return this.lookupModel !== null;
  }

  answer(q: DecoderQuery): LookupAnswer {
    // strictLookup answers nothing for a section that breaks a MUST rule (or was not decoded), and
    // would work that out again for every query
    const model = this.lookupModel;
    if (model === null) return MALFORMED;
    return lookupValid(model, q.symbolStart === undefined ? { offset: q.offset } : { offset: q.offset, symbolStart: q.symbolStart });
  }

  /** answer() of every query, remembered for the last list asked about */
  answers(queries: readonly DecoderQuery[]): readonly LookupAnswer[] {
    if (this.askedFor !== queries) {
      const out: LookupAnswer[] = new Array(queries.length);
      for (let i = 0; i < queries.length; i++) out[i] = this.answer(queries[i]!);
      this.answered = out;
      this.askedFor = queries;
    }
    return this.answered;
  }

  /** [start, end) of the name table, or null when the section has none the layout can locate */
  get nameTable(): readonly [number, number] | null {
    const r = this.model.regions.find((x) => x.kind === 'names');
    return r ? [r.offset, r.offset + r.size] : null;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

function nameAt(bytes: Uint8Array, at: number, end = bytes.length): string {
  const nul = bytes.indexOf(0, at);
  return utf8.decode(bytes.subarray(at, nul < 0 || nul > end ? end : nul));
}

function isAnswer(a: unknown): a is NonNullable<DecoderAnswer> {
  if (typeof a !== 'object' || a === null) return false;
  const x = a as { line?: unknown; nameOffset?: unknown };
  return Number.isInteger(x.line) && (x.line as number) >= 0 && (x.line as number) <= 0xffff_ffff && Number.isInteger(x.nameOffset);
}

/** where the NUL ending the name at `at` lies, if the whole name is inside [start, end) */
function nameEnd(bytes: Uint8Array, at: number, start: number, end: number): number {
  if (at < start || at >= end) return -1;
  const nul = bytes.indexOf(0, at);
  return nul < 0 || nul >= end ? -1 : nul;
}

function showQuery(q: DecoderQuery): string {
  return q.symbolStart === undefined ? `offset ${hex(q.offset)}` : `offset ${hex(q.offset)} symbol start ${hex(q.symbolStart)}`;
}

function showAnswer(bytes: Uint8Array, a: DecoderAnswer | undefined): string {
  if (a === null) return 'none';
  if (!isAnswer(a)) return `malformed answer ${JSON.stringify(a)}`;
  if (a.nameOffset < 0 || a.nameOffset >= bytes.length) return `line ${a.line}, name at ${a.nameOffset} (outside the section)`;
  return `${JSON.stringify(nameAt(bytes, a.nameOffset))}:${a.line} (name at ${hex(a.nameOffset)})`;
}

/** bytes [a, a + n) equal bytes [b, b + n) */
function sameRun(bytes: Uint8Array, a: number, b: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (bytes[a + k] !== bytes[b + k]) return false;
  return true;
}

export function judgeAnswers(bytes: Uint8Array, queries: readonly DecoderQuery[], answers: readonly DecoderAnswer[], ref: Reference): Verdict | null {
  if (!Array.isArray(answers) || answers.length !== queries.length) {
    return { category: 'crash', detail: `returned ${Array.isArray(answers) ? answers.length : typeof answers} answer(s) for ${queries.length} queries`, query: null };
  }
  if (ref.valid) {
    const wanted = ref.answers(queries);
    for (let i = 0; i < queries.length; i++) {
      const got = answers[i];
      const want = wanted[i]!;
      let same: boolean;
      if (want.kind !== 'hit') same = got === null;
      else if (got === null || !isAnswer(got)) same = false;
      else {
        const end = nameEnd(bytes, got.nameOffset, 0, bytes.length);
        const wantEnd = bytes.indexOf(0, want.nameAt);
        same = got.line === want.line && end >= 0 && end - got.nameOffset === wantEnd - want.nameAt && sameRun(bytes, got.nameOffset, want.nameAt, end - got.nameOffset);
      }
      if (!same) {
        const expected = want.kind === 'hit' ? `${JSON.stringify(want.file)}:${want.line}` : 'none';
        return { category: 'wrong-answer', detail: `valid section, query ${i} (${showQuery(queries[i]!)}): expected ${expected}, got ${showAnswer(bytes, got)}`, query: i };
      }
    }
    return null;
  }
  // the name table only when an answer needs checking (it takes the full structural read)
  let table: readonly [number, number] | null | undefined;
  for (let i = 0; i < answers.length; i++) {
    const a = answers[i];
    if (a === null) continue;
    if (table === undefined) table = ref.nameTable;
    if (!isAnswer(a)) return { category: 'unsafe-answer', detail: `malformed section, query ${i}: malformed answer ${JSON.stringify(a)}`, query: i };
    if (table === null) {
      return { category: 'unsafe-answer', detail: `malformed section without a locatable name table, query ${i} (${showQuery(queries[i]!)}): answered ${showAnswer(bytes, a)}`, query: i };
    }
    if (nameEnd(bytes, a.nameOffset, table[0], table[1]) < 0) {
      const where = a.nameOffset < table[0] || a.nameOffset >= table[1] ? 'starts outside' : 'is not NUL-terminated inside';
      return {
        category: 'unsafe-answer',
        detail: `malformed section, query ${i} (${showQuery(queries[i]!)}): the answer's name at ${a.nameOffset} ${where} the name table [${hex(table[0])}, ${hex(table[1])})`,
        query: i,
      };
    }
  }
  return null;
}

function sameTable(ref: Reference, t: KaitaiTable): string | null {
  const m = ref.model;
  if (t.entries.length !== m.entries.length) return `${t.entries.length} entries, the reference decodes ${m.entries.length}`;
  for (let i = 0; i < t.entries.length; i++) {
    const a = t.entries[i]!;
    const b = m.entries[i]!;
    if (a.offset !== b.offset || a.fileId !== b.fileId || a.line !== b.line) {
      return `entry ${i} is (${hex(a.offset)}, file ${a.fileId}, line ${a.line}), the reference decodes (${hex(b.offset)}, file ${b.fileId}, line ${b.line})`;
    }
  }
  if (t.files.length !== m.files.length) return `${t.files.length} files, the reference decodes ${m.files.length}`;
  for (let i = 0; i < t.files.length; i++) {
    if (t.files[i] !== m.files[i]!.name) return `file ${i} is ${JSON.stringify(t.files[i])}, the reference reads ${JSON.stringify(m.files[i]!.name)}`;
  }
  return null;
}

export function judge(bytes: Uint8Array, queries: readonly DecoderQuery[], outcome: FuzzOutcome, ref: Reference): Verdict | null {
  switch (outcome.kind) {
    case 'answers':
      return judgeAnswers(bytes, queries, outcome.answers, ref);
    case 'out-of-bounds':
      return { category: 'out-of-bounds', detail: outcome.detail, query: null };
    case 'crash':
      return { category: 'crash', detail: outcome.detail, query: null };
    case 'exception':
      return { category: 'exception', detail: outcome.detail, query: null };
    case 'timeout':
      return { category: 'hang', detail: `no answer after ${outcome.afterMs} ms`, query: null };
    case 'memory':
      return { category: 'memory', detail: outcome.detail, query: null };
    case 'parsed': {
      if (!ref.valid) return null;
      if (outcome.table === null) return { category: 'wrong-answer', detail: 'valid section rejected by the parser', query: null };
      const diff = sameTable(ref, outcome.table);
      return diff === null ? null : { category: 'wrong-answer', detail: `valid section parsed differently: ${diff}`, query: null };
    }
  }
}

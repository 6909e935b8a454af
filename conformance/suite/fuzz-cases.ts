/**
 * A simple built-in stream of fuzz cases for `lineinfo conformance --fuzz`: random valid tables,
 * then one of the rule breakers and/or a few byte flips, truncations or extreme header values.
 * Every case is judged like a vector: if the reference reader finds it valid the decoder must give
 * the reference answers, otherwise its answers must be safe (or none at level recommended).
 * Deterministic for a seed, so any failure can be replayed.
 */
import type { Endian } from '../../tools/format/endian.js';
import { ENDIANS } from '../../tools/format/endian.js';
import { RULE_BREAKERS } from '../../tools/mutate/rule-breakers.js';
import type { LayoutId } from '../../tools/revisions/layout-id.js';
import { LAYOUTS } from '../../tools/revisions/registry.js';
import { ruleById } from '../../tools/rules/catalogue.js';
import type { DecoderQuery } from '../decoder-interface.js';
import { referenceDecoder } from '../reference-decoders.js';
import type { CaseExpectation } from './judge.js';
import { pick, randInt, seededRandom } from './random.js';
import { buildTable, edgeQueries, U32_MAX } from './tables.js';

export interface FuzzCase {
  readonly id: string;
  readonly layout: LayoutId;
  readonly endian: Endian;
  readonly section: Uint8Array;
  readonly queries: readonly DecoderQuery[];
  readonly description: string;
  readonly kind: 'valid' | 'malformed';
  readonly rules: readonly string[];
  readonly expectation: CaseExpectation;
}

/** Breakers usable on small tables (LI-HDR-005 builds 65536 files: too slow for a fuzz loop). */
const BREAKERS = RULE_BREAKERS.filter((b) => b.rule !== 'LI-HDR-005');

export function fuzzCase(seed: number, index: number, layouts: readonly LayoutId[] = LAYOUTS.map((l) => l.id)): FuzzCase {
  const random = seededRandom((seed ^ Math.imul(index + 1, 0x9e37_79b1)) >>> 0);
  const layout = pick(random, LAYOUTS.filter((l) => layouts.includes(l.id)));
  const endian = pick(random, ENDIANS);
  const table = buildTable(random, { entries: randInt(random, 3, 200), files: randInt(random, 2, 12), bigGaps: 0.05 });
  let bytes = layout.encode(table, endian);
  const steps: string[] = [`${table.entries.length} entries, ${table.files.length} files`];

  const mode = random();
  if (mode >= 0.15 && mode < 0.75) {
    const candidates = BREAKERS.filter((b) => b.layouts.includes(layout.id));
    for (let tries = 0; tries < 6; tries++) {
      const b = pick(random, candidates);
      const broken = b.make({ layout, endian, table, random });
      if (!broken) continue;
      bytes = Uint8Array.from(broken.bytes);
      steps.push(`${b.rule}: ${broken.description}`);
      break;
    }
  }
  if (mode >= 0.75 || random() < 0.4) {
    const flips = randInt(random, 1, 8);
    for (let i = 0; i < flips && bytes.length > 0; i++) {
      const at = randInt(random, 0, bytes.length - 1);
      bytes[at] = random() < 0.5 ? bytes[at]! ^ (1 << randInt(random, 0, 7)) : randInt(random, 0, 255);
    }
    steps.push(`${flips} byte flip(s)`);
  }
  if (random() < 0.08 && bytes.length >= 4) {
    const at = randInt(random, 0, Math.min(5, (bytes.length >> 2) - 1)) * 4;
    const value = pick(random, [U32_MAX, 0x8000_0000, 0x4000_0000, bytes.length, bytes.length + 1, 0]);
    new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(at, value >>> 0, endian === 'le');
    steps.push(`u32 at ${at} set to 0x${value.toString(16)}`);
  }
  if (random() < 0.08) {
    const keep = randInt(random, 0, bytes.length);
    bytes = bytes.slice(0, keep);
    steps.push(`truncated to ${keep} bytes`);
  }

  const queries = edgeQueries(table, random, 24);
  for (let i = 0; i < 4; i++) queries.push({ offset: randInt(random, 0, U32_MAX) });
  const model = layout.read(bytes, endian);
  const rules = [...new Set(model.findings.map((f) => f.rule))].sort();
  const malformed = !model.decoded || rules.some((r) => ruleById(r).level === 'MUST');
  let expectation: CaseExpectation;
  if (malformed) expectation = { kind: 'malformed' };
  else {
    const answers = referenceDecoder.decode(bytes, endian, layout.id, queries).map((a) => {
      if (a === null) return null;
      const nul = bytes.indexOf(0, a.nameOffset);
      return { file: new TextDecoder().decode(bytes.subarray(a.nameOffset, nul)), line: a.line, nameOffset: a.nameOffset };
    });
    expectation = { kind: 'valid', answers };
  }
  return {
    id: `fuzz/${layout.id}/${seed}-${index}-${endian}`,
    layout: layout.id,
    endian,
    section: bytes,
    queries,
    description: steps.join('; '),
    kind: malformed ? 'malformed' : 'valid',
    rules,
    expectation,
  };
}

/** "30s", "2m", "500ms", "1h" or a plain number of seconds, in milliseconds. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$/.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'h' ? n * 3_600_000 : n * 60_000;
  return Number.isFinite(ms) ? Math.round(ms) : null;
}

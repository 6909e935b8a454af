/**
 * --replay FILE: re-runs a saved finding (.json, or its .bin) — or any section (.bin) — against
 * the target in a worker with the same timeout, and describes the outcome query by query next
 * to the reference answer.
 */
import type { DecoderAnswer } from '../../conformance/decoder-interface.js';
import { UsageError } from '../errors.js';
import type { Endian } from '../format/endian.js';
import { hex } from '../format/u32-math.js';
import { detectLayout } from '../revisions/detect.js';
import type { LayoutId } from '../revisions/layout-id.js';
import { layoutById, LAYOUTS } from '../revisions/registry.js';
import { Executor } from './executor.js';
import { loadReplay } from './findings.js';
import { Reference } from './oracle.js';
import type { Verdict } from './oracle.js';
import { defaultQueries } from './queries.js';
import { isExternal, loadExternal, parseTarget } from './targets.js';

export interface ReplayOptions {
  readonly file: string;
  readonly target?: string;
  readonly layout?: LayoutId;
  readonly endian?: Endian;
  readonly timeoutMs?: number;
  readonly memoryMb?: number;
  readonly cwd?: string;
}

export interface ReplayResult {
  readonly verdict: Verdict | null;
  readonly text: string;
  readonly expectedCategory: string | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

function show(bytes: Uint8Array, a: DecoderAnswer | undefined): string {
  if (a === undefined) return '-';
  if (a === null) return 'none';
  if (typeof a !== 'object' || typeof a.nameOffset !== 'number') return JSON.stringify(a);
  const nul = a.nameOffset >= 0 && a.nameOffset < bytes.length ? bytes.indexOf(0, a.nameOffset) : -1;
  const name = a.nameOffset >= 0 && a.nameOffset < bytes.length ? utf8.decode(bytes.subarray(a.nameOffset, nul < 0 ? bytes.length : nul)) : '?';
  return `${JSON.stringify(name)}:${a.line} @${hex(a.nameOffset)}`;
}

export async function replay(opts: ReplayOptions): Promise<ReplayResult> {
  const input = loadReplay(opts.file);
  const targetText = opts.target ?? input.finding?.target;
  if (!targetText) throw new UsageError('--replay of a bare section needs --target');
  const spec = parseTarget(targetText, opts.cwd);
  if (isExternal(spec)) await loadExternal();
  let layout = opts.layout ?? input.layout;
  let endian = opts.endian ?? input.endian;
  if (!layout || !endian) {
    const det = detectLayout(input.bytes, 'module', { layouts: layout ? [layoutById(layout)] : LAYOUTS, ...(endian ? { endian } : {}) });
    layout ??= det.best.layout.id;
    endian ??= det.best.endian;
  }
  const l = layoutById(layout);
  const ref = new Reference(l, endian, input.bytes);
  const queries = input.queries ?? defaultQueries(ref.model.entries).queries;
  const exec = new Executor({ mode: 'exec', target: spec, factory: { seed: 0, layouts: [layout], endians: [endian], maxEntries: 1000, corpus: [] } }, opts.timeoutMs ?? 5000, opts.memoryMb ?? 2048);
  try {
    await exec.ready();
    if (!exec.targetLayouts.includes(layout)) throw new UsageError(`target ${exec.targetName} does not implement layout ${layout}`);
    const reply = await exec.run({ op: 'bytes', case: { layout, endian, bytes: input.bytes, queries } });
    if (reply.error) throw new Error(reply.error);
    const lines: string[] = [];
    lines.push(`replay ${opts.file}: target ${targetText} (${exec.targetName}), ${layout}/${endian}, ${input.bytes.length} bytes, ${ref.valid ? 'valid' : 'malformed'} section, ${queries.length} quer${queries.length === 1 ? 'y' : 'ies'}`);
    if (input.finding) lines.push(`  saved finding: ${input.finding.category} (${input.finding.mutator}${input.finding.rule ? `, ${input.finding.rule}` : ''}): ${input.finding.detail}`);
    if (!ref.valid) {
      const must = [...new Set(ref.model.findings.map((f) => f.rule))].join(', ');
      lines.push(`  rules broken: ${must || '(the layout cannot be located)'}`);
    }
    const answers = reply.answers as readonly DecoderAnswer[] | undefined;
    queries.forEach((q, i) => {
      const want = ref.answer(q);
      const expected = want.kind === 'hit' ? `${JSON.stringify(want.file)}:${want.line} @${hex(want.nameAt)}` : 'none';
      const got = answers ? show(input.bytes, answers[i]) : `(${reply.outcome})`;
      lines.push(`  query ${i}: ${hex(q.offset)}${q.symbolStart === undefined ? '' : ` (symbol start ${hex(q.symbolStart)})`}: reference ${expected}, target ${got}`);
    });
    lines.push(reply.verdict ? `result: ${reply.verdict.category}: ${reply.verdict.detail}` : 'result: no finding (the target met the contract on this case)');
    return { verdict: reply.verdict, text: lines.join('\n') + '\n', expectedCategory: input.finding?.category ?? null };
  } finally {
    await exec.close();
  }
}

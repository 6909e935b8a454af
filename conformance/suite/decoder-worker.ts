/**
 * The worker thread that runs an in-process decoder (builtin: or module:) for the conformance
 * runner, so that a decoder that hangs can be terminated. Each case runs three times:
 *  1. on a guarded view of the section (tools/format/guarded-bytes.ts): any read outside it is a GuardViolation;
 *  2. and 3. on the section embedded in random bytes, then in the complementary bytes: answers
 *     that differ from the first run mean the decoder read neighbouring memory.
 */
import { parentPort } from 'node:worker_threads';
import { isLayoutId } from '../../tools/revisions/layout-id.js';
import type { LayoutId } from '../../tools/revisions/layout-id.js';
import type { DecoderAnswer, DecoderQuery, DecoderUnderTest } from '../decoder-interface.js';
import type { CaseOutcome } from '../driver.js';
import { guardedSection, installDataViewGuard, poisonedSection } from '../../tools/format/guarded-bytes.js';
import type { GuardState } from '../../tools/format/guarded-bytes.js';
import type { FromWorker, ToWorker, WorkerDecoderSpec } from './worker-protocol.js';

installDataViewGuard();

const port = parentPort;
if (!port) throw new Error('decoder-worker.ts runs only as a worker thread');

let decoder: DecoderUnderTest | null = null;

async function load(spec: WorkerDecoderSpec): Promise<DecoderUnderTest> {
  if (spec.kind === 'builtin') {
    const { referenceDecoder, kernelV1Decoder } = await import('../reference-decoders.js');
    const builtins: Record<string, DecoderUnderTest> = { reference: referenceDecoder, 'kernel-v1': kernelV1Decoder };
    const d = builtins[spec.name];
    if (!d) throw new Error(`unknown builtin decoder "${spec.name}" (builtin:reference or builtin:kernel-v1)`);
    return d;
  }
  const mod = (await import(spec.url)) as Record<string, unknown>;
  const d = mod[spec.exportName];
  if (d === undefined) {
    const names = Object.keys(mod).filter((k) => k !== 'default');
    throw new Error(`the module has no export "${spec.exportName}"${names.length ? ` (it exports ${names.join(', ')}; use module:PATH#NAME)` : ''}`);
  }
  const x = d as Partial<DecoderUnderTest>;
  if (typeof x !== 'object' || x === null || typeof x.decode !== 'function' || !Array.isArray(x.layouts)) {
    throw new Error(`export "${spec.exportName}" is not a DecoderUnderTest (an object with name, layouts[] and decode())`);
  }
  const bad = x.layouts.filter((l) => typeof l !== 'string' || !isLayoutId(l));
  if (bad.length) throw new Error(`export "${spec.exportName}" claims unknown layouts: ${bad.join(', ')}`);
  return { name: typeof x.name === 'string' ? x.name : spec.url, layouts: x.layouts as LayoutId[], decode: x.decode.bind(x) };
}

const OOB_MESSAGE = /outside the bounds|out of bounds|out of range|outside of buffer bounds|is outside the buffer|Start offset|Invalid typed array length/i;

function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message.split('\n')[0]}`;
  return `thrown value ${String(e).split('\n')[0]}`;
}

function classify(e: unknown, state: GuardState): CaseOutcome {
  if (state.violation) return { kind: 'out-of-bounds', offset: state.violation.offset, detail: state.violation.message };
  const x = e as { name?: unknown; offset?: unknown; message?: unknown } | null;
  if (x && x.name === 'KernelFault' && typeof x.offset === 'number') return { kind: 'out-of-bounds', offset: x.offset, detail: String(x.message) };
  if (e instanceof RangeError && OOB_MESSAGE.test(e.message)) return { kind: 'out-of-bounds', offset: null, detail: errorText(e) };
  return { kind: 'exception', detail: errorText(e) };
}

/** Only plain data crosses back to the runner; a malformed answer stays recognisably malformed. */
function plain(a: unknown): unknown {
  if (a === null) return null;
  if (typeof a === 'object') {
    const x = a as { line?: unknown; nameOffset?: unknown };
    return { line: typeof x.line === 'number' ? x.line : String(x.line), nameOffset: typeof x.nameOffset === 'number' ? x.nameOffset : String(x.nameOffset) };
  }
  return typeof a === 'number' || typeof a === 'string' || typeof a === 'boolean' ? a : String(a);
}

type Run = { readonly ok: true; readonly answers: unknown[] } | { readonly ok: false; readonly outcome: CaseOutcome };

function runOnce(d: DecoderUnderTest, section: Uint8Array, layout: LayoutId, endian: 'le' | 'be', queries: readonly DecoderQuery[], state: GuardState): Run {
  try {
    const answers = d.decode(section, endian, layout, queries) as unknown;
    if (state.violation) return { ok: false, outcome: classify(null, state) };
    if (!Array.isArray(answers)) return { ok: false, outcome: { kind: 'exception', detail: `decode() returned ${answers === null ? 'null' : typeof answers}, not an array of answers` } };
    return { ok: true, answers: answers.map(plain) };
  } catch (e) {
    const x = e as { name?: unknown } | null;
    if (!state.violation && x && x.name === 'DecoderRejected') return { ok: true, answers: queries.map(() => null) };
    return { ok: false, outcome: classify(e, state) };
  }
}

function runCase(d: DecoderUnderTest, m: Extract<ToWorker, { type: 'case' }>): CaseOutcome {
  const state: GuardState = { violation: null };
  const first = runOnce(d, guardedSection(m.section, state), m.layout, m.endian, m.queries, state);
  if (!first.ok) return first.outcome;
  if (m.poison) {
    const want = JSON.stringify(first.answers);
    for (const invert of [false, true]) {
      const free: GuardState = { violation: null };
      const again = runOnce(d, poisonedSection(m.section, m.poisonSeed, invert), m.layout, m.endian, m.queries, free);
      if (!again.ok) {
        const what = again.outcome.kind === 'exception' || again.outcome.kind === 'out-of-bounds' ? again.outcome.detail : again.outcome.kind;
        return { kind: 'out-of-bounds', offset: null, detail: `the decoder fails only when the section lies inside other memory (${what}): it reads outside the section` };
      }
      const got = JSON.stringify(again.answers);
      if (got !== want) {
        const i = first.answers.findIndex((a, k) => JSON.stringify(a) !== JSON.stringify(again.answers[k]));
        return {
          kind: 'out-of-bounds', offset: null,
          detail: `answers change with the bytes around the section (query #${i}: ${JSON.stringify(first.answers[i])} alone, ${JSON.stringify(again.answers[i])} inside other memory): the decoder reads outside the section`,
        };
      }
    }
  }
  return { kind: 'answers', answers: first.answers as DecoderAnswer[] };
}

function send(m: FromWorker): void {
  port!.postMessage(m);
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'init') {
    load(m.spec).then(
      (d) => {
        decoder = d;
        send({ type: 'ready', name: d.name, layouts: [...d.layouts] });
      },
      (e: unknown) => send({ type: 'init-error', message: errorText(e) }),
    );
    return;
  }
  if (!decoder) {
    send({ type: 'outcome', seq: m.seq, outcome: { kind: 'crash', detail: 'decoder not loaded' } });
    return;
  }
  send({ type: 'outcome', seq: m.seq, outcome: runCase(decoder, m) });
});

/**
 * Messages between the fuzzer's main thread and its worker threads, and how workers are started
 * (from dist/ directly; from the TypeScript sources through tsx when running the tests).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DecoderQuery } from '../../conformance/decoder-interface.js';
import type { Endian } from '../format/endian.js';
import type { LayoutId } from '../revisions/layout-id.js';
import type { CaseDecisions } from './case-gen.js';
import type { RawFinding } from './engine.js';
import type { Verdict } from './oracle.js';
import type { TargetSpec } from './targets.js';

export interface FactoryInit {
  readonly seed: number;
  readonly layouts: readonly LayoutId[];
  readonly endians: readonly Endian[];
  readonly maxEntries: number;
  readonly corpus: readonly CorpusFile[];
}

export interface CorpusFile {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly layout: LayoutId;
  readonly endian: Endian;
}

/** status slots shared with a fuzz worker (Float64Array over a SharedArrayBuffer) */
export const STATUS = { caseIndex: 0, inTarget: 1, budgetMs: 2, done: 3, size: 4 } as const;

export interface FuzzWorkerInit {
  readonly mode: 'fuzz';
  readonly target: TargetSpec;
  readonly factory: FactoryInit;
  readonly start: number;
  readonly stride: number;
  /** exclusive bound of case indices (Number.MAX_SAFE_INTEGER for --time runs) */
  readonly end: number;
  readonly status: SharedArrayBuffer;
  readonly stop: SharedArrayBuffer;
  readonly timeoutMs: number;
  readonly collectInteresting: boolean;
}

export interface ExecWorkerInit {
  readonly mode: 'exec';
  readonly target: TargetSpec;
  readonly factory: FactoryInit;
}

export type WorkerInit = FuzzWorkerInit | ExecWorkerInit;

export type FromFuzzWorker =
  | { readonly type: 'ready'; readonly name: string; readonly layouts: readonly LayoutId[] }
  | { readonly type: 'finding'; readonly finding: RawFinding }
  | { readonly type: 'stats'; readonly done: number; readonly digest: number; readonly findings: number }
  | { readonly type: 'interesting'; readonly signature: string; readonly bytes: Uint8Array; readonly layout: LayoutId; readonly endian: Endian }
  | { readonly type: 'done'; readonly done: number; readonly digest: number; readonly findings: number }
  | { readonly type: 'fatal'; readonly message: string; readonly usage: boolean };

/** A case in serialisable form. */
export interface WireCase {
  readonly layout: LayoutId;
  readonly endian: Endian;
  readonly bytes: Uint8Array;
  readonly queries: readonly DecoderQuery[];
  readonly queryKinds?: readonly string[];
  readonly mutator?: string;
  readonly rule?: string | null;
  readonly description?: string;
}

export type ExecRequest =
  | { readonly id: number; readonly op: 'bytes'; readonly case: WireCase }
  | { readonly id: number; readonly op: 'decisions'; readonly decisions: CaseDecisions }
  | { readonly id: number; readonly op: 'record'; readonly index: number };

export interface ExecReply {
  readonly id: number;
  readonly verdict: Verdict | null;
  readonly outcome: string;
  /** answers of an 'answers' outcome */
  readonly answers?: readonly unknown[];
  readonly case?: WireCase;
  readonly decisions?: CaseDecisions;
  /** the described finding for 'record' requests */
  readonly finding?: RawFinding | null;
  readonly error?: string;
}

export type FromExecWorker = { readonly type: 'ready'; readonly name: string; readonly layouts: readonly LayoutId[] } | { readonly type: 'fatal'; readonly message: string; readonly usage: boolean } | ({ readonly type: 'reply' } & ExecReply);

/**
 * The young generation of a fuzz worker. A case allocates ~13 KB and little of it outlives the
 * case, but each scavenge also copies whatever of the worker's large caches was touched since the
 * last one; fewer, larger scavenges cost ~4-7% less time than V8's default 16 MiB semi-spaces
 * (measured on the v1 mix, bench/fuzz.bench.mjs runs its single-thread figures under this too).
 */
export const FUZZ_WORKER_YOUNG_GENERATION_MB = 128;

/** a fuzz worker's heap limits for a heap of `memoryMb` MiB (--memory) */
export function fuzzWorkerLimits(memoryMb: number): { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number } {
  // a young generation large next to the old one keeps Node from ending the worker alone when a
  // decoder exhausts the heap (the whole process aborts instead): at most a quarter of it
  return { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: Math.min(FUZZ_WORKER_YOUNG_GENERATION_MB, Math.floor(memoryMb / 4)) };
}

export function startWorker(init: WorkerInit, memoryMb: number): Worker {
  const resourceLimits = fuzzWorkerLimits(memoryMb);
  const js = new URL('./worker.js', import.meta.url);
  if (existsSync(js)) return new Worker(js, { workerData: init, resourceLimits });
  // Running from the TypeScript sources (tests): load the worker through tsx.
  const ts = new URL('./worker.ts', import.meta.url);
  const tsx = tsxApi();
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(ts.href)}); })`;
  return new Worker(code, { eval: true, workerData: init, resourceLimits });
}

/** URL of tsx's ESM register API (only needed when running from the TypeScript sources) */
function tsxApi(): string {
  const path = createRequire(import.meta.url).resolve('tsx/esm/api');
  const esm = path.replace(/\.cjs$/, '.mjs');
  return pathToFileURL(existsSync(esm) ? esm : path).href;
}

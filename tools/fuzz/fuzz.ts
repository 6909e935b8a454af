/**
 * The fuzzer's main thread: partitions case indices across worker threads (worker w of J runs
 * w, w + J, w + 2J, ...), watches them for hangs through shared memory (terminating a worker
 * whose case outlives its budget, recording a hang, restarting it at its next case), collects
 * findings, deduplicates them by (category, mutator, kind of first failing query) keeping the
 * lowest case index, minimises them and saves them.
 *
 * Cases depend only on (seed, case index), so the same seed and --runs give the same cases and
 * findings for any number of jobs.
 */
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import type { Endian } from '../format/endian.js';
import { ENDIANS } from '../format/endian.js';
import type { LayoutId } from '../revisions/layout-id.js';
import { LAYOUT_IDS } from '../revisions/layout-id.js';
import { layoutById } from '../revisions/registry.js';
import { ruleById } from '../rules/catalogue.js';
import { CaseFactory } from './case-gen.js';
import { corpusEntries, loadCorpusDir, saveInteresting } from './corpus.js';
import type { RawFinding } from './engine.js';
import { dedupKey } from './engine.js';
import { Executor } from './executor.js';
import { findingName, saveFinding } from './findings.js';
import type { MinimizeBudget } from './minimize.js';
import { minimize } from './minimize.js';
import type { Category } from './oracle.js';
import { Reference } from './oracle.js';
import type { CorpusFile, FactoryInit, FromFuzzWorker, FuzzWorkerInit } from './protocol.js';
import { STATUS, startWorker } from './protocol.js';
import { isExternal, loadExternal, parseTarget, targetText } from './targets.js';
import type { TargetSpec } from './targets.js';

export interface FuzzOptions {
  /** --target SPEC */
  readonly target: string;
  readonly layouts?: readonly LayoutId[];
  readonly endians?: readonly Endian[];
  readonly seed: number;
  /** number of cases; null = until the time limit */
  readonly runs: number | null;
  readonly timeMs: number | null;
  readonly jobs?: number;
  readonly corpusDir?: string | null;
  /** where findings are saved; null = not saved */
  readonly outDir?: string | null;
  readonly minimize?: boolean;
  readonly maxEntries?: number;
  /** per-case timeout for in-process targets (plus 1 ms per KiB of section) */
  readonly timeoutMs?: number;
  /** heap limit of each worker thread */
  readonly memoryMb?: number;
  readonly minimizeBudget?: MinimizeBudget;
  /** overall cap on minimisation time */
  readonly minimizeTotalMs?: number;
  /** live status line (terminals); '' clears it */
  readonly progress?: (line: string) => void;
  readonly cwd?: string;
}

export interface ReportedFinding {
  readonly key: string;
  readonly category: Category;
  readonly mutator: string;
  readonly rule: string | null;
  readonly queryKind: string;
  readonly caseIndex: number;
  readonly layout: LayoutId;
  readonly endian: Endian;
  readonly detail: string;
  readonly malformed: boolean;
  readonly rulesBroken: readonly string[];
  readonly originalSize: number;
  readonly size: number;
  readonly minimised: boolean;
  readonly minimiseRuns: number;
  readonly file: string | null;
}

export interface FuzzReport {
  readonly target: string;
  readonly targetName: string;
  readonly seed: number;
  readonly layouts: readonly LayoutId[];
  readonly jobs: number;
  readonly cases: number;
  readonly elapsedMs: number;
  readonly casesPerSec: number;
  /** order-independent digest of every case run (same seed and runs: same digest, any jobs) */
  readonly digest: number;
  readonly rawFindings: number;
  readonly findings: readonly ReportedFinding[];
  readonly restarts: number;
  readonly corpusLoaded: number;
  readonly corpusSaved: number;
  readonly minimiseMs: number;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

interface Slot {
  readonly index: number;
  worker: Worker | null;
  status: Float64Array;
  start: number;
  /** cases finished by earlier incarnations of this slot */
  base: number;
  done: number;
  digest: number;
  baseDigest: number;
  findings: number;
  baseFindings: number;
  finished: boolean;
  lastCase: number;
  lastChange: number;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const spec: TargetSpec = parseTarget(opts.target, opts.cwd);
  if (isExternal(spec)) await loadExternal();
  const layouts = opts.layouts ?? LAYOUT_IDS;
  const endians = opts.endians ?? ENDIANS;
  const jobs = Math.max(1, opts.jobs ?? availableParallelism());
  const timeoutMs = opts.timeoutMs ?? 5000;
  const memoryMb = opts.memoryMb ?? 2048;
  const maxEntries = opts.maxEntries ?? 1_000_000;
  if (opts.runs === null && opts.timeMs === null) throw new UsageError('give --runs or --time');
  const corpus: CorpusFile[] = opts.corpusDir ? loadCorpusDir(opts.corpusDir, layouts, endians) : [];
  const factoryInit: FactoryInit = { seed: opts.seed >>> 0, layouts, endians, maxEntries, corpus };
  const end = opts.runs ?? MAX_SAFE;
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const t0 = Date.now();

  const best = new Map<string, RawFinding>();
  const signatures = new Set<string>();
  for (const c of corpus) {
    try {
      const side = JSON.parse(readFileSync(`${opts.corpusDir}/${c.name.replace(/\.bin$/, '.json')}`, 'utf8')) as { signature?: string };
      if (side.signature) signatures.add(side.signature);
    } catch {
      // no sidecar
    }
  }
  let corpusSaved = 0;
  let rawFindings = 0;
  let restarts = 0;
  let targetName = '';
  let targetLayouts: readonly LayoutId[] = layouts;
  let mainFactory: CaseFactory | null = null;

  const record = (f: RawFinding): void => {
    const key = dedupKey(f);
    const old = best.get(key);
    if (!old || f.caseIndex < old.caseIndex) best.set(key, f);
  };

  const slots: Slot[] = [];
  let failure: Error | null = null;
  let resolveAll: () => void = () => {};
  const allDone = new Promise<void>((r) => (resolveAll = r));
  const checkDone = (): void => {
    if (slots.every((s) => s.finished)) resolveAll();
  };
  const fail = (e: Error): void => {
    failure ??= e;
    Atomics.store(stop, 0, 1);
    for (const s of slots) {
      s.finished = true;
      void s.worker?.terminate();
      s.worker = null;
    }
    resolveAll();
  };

  /** a case that killed its worker (hang, memory, crash): record it and restart at the next case */
  const lost = (s: Slot, category: Category, detail: string): void => {
    const w = s.worker;
    if (!w || s.finished) return;
    s.worker = null;
    void w.terminate();
    const idx = s.status[STATUS.caseIndex]!;
    const inTarget = s.status[STATUS.inTarget] === 1;
    if (!inTarget && category !== 'hang') {
      fail(new Error(`fuzzer worker ${s.index} failed outside the target (case ${idx}): ${detail}`));
      return;
    }
    rawFindings++;
    mainFactory ??= new CaseFactory({ seed: factoryInit.seed, layouts: targetLayouts.map(layoutById), endians, maxEntries, corpus: corpusEntries(corpus) });
    const c = mainFactory.make(idx).case;
    record({
      caseIndex: idx, category, detail, queryIndex: null, queryKind: 'any', layout: c.layout.id, endian: c.endian, mutator: c.mutator, rule: c.rule,
      description: c.description, source: c.source, sizeClass: c.sizeClass, bytes: c.bytes, queries: c.queries, queryKinds: c.queryKinds,
      malformed: !new Reference(c.layout, c.endian, c.bytes).valid,
    });
    restarts++;
    s.base += (idx - s.start) / jobs + 1;
    s.baseDigest = (s.baseDigest + s.digest) >>> 0;
    s.baseFindings += s.findings;
    s.done = 0;
    s.digest = 0;
    s.findings = 0;
    s.start = idx + jobs;
    if (s.start >= end || Atomics.load(stop, 0)) {
      s.finished = true;
      checkDone();
      return;
    }
    spawn(s);
  };

  const spawn = (s: Slot): void => {
    const status = new SharedArrayBuffer(8 * STATUS.size);
    s.status = new Float64Array(status);
    s.status[STATUS.caseIndex] = s.start;
    s.lastCase = -1;
    s.lastChange = Date.now();
    const init: FuzzWorkerInit = { mode: 'fuzz', target: spec, factory: factoryInit, start: s.start, stride: jobs, end, status, stop: stop.buffer as SharedArrayBuffer, timeoutMs, collectInteresting: !!opts.corpusDir };
    const w = startWorker(init, memoryMb);
    s.worker = w;
    w.on('message', (m: FromFuzzWorker) => {
      if (s.worker !== w) return;
      switch (m.type) {
        case 'ready':
          targetName = m.name;
          targetLayouts = m.layouts;
          if (m.layouts.length === 0) fail(new UsageError(`target ${m.name} implements none of the layouts asked for (${layouts.join(', ')})`));
          break;
        case 'finding':
          record(m.finding);
          break;
        case 'stats':
          s.done = m.done;
          s.digest = m.digest;
          s.findings = m.findings;
          break;
        case 'interesting':
          if (opts.corpusDir && !signatures.has(m.signature) && corpusSaved < 1000) {
            signatures.add(m.signature);
            if (saveInteresting(opts.corpusDir, m.bytes, m.layout, m.endian, m.signature)) corpusSaved++;
          }
          break;
        case 'done':
          s.done = m.done;
          s.digest = m.digest;
          s.findings = m.findings;
          s.finished = true;
          s.worker = null;
          void w.terminate();
          checkDone();
          break;
        case 'fatal':
          fail(m.usage ? new UsageError(m.message) : new Error(m.message));
          break;
      }
    });
    w.on('error', (e: Error & { code?: string }) => {
      if (s.worker !== w) return;
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') lost(s, 'memory', `the decoder exhausted the worker's heap limit of ${memoryMb} MiB`);
      else lost(s, 'crash', `uncaught ${e.name}: ${e.message}`);
    });
    w.on('exit', (code) => {
      if (s.worker !== w) return;
      lost(s, 'crash', `the worker thread exited with status ${code} in the middle of a case`);
    });
  };

  for (let i = 0; i < jobs; i++) {
    const s: Slot = { index: i, worker: null, status: new Float64Array(STATUS.size), start: i, base: 0, done: 0, digest: 0, baseDigest: 0, findings: 0, baseFindings: 0, finished: i >= end, lastCase: -1, lastChange: Date.now() };
    slots.push(s);
    if (!s.finished) spawn(s);
  }
  checkDone();

  const totalDone = (): number => slots.reduce((a, s) => a + s.base + s.done, 0);
  let lastProgress = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    if (opts.timeMs !== null && now - t0 >= opts.timeMs) Atomics.store(stop, 0, 1);
    for (const s of slots) {
      if (!s.worker || s.finished) continue;
      const idx = s.status[STATUS.caseIndex]!;
      const inTarget = s.status[STATUS.inTarget] === 1;
      if (idx !== s.lastCase || !inTarget) {
        s.lastCase = inTarget ? idx : -1;
        s.lastChange = now;
      } else if (now - s.lastChange > s.status[STATUS.budgetMs]!) {
        lost(s, 'hang', `no answer after ${Math.round(now - s.lastChange)} ms (budget ${Math.round(s.status[STATUS.budgetMs]!)} ms)`);
      }
      s.done = Math.max(s.done, s.status[STATUS.done]!);
    }
    if (opts.progress && now - lastProgress >= 250) {
      lastProgress = now;
      const n = totalDone();
      const secs = (now - t0) / 1000;
      opts.progress(`fuzz: ${fmt(n)} cases, ${fmt(n / Math.max(secs, 0.001))}/s, ${best.size} finding(s), ${secs.toFixed(0)}s`);
    }
  }, 50);
  try {
    await allDone;
  } finally {
    clearInterval(timer);
    opts.progress?.('');
  }
  if (failure) throw failure;
  const elapsedMs = Date.now() - t0;
  const cases = totalDone();
  const digest = slots.reduce((a, s) => (a + s.baseDigest + s.digest) >>> 0, 0);
  rawFindings += slots.reduce((a, s) => a + s.baseFindings + s.findings, 0);

  // minimise and save
  const found = [...best.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const reported: ReportedFinding[] = [];
  const tm = Date.now();
  let exec: Executor | null = null;
  try {
    for (const [key, f] of found) {
      let bytes = f.bytes;
      let queries = f.queries;
      let detail = f.detail;
      let decisions = null;
      let minimised = false;
      let runs = 0;
      const left = (opts.minimizeTotalMs ?? 120_000) - (Date.now() - tm);
      if (opts.minimize !== false && left > 0) {
        exec ??= new Executor({ mode: 'exec', target: spec, factory: factoryInit }, timeoutMs, memoryMb);
        // every failing candidate of a hang costs a whole timeout: only a few tries
        const budget = f.category === 'hang' ? { maxRuns: 24, maxMs: 30_000 } : (opts.minimizeBudget ?? { maxRuns: 5000, maxMs: 10_000 });
        try {
          const m = await minimize(exec, f, { maxRuns: budget.maxRuns, maxMs: Math.min(budget.maxMs, left) });
          bytes = m.case.bytes;
          queries = m.case.queries;
          detail = m.verdict.detail;
          decisions = m.decisions;
          minimised = true;
          runs = m.runs;
        } catch (e) {
          if (e instanceof UsageError) throw e;
          detail = `${f.detail} (not minimised: ${(e as Error).message})`;
        }
      }
      const final = new Reference(layoutById(f.layout), f.endian, bytes);
      const rulesBroken = [...new Set(final.model.findings.map((x) => x.rule).filter((r) => ruleById(r).level === 'MUST'))].sort();
      if (!final.model.decoded && rulesBroken.length === 0) rulesBroken.push('(layout not locatable)');
      let file: string | null = null;
      if (opts.outDir) {
        file = saveFinding(opts.outDir, findingName(f.category, f.mutator, key), bytes, {
          target: targetText(spec), seed: factoryInit.seed, caseIndex: f.caseIndex, layout: f.layout, endian: f.endian, mutator: f.mutator, rule: f.rule,
          mutation: f.description, source: f.source, sizeClass: f.sizeClass, category: f.category, detail, originalDetail: f.detail, queryKind: f.queryKind,
          malformed: !final.valid, rulesBroken, queries, size: bytes.length, originalSize: f.bytes.length, minimised, minimiseRuns: runs,
          // decision streams of big tables are long: kept only when they are a handy size
          decisions: decisions && decisions.table.length + decisions.case.length <= 20_000 ? decisions : null,
        });
      }
      reported.push({
        key, category: f.category, mutator: f.mutator, rule: f.rule, queryKind: f.queryKind, caseIndex: f.caseIndex, layout: f.layout, endian: f.endian,
        detail, malformed: !final.valid, rulesBroken, originalSize: f.bytes.length, size: bytes.length, minimised, minimiseRuns: runs, file,
      });
    }
  } finally {
    await exec?.close();
  }

  return {
    target: opts.target,
    targetName,
    seed: factoryInit.seed,
    layouts: targetLayouts,
    jobs,
    cases,
    elapsedMs,
    casesPerSec: cases / Math.max(elapsedMs / 1000, 0.001),
    digest,
    rawFindings,
    findings: reported,
    restarts,
    corpusLoaded: corpus.length,
    corpusSaved,
    minimiseMs: Date.now() - tm,
  };
}

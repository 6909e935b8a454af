/**
 * A fuzzer worker thread. In `fuzz` mode it runs the case indices start, start + stride, ... below
 * end against the target (in-process targets run right here, so a hang is ended by terminating
 * this thread), reporting progress through shared memory and findings by message. In `exec` mode
 * it runs single cases on request (for the minimiser and --replay).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import { layoutById } from '../revisions/registry.js';
import { CaseFactory } from './case-gen.js';
import type { FuzzCase } from './case-gen.js';
import { corpusEntries } from './corpus.js';
import { behaviourSignature, caseHash, dedupKey, describeFinding, examine, examineSync } from './engine.js';
import type { Examined, PlainCase } from './engine.js';
import type { ExecReply, ExecRequest, ExecWorkerInit, FactoryInit, FromExecWorker, FromFuzzWorker, FuzzWorkerInit, WireCase, WorkerInit } from './protocol.js';
import { STATUS } from './protocol.js';
import { loadTarget } from './targets.js';
import type { LoadedTarget } from './targets.js';

const port = parentPort!;
/** external cases in flight per worker */
const WINDOW = 32;
const init = workerData as WorkerInit;

function factoryFor(f: FactoryInit, target: LoadedTarget): CaseFactory {
  const layouts = f.layouts.filter((id) => target.layouts.includes(id)).map(layoutById);
  return new CaseFactory({ seed: f.seed, layouts, endians: f.endians, maxEntries: f.maxEntries, corpus: corpusEntries(f.corpus) });
}

function fatal(e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  port.postMessage({ type: 'fatal', message, usage: e instanceof UsageError } satisfies FromFuzzWorker);
}

/** the per-case time budget: the timeout plus 1 ms per KiB of section */
function budget(c: FuzzCase, timeoutMs: number): number {
  return timeoutMs + c.bytes.length / 1024;
}

async function fuzz(w: FuzzWorkerInit): Promise<void> {
  const target = await loadTarget(w.target);
  const layouts = w.factory.layouts.filter((id) => target.layouts.includes(id));
  port.postMessage({ type: 'ready', name: target.name, layouts } satisfies FromFuzzWorker);
  if (layouts.length === 0) {
    port.postMessage({ type: 'done', done: 0, digest: 0, findings: 0 } satisfies FromFuzzWorker);
    return;
  }
  const factory = factoryFor(w.factory, target);
  const status = new Float64Array(w.status);
  const stop = new Int32Array(w.stop);
  /** lowest case index reported per finding key (cases may complete out of order) */
  const reported = new Map<string, number>();
  const signatures = new Set<string>();
  let done = 0;
  let findings = 0;
  let digest = 0;
  let lastStats = Date.now();
  const onFinding = async (c: FuzzCase, ex: Examined): Promise<void> => {
    findings++;
    const raw = await describeFinding(target, c, ex.verdict!, ex.ref);
    const key = dedupKey(raw);
    const seen = reported.get(key);
    if (seen === undefined || raw.caseIndex < seen) {
      reported.set(key, raw.caseIndex);
      port.postMessage({ type: 'finding', finding: raw } satisfies FromFuzzWorker);
    }
  };
  const tally = (c: FuzzCase, ex: Examined): void => {
    done++;
    status[STATUS.done] = done;
    if (w.collectInteresting) {
      const sig = behaviourSignature(ex.ref, ex.outcome);
      if (!signatures.has(sig)) {
        signatures.add(sig);
        port.postMessage({ type: 'interesting', signature: sig, bytes: c.bytes, layout: c.layout.id, endian: c.endian } satisfies FromFuzzWorker);
      }
    }
    if ((done & 255) === 0) {
      const now = Date.now();
      if (now - lastStats >= 200) {
        lastStats = now;
        port.postMessage({ type: 'stats', done, digest, findings } satisfies FromFuzzWorker);
      }
    }
  };
  if (target.runSync) {
    // in-process: one case at a time, watched by the main thread through `status`
    for (let i = w.start; i < w.end; i += w.stride) {
      if ((done & 15) === 0 && Atomics.load(stop, 0) !== 0) break;
      status[STATUS.caseIndex] = i;
      const c = factory.make(i).case;
      digest = (digest + caseHash(c)) >>> 0;
      status[STATUS.budgetMs] = budget(c, w.timeoutMs);
      status[STATUS.inTarget] = 1;
      const ex = examineSync(target, c);
      if (ex.verdict) await onFinding(c, ex);
      status[STATUS.inTarget] = 0;
      tally(c, ex);
    }
  } else {
    // external: keep a window of cases in flight (the driver pipelines them and times them out)
    const inflight = new Set<Promise<void>>();
    for (let i = w.start; i < w.end; i += w.stride) {
      if (Atomics.load(stop, 0) !== 0) break;
      status[STATUS.caseIndex] = i;
      const c = factory.make(i).case;
      digest = (digest + caseHash(c)) >>> 0;
      const p: Promise<void> = examine(target, c).then(async (ex) => {
        if (ex.verdict) await onFinding(c, ex);
        tally(c, ex);
      });
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
      if (inflight.size >= WINDOW) await Promise.race(inflight);
    }
    await Promise.all(inflight);
  }
  await target.close();
  port.postMessage({ type: 'done', done, digest, findings } satisfies FromFuzzWorker);
}

function plain(c: WireCase): PlainCase {
  return { layout: layoutById(c.layout), endian: c.endian, bytes: c.bytes, queries: c.queries };
}

function wire(c: FuzzCase): WireCase {
  return { layout: c.layout.id, endian: c.endian, bytes: c.bytes, queries: c.queries, queryKinds: c.queryKinds, mutator: c.mutator, rule: c.rule, description: c.description };
}

async function exec(w: ExecWorkerInit): Promise<void> {
  const target = await loadTarget(w.target);
  const factory = factoryFor(w.factory, target);
  port.postMessage({ type: 'ready', name: target.name, layouts: target.layouts } satisfies FromExecWorker);
  port.on('message', (req: ExecRequest | { op: 'close' }) => {
    if (req.op === 'close') {
      void target.close().then(() => port.close());
      return;
    }
    void handle(req).then(
      (reply) => port.postMessage({ type: 'reply', ...reply } satisfies FromExecWorker),
      (e: unknown) => port.postMessage({ type: 'reply', id: req.id, verdict: null, outcome: 'error', error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) } satisfies FromExecWorker),
    );
  });

  async function handle(req: ExecRequest): Promise<ExecReply> {
    switch (req.op) {
      case 'bytes': {
        const ex = await examine(target, plain(req.case));
        return { id: req.id, verdict: ex.verdict, outcome: ex.outcome.kind, ...(ex.outcome.kind === 'answers' ? { answers: ex.outcome.answers } : {}) };
      }
      case 'decisions': {
        const made = factory.fromDecisions(req.decisions);
        const ex = await examine(target, made.case);
        return { id: req.id, verdict: ex.verdict, outcome: ex.outcome.kind, case: wire(made.case), decisions: made.decisions };
      }
      case 'record': {
        const made = factory.make(req.index, true);
        const ex = await examine(target, made.case);
        const finding = ex.verdict ? await describeFinding(target, made.case, ex.verdict, ex.ref) : null;
        return { id: req.id, verdict: ex.verdict, outcome: ex.outcome.kind, case: wire(made.case), decisions: made.decisions!, finding };
      }
    }
  }
}

(init.mode === 'fuzz' ? fuzz(init) : exec(init)).catch(fatal);

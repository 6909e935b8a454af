/**
 * The driver for in-process decoders (`builtin:NAME`, `module:PATH[#EXPORT]`): the decoder runs in
 * a worker thread (decoder-worker.ts), one case at a time, so a case that takes too long is
 * reported as a timeout and the worker is replaced. Out-of-bounds reads are caught by the guarded
 * section and the poison runs (guard.ts).
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LayoutId } from '../../tools/revisions/layout-id.js';
import type { CaseOutcome, DecoderCase, DecoderDriver } from '../driver.js';
import { seedOfBytes } from './random.js';
import type { FromWorker, ToWorker, WorkerDecoderSpec } from './worker-protocol.js';

export const DEFAULT_CASE_TIMEOUT_MS = 2000;

export interface InProcessOptions {
  /** per-case limit for the three runs of a case (default 2000 ms) */
  readonly timeoutMs?: number;
  /** limit for loading the decoder (default 60 s) */
  readonly loadTimeoutMs?: number;
  /** heap limit of the worker in MiB (default 1024) */
  readonly memoryMb?: number;
  /** run the poison comparison (default true) */
  readonly poison?: boolean;
}

/** The decoder could not be loaded (bad path, no such export, not a decoder). */
export class DecoderLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecoderLoadError';
  }
}

const SELF = import.meta.url;
const RUNNING_FROM_SOURCE = SELF.endsWith('.ts');

/**
 * tsx's ESM registration API (package export `tsx/esm/api`, import condition), for loading
 * TypeScript in the worker; null when tsx is not installed.
 */
function tsxApi(): string | null {
  try {
    const pkgPath = createRequire(SELF).resolve('tsx/package.json');
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports?: Record<string, unknown> };
    const e = pkg.exports?.['./esm/api'] as string | { import?: string | { default?: string } } | undefined;
    const imp = typeof e === 'string' ? e : e?.import;
    const rel = typeof imp === 'string' ? imp : imp?.default;
    return rel ? pathToFileURL(join(dirname(pkgPath), rel)).href : null;
  } catch {
    return null;
  }
}

/** Worker bootstrap: registers tsx when needed, then loads the worker module. */
const BOOT = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})().catch((e) => { setImmediate(() => { throw e; }); });
`;

export function workerSpecFor(kind: 'builtin' | 'module', nameOrPath: string, exportName = 'default'): WorkerDecoderSpec {
  if (kind === 'builtin') return { kind, name: nameOrPath };
  return { kind, url: pathToFileURL(resolve(nameOrPath)).href, exportName };
}

interface Live {
  readonly worker: Worker;
  /** resolves the current request, if any, with a worker failure */
  fail: ((o: CaseOutcome) => void) | null;
}

export class InProcessDriver implements DecoderDriver {
  private live: Live | null = null;
  private seq = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly name: string,
    readonly layouts: readonly LayoutId[],
    private readonly spec: WorkerDecoderSpec,
    private readonly options: Required<InProcessOptions>,
  ) {}

  static async create(spec: WorkerDecoderSpec, options: InProcessOptions = {}): Promise<InProcessDriver> {
    const opts: Required<InProcessOptions> = {
      timeoutMs: options.timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS,
      loadTimeoutMs: options.loadTimeoutMs ?? 60_000,
      memoryMb: options.memoryMb ?? 1024,
      poison: options.poison ?? true,
    };
    const probe = new InProcessDriver('', [], spec, opts);
    const { live, ready } = await probe.spawn();
    const driver = new InProcessDriver(ready.name, ready.layouts, spec, opts);
    driver.live = live;
    return driver;
  }

  private spawn(): Promise<{ live: Live; ready: Extract<FromWorker, { type: 'ready' }> }> {
    const needsTsx = RUNNING_FROM_SOURCE || (this.spec.kind === 'module' && /\.[cm]?ts$/.test(this.spec.url));
    const tsx = needsTsx ? tsxApi() : null;
    const entry = new URL(RUNNING_FROM_SOURCE ? './decoder-worker.ts' : './decoder-worker.js', SELF).href;
    const worker = new Worker(BOOT, {
      eval: true,
      workerData: { entry, tsx },
      resourceLimits: { maxOldGenerationSizeMb: this.options.memoryMb },
      stdout: false,
      stderr: false,
    });
    worker.unref();
    const live: Live = { worker, fail: null };
    return new Promise((resolveReady, reject) => {
      const timer = setTimeout(() => {
        void worker.terminate();
        reject(new DecoderLoadError(`the decoder did not load within ${this.options.loadTimeoutMs} ms`));
      }, this.options.loadTimeoutMs);
      const onMessage = (m: FromWorker): void => {
        if (m.type === 'ready' || m.type === 'init-error') {
          clearTimeout(timer);
          worker.off('message', onMessage);
          if (m.type === 'init-error') {
            void worker.terminate();
            reject(new DecoderLoadError(m.message));
          } else {
            this.watch(live);
            resolveReady({ live, ready: m });
          }
        }
      };
      worker.on('message', onMessage);
      worker.once('error', (e: Error & { code?: string }) => {
        clearTimeout(timer);
        reject(new DecoderLoadError(`the decoder worker failed while loading: ${e.message.split('\n')[0]}`));
      });
      worker.postMessage({ type: 'init', spec: this.spec } satisfies ToWorker);
    });
  }

  /** Turns worker deaths into the outcome of the case in flight. */
  private watch(live: Live): void {
    live.worker.on('error', (e: Error & { code?: string }) => {
      const detail = e.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? `the decoder exhausted the worker's memory limit (${this.options.memoryMb} MiB heap)`
        : `uncaught ${e.name}: ${e.message.split('\n')[0]}`;
      if (this.live === live) this.live = null;
      live.fail?.({ kind: 'crash', detail });
    });
    live.worker.on('exit', (code) => {
      if (this.live === live) this.live = null;
      live.fail?.({ kind: 'crash', detail: `the decoder ended its worker thread (exit code ${code})` });
    });
  }

  run(c: DecoderCase): Promise<CaseOutcome> {
    const next = this.queue.then(() => this.runNow(c));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(c: DecoderCase): Promise<CaseOutcome> {
    if (this.closed) throw new Error('driver closed');
    if (!this.live) {
      try {
        this.live = (await this.spawn()).live;
      } catch (e) {
        return { kind: 'crash', detail: `cannot restart the decoder: ${(e as Error).message}` };
      }
    }
    const live = this.live;
    const seq = ++this.seq;
    const started = Date.now();
    return new Promise<CaseOutcome>((done) => {
      let finished = false;
      const finish = (o: CaseOutcome): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        live.worker.off('message', onMessage);
        live.fail = null;
        done(o);
      };
      const timer = setTimeout(() => {
        if (this.live === live) this.live = null;
        live.fail = null;
        void live.worker.terminate();
        finish({ kind: 'timeout', afterMs: Date.now() - started });
      }, this.options.timeoutMs);
      const onMessage = (m: FromWorker): void => {
        if (m.type === 'outcome' && m.seq === seq) finish(m.outcome);
      };
      live.fail = finish;
      live.worker.on('message', onMessage);
      const msg: ToWorker = {
        type: 'case', seq, section: c.section, endian: c.endian, layout: c.layout, queries: c.queries,
        poison: this.options.poison, poisonSeed: seedOfBytes(c.section) ^ c.queries.length,
      };
      live.worker.postMessage(msg);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => undefined);
    const live = this.live;
    this.live = null;
    if (live) {
      live.fail = null;
      await live.worker.terminate();
    }
  }
}

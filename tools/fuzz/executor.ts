/**
 * Runs single cases in a worker thread on request, with a timeout per case: a case that hangs
 * (or exhausts memory, or kills the thread) is reported as such and the worker is restarted for
 * the next request. Used by the minimiser and by --replay.
 */
import type { Worker } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import type { LayoutId } from '../revisions/layout-id.js';
import type { ExecReply, ExecRequest, ExecWorkerInit, FromExecWorker } from './protocol.js';
import { startWorker } from './protocol.js';

type Request = ExecRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve(r: ExecReply): void;
  timer: NodeJS.Timeout;
}

export class Executor {
  private worker: Worker | null = null;
  private starting: Promise<Worker> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** runs so far (including restarts) */
  runs = 0;
  restarts = 0;
  targetName = '';
  targetLayouts: readonly LayoutId[] = [];

  constructor(
    private readonly init: ExecWorkerInit,
    private readonly timeoutMs: number,
    private readonly memoryMb: number,
  ) {}

  private start(): Promise<Worker> {
    if (this.worker) return Promise.resolve(this.worker);
    if (this.starting) return this.starting;
    this.starting = new Promise<Worker>((resolve, reject) => {
      const w = startWorker(this.init, this.memoryMb);
      let ready = false;
      w.on('message', (m: FromExecWorker) => {
        if (m.type === 'ready') {
          ready = true;
          this.targetName = m.name;
          this.targetLayouts = m.layouts;
          this.worker = w;
          this.starting = null;
          resolve(w);
        } else if (m.type === 'fatal') {
          reject(m.usage ? new UsageError(m.message) : new Error(m.message));
        } else if (m.type === 'reply') {
          const p = this.pending.get(m.id);
          if (!p) return;
          clearTimeout(p.timer);
          this.pending.delete(m.id);
          p.resolve(m);
        }
      });
      const died = (verdict: ExecReply['verdict'], outcome: string): void => {
        if (this.worker === w) this.worker = null;
        if (!ready) {
          this.starting = null;
          reject(new Error(`the target's worker stopped while loading (${verdict?.detail ?? outcome})`));
          return;
        }
        for (const [id, p] of this.pending) {
          clearTimeout(p.timer);
          p.resolve({ id, verdict, outcome });
        }
        this.pending.clear();
      };
      w.on('error', (e: Error & { code?: string }) => {
        if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') died({ category: 'memory', detail: `the decoder exhausted the worker's heap (${e.message})`, query: null }, 'memory');
        else died({ category: 'crash', detail: `uncaught ${e.name}: ${e.message}`, query: null }, 'crash');
      });
      w.on('exit', (code) => died({ category: 'crash', detail: `the worker exited with status ${code}`, query: null }, 'crash'));
    });
    return this.starting;
  }

  async run(req: Request, budgetMs = this.timeoutMs): Promise<ExecReply> {
    const w = await this.start();
    const id = this.nextId++;
    this.runs++;
    return new Promise<ExecReply>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        if (this.worker === w) this.worker = null;
        this.restarts++;
        void w.terminate();
        resolve({ id, verdict: { category: 'hang', detail: `no answer after ${Math.round(budgetMs)} ms`, query: null }, outcome: 'timeout' });
      }, budgetMs);
      this.pending.set(id, { resolve, timer });
      w.postMessage({ ...req, id });
    });
  }

  /** checks that the target loads (reporting its errors) */
  async ready(): Promise<void> {
    await this.start();
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}

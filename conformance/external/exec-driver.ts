/**
 * The `exec:` driver: runs a decoder program that speaks conformance/PROTOCOL.md, one process for
 * many cases. Cases are queued and written in order (up to `window` frames in flight); the process
 * answers them in order. When it dies, the case it was answering (the oldest unanswered one) gets
 * the outcome classified from its stderr and exit status, and the process is restarted for the
 * rest. A case that takes longer than the timeout gets `timeout`; the process is killed and
 * restarted. The layouts a program supports are learnt by probing it with each layout's empty
 * table (all counts 0): a program that answers kind 2 (unsupported) does not support it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { LAYOUTS } from '../../tools/revisions/registry.js';
import type { LayoutId } from '../../tools/revisions/layout-id.js';
import type { DecoderAnswer, DecoderQuery } from '../decoder-interface.js';
import type { CaseOutcome, DecoderCase, DecoderDriver } from '../driver.js';
import { classifyFailure, classifyReport } from './classify.js';
import { ProtocolError, protocolDecodeResponse, protocolEncodeRequest } from './protocol.js';
import type { ProtocolAnswer } from './protocol.js';

export const DEFAULT_TIMEOUT_MS = 2000;
export const DEFAULT_WINDOW = 32;
/** stderr kept per case: the head (where sanitizer reports start) and the tail */
const STDERR_KEEP = 128 * 1024;
/** reports that a sanitizer in recover mode writes without ending the process */
const SANITIZER_REPORT = /ERROR: AddressSanitizer|runtime error:/;

export interface ExecDriverOptions {
  /** name shown in reports; default `exec:ARGV` */
  readonly name?: string;
  /** per-case timeout in milliseconds (default 2000); the process is killed and restarted */
  readonly timeoutMs?: number;
  /** most request frames written ahead of the answers (default 32; 1 = strictly one at a time) */
  readonly window?: number;
  /** environment of the decoder process (default: this process's) */
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** skip probing and take these as the supported layouts */
  readonly layouts?: readonly LayoutId[];
}

type RawResult = { readonly kind: 'raw'; readonly answers: readonly ProtocolAnswer[] } | CaseOutcome;

interface Pending {
  readonly frame: Uint8Array;
  /** for each query of the case: its index in the frame, or -1 when answered locally (none) */
  readonly sentIndex: readonly number[];
  readonly sentCount: number;
  readonly resolve: (r: RawResult) => void;
  sent: boolean;
}

interface Proc {
  readonly child: ChildProcessWithoutNullStreams;
  readonly gen: number;
  rx: Buffer;
  stderr: string;
  stderrDropped: number;
  /** frames written to this process and not yet answered (a prefix of the queue) */
  inflight: number;
  /** set once this process no longer serves cases (died, killed, or closing) */
  retired: boolean;
  readonly exited: Promise<void>;
}

function isU32(x: number): boolean {
  return Number.isInteger(x) && x >= 0 && x <= 0xffff_ffff;
}

/**
 * Queries the protocol cannot carry are answered here: an offset outside [0, 2^32) must give none
 * (spec/FORMAT.md, common rules), and so does a symbol start above every u32 offset. A negative
 * symbol start excludes nothing, like 0.
 */
function wireQuery(q: DecoderQuery): DecoderQuery | null {
  if (!isU32(q.offset)) return null;
  if (q.symbolStart === undefined) return { offset: q.offset };
  if (q.symbolStart > 0xffff_ffff) return null;
  if (q.symbolStart < 0) return { offset: q.offset, symbolStart: 0 };
  return { offset: q.offset, symbolStart: Math.ceil(q.symbolStart) };
}

export class ExecDriver implements DecoderDriver {
  readonly name: string;
  layouts: readonly LayoutId[] = LAYOUTS.map((l) => l.id);
  private readonly argv: readonly string[];
  private readonly timeoutMs: number;
  private readonly window: number;
  private readonly env: NodeJS.ProcessEnv | undefined;
  private readonly cwd: string | undefined;
  private readonly queue: Pending[] = [];
  private proc: Proc | null = null;
  private gen = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** processes started so far (restarts = starts - 1) */
  starts = 0;

  constructor(argv: readonly string[], options: ExecDriverOptions = {}) {
    if (argv.length === 0) throw new Error('exec: decoder needs a command');
    this.argv = argv;
    this.name = options.name ?? `exec:${argv.join(' ')}`;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.window = Math.max(1, Math.floor(options.window ?? DEFAULT_WINDOW));
    this.env = options.env;
    this.cwd = options.cwd;
    if (options.layouts) this.layouts = [...options.layouts];
  }

  /** Learns the supported layouts from each layout's empty table (all counts 0). */
  async probe(): Promise<void> {
    const results = await Promise.all(
      LAYOUTS.map((l) => this.runRaw({ section: new Uint8Array(l.headerSize), endian: 'le', layout: l.id, queries: [{ offset: 0 }] })),
    );
    if (results.every((r) => r.kind !== 'raw')) {
      const first = results[0] as CaseOutcome;
      throw new Error(`${this.name} did not answer the protocol probe: ${'detail' in first ? first.detail : first.kind}`);
    }
    // A layout the decoder failed on stays in: the suite will show the failure case by case.
    this.layouts = LAYOUTS.filter((_, i) => {
      const r = results[i]!;
      return !(r.kind === 'raw' && r.answers.length > 0 && r.answers.every((a) => a === 'unsupported'));
    }).map((l) => l.id);
  }

  async run(c: DecoderCase): Promise<CaseOutcome> {
    const r = await this.runRaw(c);
    if (r.kind !== 'raw') return r;
    if (r.answers.some((a) => a === 'unsupported')) {
      return { kind: 'crash', detail: `protocol: the decoder answered "unsupported" (kind 2) for layout ${c.layout}` };
    }
    return { kind: 'answers', answers: r.answers as DecoderAnswer[] };
  }

  /** One case through the process; answers merged with the locally answered queries. */
  runRaw(c: DecoderCase): Promise<RawResult> {
    if (this.closed) return Promise.resolve({ kind: 'crash', detail: 'driver closed' });
    const wire: DecoderQuery[] = [];
    const sentIndex = c.queries.map((q) => {
      const w = wireQuery(q);
      if (!w) return -1;
      wire.push(w);
      return wire.length - 1;
    });
    let frame: Uint8Array;
    try {
      frame = protocolEncodeRequest({ endian: c.endian, layout: c.layout, section: c.section, queries: wire });
    } catch (e) {
      return Promise.resolve({ kind: 'crash', detail: `cannot encode the case: ${(e as Error).message}` });
    }
    return new Promise<RawResult>((resolve) => {
      const merge = (r: RawResult): void => {
        if (r.kind !== 'raw') return resolve(r);
        resolve({ kind: 'raw', answers: sentIndex.map((i) => (i < 0 ? null : r.answers[i]!)) });
      };
      this.queue.push({ frame, sentIndex, sentCount: wire.length, resolve: merge, sent: false });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.clearTimer();
    for (const p of this.queue.splice(0)) p.resolve({ kind: 'crash', detail: 'driver closed' });
    const p = this.proc;
    this.proc = null;
    if (!p) return;
    p.retired = true;
    p.child.stdin.end();
    const grace = setTimeout(() => p.child.kill('SIGKILL'), 1000);
    await p.exited;
    clearTimeout(grace);
  }

  // ---- process management ----

  private spawnProc(): Proc {
    const gen = ++this.gen;
    this.starts++;
    const child = spawn(this.argv[0]!, this.argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: this.env ?? process.env, cwd: this.cwd });
    let settle!: () => void;
    const exited = new Promise<void>((r) => (settle = r));
    const p: Proc = { child, gen, rx: Buffer.alloc(0), stderr: '', stderrDropped: 0, inflight: 0, retired: false, exited };
    let spawnError: string | undefined;
    child.stdin.on('error', () => {
      /* EPIPE when the process died: 'close' reports it */
    });
    child.stdout.on('data', (chunk: Buffer) => this.onStdout(p, chunk));
    child.stderr.setEncoding('latin1');
    child.stderr.on('data', (chunk: string) => this.onStderr(p, chunk));
    child.on('error', (e) => {
      spawnError = `cannot run ${this.argv[0]}: ${e.message}`;
    });
    child.on('close', (code, signal) => {
      settle();
      this.onClose(p, code, signal, spawnError);
    });
    return p;
  }

  private onStderr(p: Proc, chunk: string): void {
    p.stderr += chunk;
    if (p.stderr.length > 2 * STDERR_KEEP) {
      // keep the start (sanitizer reports begin there) and the latest output
      p.stderrDropped += p.stderr.length - 2 * STDERR_KEEP;
      p.stderr = p.stderr.slice(0, STDERR_KEEP) + p.stderr.slice(p.stderr.length - STDERR_KEEP);
    }
  }

  /** Writes queued frames up to the window, starting a process when needed. */
  private pump(): void {
    if (this.closed) return;
    const firstUnsent = this.queue.findIndex((q) => !q.sent);
    if (firstUnsent < 0) return;
    if (!this.proc) this.proc = this.spawnProc();
    const p = this.proc;
    for (let i = firstUnsent; i < this.queue.length && p.inflight < this.window; i++) {
      const q = this.queue[i]!;
      q.sent = true;
      p.inflight++;
      p.child.stdin.write(q.frame);
    }
    if (!this.timer) this.armTimer();
  }

  private armTimer(): void {
    this.clearTimer();
    const head = this.queue[0];
    if (!head || !head.sent || !this.proc) return;
    const p = this.proc;
    this.timer = setTimeout(() => this.onTimeout(p, head), this.timeoutMs);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private onTimeout(p: Proc, head: Pending): void {
    this.timer = null;
    if (p.retired || this.queue[0] !== head) return;
    this.queue.shift();
    this.retire(p, 'SIGKILL');
    head.resolve({ kind: 'timeout', afterMs: this.timeoutMs });
    this.pump();
  }

  /** Stops using a process: its unanswered cases go back to the queue for the next process. */
  private retire(p: Proc, kill: NodeJS.Signals | null): void {
    p.retired = true;
    if (this.proc === p) this.proc = null;
    for (const q of this.queue) q.sent = false;
    this.clearTimer();
    if (kill) p.child.kill(kill);
  }

  private onStdout(p: Proc, chunk: Buffer): void {
    if (p.retired) return;
    p.rx = p.rx.length ? Buffer.concat([p.rx, chunk]) : chunk;
    for (;;) {
      let decoded: ReturnType<typeof protocolDecodeResponse>;
      try {
        decoded = protocolDecodeResponse(p.rx);
      } catch (e) {
        const head = this.queue.shift();
        this.retire(p, 'SIGKILL');
        head?.resolve({ kind: 'crash', detail: `protocol error: ${(e as ProtocolError).message}` });
        this.pump();
        return;
      }
      if (!decoded) return;
      p.rx = p.rx.subarray(decoded.bytes);
      const head = this.queue[0];
      if (!head || p.inflight === 0) {
        this.retire(p, 'SIGKILL');
        this.pump();
        return;
      }
      this.queue.shift();
      p.inflight--;
      // A sanitizer report written before the answer (a non-fatal one) belongs to this case.
      const report = p.stderr && SANITIZER_REPORT.test(p.stderr) ? classifyReport(p.stderr) : null;
      p.stderr = '';
      if (report) head.resolve(report);
      else if (decoded.answers.length !== head.sentCount) {
        this.retire(p, 'SIGKILL');
        head.resolve({ kind: 'crash', detail: `protocol error: ${decoded.answers.length} answers for ${head.sentCount} queries` });
        this.pump();
        return;
      } else head.resolve({ kind: 'raw', answers: decoded.answers });
      this.armTimer();
      this.pump();
    }
  }

  private onClose(p: Proc, code: number | null, signal: NodeJS.Signals | null, error: string | undefined): void {
    if (p.retired) return;
    const inflight = p.inflight;
    this.retire(p, null);
    if (inflight > 0) {
      const head = this.queue.shift()!;
      const stderr = p.stderrDropped ? `${p.stderr}\n[${p.stderrDropped} bytes of stderr dropped]` : p.stderr;
      head.resolve(classifyFailure({ stderr, code, signal, ...(error ? { error } : {}) }));
    }
    this.pump();
  }
}

export async function createExecDriver(argv: readonly string[], options: ExecDriverOptions = {}): Promise<ExecDriver> {
  const d = new ExecDriver(argv, options);
  if (!options.layouts) {
    try {
      await d.probe();
    } catch (e) {
      await d.close();
      throw e;
    }
  }
  return d;
}

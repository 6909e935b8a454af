/**
 * Runs the built `lineinfo` CLI asynchronously, so tests with many malformed inputs can run a
 * few processes at a time. Same result shape as test/support/cli.ts, plus timing.
 */
import { spawn } from 'node:child_process';
import { BIN, REPO } from './cli.js';
import type { CliResult } from './cli.js';

export interface TimedCliResult extends CliResult {
  signal: NodeJS.Signals | null;
  ms: number;
}

export function lineinfoAsync(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<TimedCliResult> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? REPO, stdio: ['ignore', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 60_000 });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (status, signal) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({ status, signal, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes, ms: Date.now() - t0 });
    });
  });
}

/** Runs `jobs` with at most `limit` in flight; results in input order. */
export async function pool<T>(jobs: readonly (() => Promise<T>)[], limit = 6): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

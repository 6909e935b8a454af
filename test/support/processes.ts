/**
 * Running the tools the tests build and cross-check with (gcc, ld, readelf, llvm-dwarfdump,
 * addr2line, make) and the `lineinfo` CLI, with their output captured.
 */
import { spawnSync } from 'node:child_process';
import { lineinfo } from './cli.js';

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program; a program that cannot be started reports status null. */
export function sh(cmd: string, args: readonly string[], cwd?: string, env?: NodeJS.ProcessEnv): Ran {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 150_000 });
  if (r.error) return { status: null, stdout: '', stderr: String(r.error) };
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a program and returns its stdout, throwing with its stderr when it fails. */
export function must(cmd: string, args: readonly string[], cwd?: string): string {
  const r = sh(cmd, args, cwd);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd ?? '.'}) failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

/** True when `cmd --version` runs. */
export function have(cmd: string): boolean {
  return sh(cmd, ['--version']).status === 0;
}

/** `lineinfo ARGS` that must succeed: its stdout. */
export function cliOk(args: string[]): string {
  const r = lineinfo(args);
  if (r.status !== 0) throw new Error(`lineinfo ${args.join(' ')} exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

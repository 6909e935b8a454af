/**
 * Builds conformance/harness/c/harness.c around a C decoder source (`c:FILE.c[,asan]` specs),
 * plain or with AddressSanitizer + UndefinedBehaviorSanitizer, into a cache directory keyed by a
 * hash of the sources, the compiler and the flags. Cache: node_modules/.cache/lineinfo-kit/
 * c-harness/ under the package root when node_modules exists, else the system temp directory;
 * LINEINFO_CACHE_DIR overrides both. Compiler: $CC, else the first of cc, gcc, clang on PATH.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_ROOT, packagePath } from '../../tools/package-root.js';

const execFileAsync = promisify(execFile);

export const HARNESS_DIR = packagePath('conformance', 'harness', 'c');
export const COMMON_FLAGS = ['-std=c11', '-g', '-Wall', '-Wextra'];
export const PLAIN_FLAGS = ['-O2'];
export const SANITIZE_FLAGS = ['-O1', '-fsanitize=address,undefined', '-fno-omit-frame-pointer', '-fno-sanitize-recover=all'];

/**
 * Environment for a sanitizer build. The harness sets the same defaults itself
 * (__asan_default_options); appending them here makes them win over a user's ASAN_OPTIONS, since
 * the guard pages need ASan's SIGSEGV handling off.
 */
export function sanitizerEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const join2 = (a: string | undefined, b: string): string => (a ? `${a}:${b}` : b);
  return {
    ...base,
    ASAN_OPTIONS: join2(base.ASAN_OPTIONS, 'handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:detect_leaks=0:abort_on_error=0'),
    UBSAN_OPTIONS: join2(base.UBSAN_OPTIONS, 'halt_on_error=1:print_stacktrace=1'),
  };
}

export interface CBuildOptions {
  /** compiler command, possibly with arguments ("ccache gcc"); default $CC or cc/gcc/clang */
  readonly cc?: string;
  readonly cacheDir?: string;
  /** extra compiler flags, appended (part of the cache key) */
  readonly extraFlags?: readonly string[];
}

export interface CBuild {
  readonly executable: string;
  readonly compiler: string;
  readonly flags: readonly string[];
  readonly cached: boolean;
}

const compilerIds = new Map<string, string>();

/** The compiler command and its identity (first line of --version), or null if none works. */
export function findCompiler(preferred?: string): { argv: string[]; id: string } | null {
  const candidates = preferred ? [preferred] : process.env.CC ? [process.env.CC] : ['cc', 'gcc', 'clang'];
  for (const c of candidates) {
    const argv = c.split(/\s+/).filter(Boolean);
    if (!argv.length) continue;
    let id = compilerIds.get(c);
    if (id === undefined) {
      try {
        id = execFileSync(argv[0]!, [...argv.slice(1), '--version'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().split('\n')[0]!.trim();
      } catch {
        id = '';
      }
      compilerIds.set(c, id);
    }
    if (id) return { argv, id };
  }
  return null;
}

export function defaultCacheDir(): string {
  if (process.env.LINEINFO_CACHE_DIR) return join(process.env.LINEINFO_CACHE_DIR, 'c-harness');
  const nm = join(PACKAGE_ROOT, 'node_modules');
  if (existsSync(nm)) {
    const dir = join(nm, '.cache', 'lineinfo-kit', 'c-harness');
    try {
      mkdirSync(dir, { recursive: true });
      return dir;
    } catch {
      /* read-only install: fall through */
    }
  }
  return join(tmpdir(), 'lineinfo-kit-cache', 'c-harness');
}

/** A decoder path as given: relative to the working directory, else to the package root. */
export function resolveDecoderSource(source: string): string {
  if (isAbsolute(source)) return source;
  const fromCwd = resolve(source);
  if (existsSync(fromCwd)) return fromCwd;
  const fromRoot = resolve(PACKAGE_ROOT, source);
  return existsSync(fromRoot) ? fromRoot : fromCwd;
}

const inProgress = new Map<string, Promise<CBuild>>();

/** Builds (or finds in the cache) the harness executable for one decoder source. */
export async function buildCHarness(source: string, sanitize: boolean, options: CBuildOptions = {}): Promise<CBuild> {
  const decoder = resolveDecoderSource(source);
  if (!existsSync(decoder)) throw new Error(`C decoder source ${source} not found`);
  const compiler = findCompiler(options.cc);
  if (!compiler) throw new Error('no C compiler found (set CC, or install cc/gcc/clang)');
  const harness = join(HARNESS_DIR, 'harness.c');
  const header = join(HARNESS_DIR, 'lineinfo_decoder.h');
  const flags = [...COMMON_FLAGS, ...(sanitize ? SANITIZE_FLAGS : PLAIN_FLAGS), ...(options.extraFlags ?? [])];
  const hash = createHash('sha256');
  for (const part of ['lineinfo-harness protocol 1', compiler.argv.join(' '), compiler.id, flags.join(' ')]) hash.update(part).update('\0');
  for (const file of [harness, header, decoder]) hash.update(readFileSync(file)).update('\0');
  const key = hash.digest('hex').slice(0, 20);
  const dir = join(options.cacheDir ?? defaultCacheDir(), key);
  const executable = join(dir, sanitize ? 'lineinfo-harness-asan' : 'lineinfo-harness');
  if (existsSync(executable)) return { executable, compiler: compiler.id, flags, cached: true };
  const pending = inProgress.get(executable);
  if (pending) return pending;
  const build = (async (): Promise<CBuild> => {
    mkdirSync(dir, { recursive: true });
    const tmp = `${executable}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    const args = [...compiler.argv.slice(1), ...flags, '-I', HARNESS_DIR, '-o', tmp, harness, decoder];
    try {
      await execFileAsync(compiler.argv[0]!, args, { maxBuffer: 16 << 20 });
    } catch (e) {
      rmSync(tmp, { force: true });
      const err = e as { stderr?: string; message: string };
      throw new Error(`building the C harness for ${source} failed (${compiler.argv.join(' ')} ${flags.join(' ')}):\n${(err.stderr || err.message).trim()}`);
    }
    renameSync(tmp, executable);
    return { executable, compiler: compiler.id, flags, cached: false };
  })();
  inProgress.set(executable, build);
  try {
    return await build;
  } finally {
    inProgress.delete(executable);
  }
}

/**
 * Fuzz targets. `--target SPEC` takes the conformance driver's decoder specs
 * (conformance/driver.ts) plus `builtin:kaitai`:
 *   builtin:reference | builtin:kernel-v1    lineinfo-kit's own decoders, in-process
 *   builtin:kaitai                           the KSC-generated parsers (tools/generated)
 *   module:PATH[#EXPORT]                     a JS/TS module exporting a DecoderUnderTest, in-process
 *   exec:COMMAND [ARGS...] | c:PATH.c[,asan] external programs, through conformance/external's
 *                                            createDriver (an external program speaking
 *                                            conformance/PROTOCOL.md, or a C decoder in a harness)
 * In-process targets run inside the fuzzer's worker threads, on a guarded view of each section.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DecoderRejected } from '../../conformance/decoder-interface.js';
import type { DecoderUnderTest } from '../../conformance/decoder-interface.js';
import type { DecoderCase, DecoderDriver, DecoderSpec } from '../../conformance/driver.js';
import { parseDecoderSpec } from '../../conformance/driver.js';
import { KernelFault } from '../../conformance/reference-decoders.js';
import { UsageError } from '../errors.js';
import { isKaitaiParseError } from '../generated/index.js';
import { kaitaiTable } from '../kaitai/kaitai-table.js';
import type { LayoutId } from '../revisions/layout-id.js';
import { LAYOUT_IDS } from '../revisions/layout-id.js';
import { fastGuardedSection, FastViewPool, GuardViolation, guardedSection } from '../format/guarded-bytes.js';
import type { LookupAnswer } from '../revisions/layout.js';
import { layoutById } from '../revisions/registry.js';
import { readForLookup } from '../lookup/strict-lookup.js';
import type { DecoderAnswer } from '../../conformance/decoder-interface.js';
import type { FuzzOutcome } from './oracle.js';
import { Reference } from './oracle.js';

export type TargetSpec = DecoderSpec | { readonly kind: 'kaitai' };

/** Parses and checks a --target value; module paths become absolute. Throws UsageError. */
export function parseTarget(text: string, cwd = process.cwd()): TargetSpec {
  if (text === 'builtin:kaitai') return { kind: 'kaitai' };
  const spec = parseDecoderSpec(text);
  if (!spec) throw new UsageError(`--target must be builtin:NAME, module:PATH[#EXPORT], exec:COMMAND or c:PATH.c[,asan]; got "${text}"`);
  switch (spec.kind) {
    case 'builtin':
      if (!['reference', 'kernel-v1'].includes(spec.name)) throw new UsageError(`unknown builtin target "${spec.name}"; use builtin:reference, builtin:kernel-v1 or builtin:kaitai`);
      return spec;
    case 'module': {
      const path = isAbsolute(spec.path) ? spec.path : resolve(cwd, spec.path);
      if (!existsSync(path)) throw new UsageError(`--target module ${spec.path}: no such file`);
      return { ...spec, path };
    }
    case 'c': {
      const source = isAbsolute(spec.source) ? spec.source : resolve(cwd, spec.source);
      if (!existsSync(source)) throw new UsageError(`--target c:${spec.source}: no such file`);
      return { ...spec, source };
    }
    case 'exec':
      if (spec.argv.length === 0) throw new UsageError('--target exec: needs a command');
      return spec;
  }
}

/** The spec as text again, with absolute paths (for saved findings, replayable from anywhere). */
export function targetText(spec: TargetSpec): string {
  switch (spec.kind) {
    case 'kaitai':
      return 'builtin:kaitai';
    case 'builtin':
      return `builtin:${spec.name}`;
    case 'module':
      return `module:${spec.path}${spec.exportName === 'default' ? '' : `#${spec.exportName}`}`;
    case 'c':
      return `c:${spec.source}${spec.sanitize ? ',asan' : ''}`;
    case 'exec':
      return `exec:${spec.argv.join(' ')}`;
  }
}

export function isExternal(spec: TargetSpec): boolean {
  return spec.kind === 'exec' || spec.kind === 'c';
}

/**
 * A target as the fuzz loop uses it. In-process targets answer synchronously, on the fast
 * guarded view of the section (tools/format/guarded-bytes.ts); `runStrict` runs the same case
 * on the exact Proxy view, and the engine re-runs every case that is a finding there, so a
 * finding never depends on how the fast view differs from a real Uint8Array.
 */
export interface LoadedTarget {
  readonly name: string;
  readonly layouts: readonly LayoutId[];
  /** in-process targets */
  readonly runSync?: (c: DecoderCase) => FuzzOutcome;
  /** in-process targets whose runSync uses the fast view: the run on the exact guarded view */
  readonly runStrict?: (c: DecoderCase) => FuzzOutcome;
  run(c: DecoderCase): Promise<FuzzOutcome>;
  close(): Promise<void>;
}

const MEMORY = /allocation failed|Invalid typed array length|Invalid array (buffer )?length|Array buffer allocation|out of memory/i;

/** Maps what an in-process decoder threw to an outcome; documented rejections are answers of none. */
export function outcomeOfError(e: unknown, queries: number): FuzzOutcome {
  if (e instanceof GuardViolation || (e instanceof Error && e.name === 'GuardViolation')) {
    const g = e as GuardViolation;
    return { kind: 'out-of-bounds', offset: typeof g.offset === 'number' && Number.isFinite(g.offset) ? g.offset : null, detail: g.message };
  }
  // by name too: a module may be loaded twice (CommonJS and ESM copies under test runners)
  if (e instanceof KernelFault || (e instanceof Error && e.name === 'KernelFault')) {
    const offset = (e as KernelFault).offset;
    return { kind: 'out-of-bounds', offset: typeof offset === 'number' ? offset : null, detail: e.message };
  }
  if (e instanceof DecoderRejected || (e instanceof Error && e.name === 'DecoderRejected')) return { kind: 'answers', answers: Array(queries).fill(null) };
  if (e instanceof RangeError && /outside the bounds of the DataView|out of bounds|offset is out of bounds/i.test(e.message)) {
    return { kind: 'out-of-bounds', offset: null, detail: `RangeError: ${e.message}` };
  }
  if (e instanceof RangeError && (MEMORY.test(e.message) || /Maximum call stack/.test(e.message))) {
    return /Maximum call stack/.test(e.message) ? { kind: 'crash', detail: `RangeError: ${e.message}` } : { kind: 'memory', detail: `RangeError: ${e.message}` };
  }
  if (e instanceof Error) {
    const at = (e.stack ?? '').split('\n').find((l) => l.trim().startsWith('at '))?.trim();
    return { kind: 'exception', detail: `${e.name}: ${e.message}${at ? ` (${at})` : ''}` };
  }
  return { kind: 'exception', detail: `non-Error thrown: ${String(e)}` };
}

function runOn(dut: DecoderUnderTest, view: Uint8Array, c: DecoderCase): FuzzOutcome {
  try {
    const answers = dut.decode(view, c.endian, c.layout, c.queries);
    return { kind: 'answers', answers };
  } catch (e) {
    return outcomeOfError(e, c.queries.length);
  }
}

function inProcess(dut: DecoderUnderTest): LoadedTarget {
  const runSync = (c: DecoderCase): FuzzOutcome => runOn(dut, fastGuardedSection(c.section), c);
  return {
    name: dut.name,
    layouts: dut.layouts,
    runSync,
    runStrict: (c) => runOn(dut, guardedSection(c.section), c),
    run: async (c) => runSync(c),
    close: async () => {},
  };
}

function toAnswer(a: LookupAnswer): DecoderAnswer {
  return a.kind === 'hit' ? { line: a.line, nameOffset: a.nameAt } : null;
}

/**
 * builtin:reference is the oracle itself (conformance/reference-decoders.ts: the layout's
 * lookup-only read, readForLookup, then the strict lookup of every query). In the fuzz loop it runs as exactly
 * that, through the oracle's Reference, and hands the Reference it built to the judge, so the
 * structural read is done once per case instead of twice (once as the target, once as the
 * oracle). Findings are confirmed by the conformance suite's referenceDecoder itself on the
 * exact guarded view (runStrict); a test checks that both give the same answers.
 */
function referenceTarget(dut: DecoderUnderTest): LoadedTarget {
  // the reference keeps nothing of the view past the call (its answers are computed before it
  // returns, and the Reference holds the case's own bytes), so views can be recycled
  const views = new FastViewPool();
  const runSync = (c: DecoderCase): FuzzOutcome => {
    const view = views.take(c.section);
    try {
      const layout = layoutById(c.layout);
      const reference = new Reference(layout, c.endian, c.section, undefined, readForLookup(layout, view, c.endian));
      const wanted = reference.answers(c.queries);
      const answers: DecoderAnswer[] = new Array(wanted.length);
      for (let i = 0; i < wanted.length; i++) answers[i] = toAnswer(wanted[i]!);
      return { kind: 'answers', answers, reference };
    } catch (e) {
      return outcomeOfError(e, c.queries.length);
    } finally {
      views.giveBack(view);
    }
  };
  return {
    name: dut.name,
    layouts: dut.layouts,
    runSync,
    runStrict: (c) => runOn(dut, guardedSection(c.section), c),
    run: async (c) => runSync(c),
    close: async () => {},
  };
}

function kaitaiTarget(): LoadedTarget {
  // the generated parsers read through KaitaiStream (a DataView): the exact Proxy view
  const runSync = (c: DecoderCase): FuzzOutcome => {
    const view = guardedSection(c.section);
    try {
      return { kind: 'parsed', table: kaitaiTable(c.layout, view, c.endian) };
    } catch (e) {
      if (isKaitaiParseError(e)) return { kind: 'parsed', table: null };
      return outcomeOfError(e, c.queries.length);
    }
  };
  return { name: 'kaitai', layouts: [...LAYOUT_IDS], runSync, run: async (c) => runSync(c), close: async () => {} };
}

interface ExternalModule {
  createDriver(spec: DecoderSpec): Promise<DecoderDriver>;
}

/** conformance/external (another part of the kit), loaded only for external targets. */
export async function loadExternal(): Promise<ExternalModule> {
  const tried: string[] = [];
  for (const rel of ['../../conformance/external/index.js', '../../../conformance/external/index.js']) {
    const url = new URL(rel, import.meta.url);
    tried.push(url.pathname);
    if (!existsSync(url) && !existsSync(url.pathname.replace(/\.js$/, '.ts'))) continue;
    const mod = (await import(url.href)) as Partial<ExternalModule>;
    if (typeof mod.createDriver === 'function') return mod as ExternalModule;
  }
  throw new UsageError(`external targets (exec:, c:) need conformance/external/index.js exporting createDriver(spec), which is not available (looked at ${tried.join(', ')}); in-process targets (builtin:, module:) work without it`);
}

export async function loadTarget(spec: TargetSpec): Promise<LoadedTarget> {
  switch (spec.kind) {
    case 'kaitai':
      return kaitaiTarget();
    case 'builtin': {
      const ref = await import('../../conformance/reference-decoders.js');
      return spec.name === 'reference' ? referenceTarget(ref.referenceDecoder) : inProcess(ref.kernelV1Decoder);
    }
    case 'module': {
      const mod = (await import(pathToFileURL(spec.path).href)) as Record<string, unknown>;
      const dut = mod[spec.exportName] as Partial<DecoderUnderTest> | undefined;
      if (!dut || typeof dut.decode !== 'function' || !Array.isArray(dut.layouts)) {
        throw new UsageError(`module ${spec.path} does not export a DecoderUnderTest as "${spec.exportName}" (an object with name, layouts and decode)`);
      }
      return inProcess({ name: dut.name ?? spec.path, layouts: dut.layouts, decode: dut.decode.bind(dut) });
    }
    case 'exec':
    case 'c': {
      const ext = await loadExternal();
      const driver = await ext.createDriver(spec);
      return {
        name: driver.name,
        layouts: driver.layouts,
        run: (c) => driver.run(c),
        close: () => driver.close(),
      };
    }
  }
}

/**
 * The validator against hostile input, seeded and replayable.
 *
 *  (a) >= 100,000 mutated sections: for every layout and byte order, encoded random tables and
 *      rule-breaker outputs are mutated (bit flips; u32 fields set to 0, 1, 2^31-1, 2^31, 2^32-1;
 *      pairs of counts whose u32 sums/products wrap; truncation at and inside every field
 *      boundary; 0x80 runs; byte inserts/deletes; splices of two sections) and run through the
 *      validator core in-process (layout.read, detectLayout, tableFindings, the LI-DWF-001
 *      comparison), each case the three ways validate runs it (layout given; detected in the
 *      container; detected over every layout and byte order). No exception, every finding names a
 *      catalogue rule and lies inside the section, each validation < 200 ms (a slow one is timed
 *      again, best of 3 by wall clock and CPU time, so a busy machine does not fail it; the 1.1 MB
 *      65536-file sections get 200 ms per 256 KiB). vmlinux images are read with the symbol offsets
 *      the ELF loader can hand over (inside the image); a separate case set passes offsets past
 *      the image end, which only a direct Layout.read caller can.
 *  (b) >= 10,000 mutated ELF files (ELF header, section headers, symbol table, string tables, the
 *      table's bytes, truncation) through validateFile (every 4th with --dwarf): never throws, a
 *      known status, unreadable files have a one-line problem and an offset inside the file where
 *      there is one, diagnostics inside the section.
 *  (c) headers claiming 2^32-1 entries, blocks or files: validation is quick and small (RSS).
 *
 * Replay: the seed and the case index are printed with every failure.
 *   HOSTILE_SEED=<seed> HOSTILE_CASE=<index> npx mocha --no-config --node-option import=tsx \
 *     test/validate-hostile.test.ts --grep 'mutated sections'   (or HOSTILE_ELF_CASE=<index> --grep ELF)
 * HOSTILE_SECTIONS / HOSTILE_ELFS change the number of cases.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseElf } from '../tools/elf/elf-file.js';
import type { ElfFile } from '../tools/elf/elf-file.js';
import { ehdrFieldOffsets, shdrFieldOffsets } from '../tools/elf/elf-writer.js';
import { embedSection } from '../tools/elf/elf-embed.js';
import { ENDIANS } from '../tools/format/endian.js';
import type { Endian } from '../tools/format/endian.js';
import { normaliseEntries } from '../tools/model/line-table.js';
import type { LineTable } from '../tools/model/line-table.js';
import { RULE_BREAKERS } from '../tools/mutate/rule-breakers.js';
import { detectLayout } from '../tools/revisions/detect.js';
import type { Finding, Layout, SectionModel, SymbolOffsets } from '../tools/revisions/layout.js';
import { LAYOUTS, layoutById } from '../tools/revisions/registry.js';
import { ruleById } from '../tools/rules/catalogue.js';
import type { ModuleContainerFacts } from '../tools/validate/container-rules.js';
import { checkAgainstDwarf } from '../tools/validate/dwarf-crosscheck.js';
import { tableFindings } from '../tools/validate/validate-table.js';
import { validateFile } from '../tools/validate/validate-file.js';
import type { FileReport } from '../tools/validate/validate-file.js';
import { REPO } from './support/cli.js';
import { randomTable, rng } from './support/random-tables.js';
import { extremeTable, oddNamesTable, tableWithEntries } from './support/table-set.js';
import { tempDir } from './support/tmp.js';

const envInt = (name: string): number | undefined => {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name}=${v} is not a non-negative integer`);
  return n;
};

const SEED = (envInt('HOSTILE_SEED') ?? 0x11fe2026) >>> 0;
const SECTION_CASES = envInt('HOSTILE_SECTIONS') ?? 110_000;
const ELF_CASES = envInt('HOSTILE_ELFS') ?? 10_000;
const ONLY_SECTION_CASE = envInt('HOSTILE_CASE');
const ONLY_ELF_CASE = envInt('HOSTILE_ELF_CASE');
/** Every 4th ELF file is validated with --dwarf too (the DWARF reader on hostile objects); HOSTILE_DWARF=0 turns that off. */
const WITH_DWARF = process.env.HOSTILE_DWARF !== '0';
const CASE_MS = 200;
/**
 * Time limit of one validation: 200 ms, and for the few sections above 256 KiB (the 65536-file
 * rule-breaker output, 1.1 MB) 200 ms per 256 KiB, since every read is linear in the bytes.
 */
const limitMs = (size: number): number => CASE_MS * Math.max(1, size / (256 * 1024));

type Rng = () => number;

/** murmur3's finaliser: decorrelates (seed, index) into one 32-bit case seed. */
function mix(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const int = (r: Rng, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)]!;
const hexOf = (x: number): string => `0x${x.toString(16)}`;

const SPECIAL_U32 = [0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff] as const;

function setU32(b: Uint8Array, at: number, value: number, le: boolean): void {
  if (at < 0 || at + 4 > b.length) return;
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(at, value >>> 0, le);
}

function getU32(b: Uint8Array, at: number, le: boolean): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, le);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A finding's byte range must lie inside the section; an empty range may sit at its end. */
function rangeProblem(f: Finding, size: number): string | null {
  const { offset, length } = f;
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    return `${f.rule} ${f.field}: bad range offset=${offset} length=${length}`;
  }
  if (length > 0 ? offset + length > size : offset > size) {
    return `${f.rule} ${f.field}: range ${hexOf(offset)}+${length} outside the ${size}-byte section ("${f.message}")`;
  }
  return null;
}

function findingProblems(findings: readonly Finding[], size: number, where: string): string[] {
  const out: string[] = [];
  for (const f of findings) {
    try {
      ruleById(f.rule);
    } catch {
      out.push(`${where}: unknown rule ${f.rule} (${f.field})`);
      continue;
    }
    const p = rangeProblem(f, size);
    if (p) out.push(`${where}: ${p}`);
  }
  return out;
}

function describeError(e: unknown): string {
  if (!(e instanceof Error)) return `threw ${String(e)}`;
  const frame = (e.stack ?? '').split('\n').find((l) => l.includes('/tools/')) ?? '';
  return `threw ${e.name}: ${e.message.split('\n')[0]}${frame ? ` ${frame.trim()}` : ''}`;
}

/** Failures grouped by a signature (the problem with numbers masked), first example of each kept. */
class Failures {
  private readonly groups = new Map<string, { count: number; first: string }>();
  total = 0;

  constructor(
    private readonly part: string,
    private readonly replay: (index: number) => string,
    private readonly dumpDir: string,
  ) {}

  add(index: number, caseSeed: number, problem: string, context: string, input?: Uint8Array): void {
    this.total++;
    const sig = problem.replace(/0x[0-9a-f]+|\d+/g, '#').replace(/"[^"]*"/g, '"…"');
    const g = this.groups.get(sig);
    if (g) {
      g.count++;
      return;
    }
    let dumped = '';
    if (input && this.groups.size < 40) {
      mkdirSync(this.dumpDir, { recursive: true });
      const path = join(this.dumpDir, `${this.part}-case-${index}.bin`);
      writeFileSync(path, input);
      dumped = `\n      input: ${path} (${input.length} bytes)${input.length <= 96 ? ` hex ${Buffer.from(input).toString('hex')}` : ''}`;
    }
    this.groups.set(sig, {
      count: 1,
      first: `${problem}\n      seed ${hexOf(SEED)} case ${index} (case seed ${hexOf(caseSeed)}): ${context}${dumped}\n      replay: ${this.replay(index)}`,
    });
  }

  message(cases: number): string {
    const lines = [`${this.total} failure(s) in ${cases} ${this.part} cases, ${this.groups.size} distinct:`];
    const groups = [...this.groups.values()].sort((a, b) => b.count - a.count);
    for (const g of groups.slice(0, 12)) lines.push(`  [${g.count}x] ${g.first}`);
    if (groups.length > 12) lines.push(`  ... and ${groups.length - 12} more distinct failure(s)`);
    return lines.join('\n');
  }
}

const DUMP_DIR = join(tmpdir(), `lineinfo-hostile-failures-${SEED.toString(16)}`);

// =============================================================================================
// (a) sections

interface Base {
  readonly label: string;
  readonly layout: Layout;
  readonly endian: Endian;
  readonly bytes: Uint8Array;
  readonly symbols?: SymbolOffsets;
  readonly facts?: ModuleContainerFacts;
  /** the unmutated section's header fields and regions, where mutations aim */
  readonly model: Pick<SectionModel, 'header' | 'regions'>;
  /** offsets where a field or array starts or ends */
  readonly boundaries: readonly number[];
  /** the 65536-file section: slow to read, used sparingly */
  readonly heavy: boolean;
  /** the table it was made from: what `validate --dwarf` would derive from the object (LI-DWF-001) */
  readonly table: LineTable;
}

/** Valid tables with >= 3 entries and >= 2 files, every file referenced (what breakers expect). */
function breakerTable(seed: number, n: number): LineTable {
  for (let s = seed; ; s += 101) {
    const t = tableWithEntries(s, n, 6);
    const used = [...new Set(t.entries.map((e) => e.fileId))].sort((a, b) => a - b);
    if (t.entries.length < 3 || used.length < 2) continue;
    const remap = new Map(used.map((id, i) => [id, i]));
    return { files: used.map((id) => `dir${id % 3}/file${id}.c`), entries: normaliseEntries(t.entries.map((e) => ({ ...e, fileId: remap.get(e.fileId)! }))) };
  }
}

function boundariesOf(m: SectionModel, size: number): number[] {
  const b = new Set<number>([0, size]);
  for (const h of m.header) b.add(h.offset).add(h.offset + h.size);
  for (const r of m.regions) b.add(r.offset).add(r.offset + r.size);
  const es = m.entries;
  for (const e of [...es.slice(0, 3), ...es.slice(-3)]) {
    b.add(e.at).add(e.at + e.length);
    if (e.fileAt !== undefined) b.add(e.fileAt).add(e.fileAt + 2);
    if (e.lineAt !== undefined) b.add(e.lineAt).add(e.lineAt + 4);
  }
  return [...b].filter((x) => x >= 0 && x <= size).sort((x, y) => x - y);
}

/** Symbol offsets the way the ELF loader would report them for an assembled image. */
function symbolsOf(layout: Layout, m: SectionModel): SymbolOffsets | undefined {
  if (layout.container !== 'vmlinux') return undefined;
  const out: Record<string, number> = {};
  for (const name of layout.symbols ?? []) {
    const at = m.regions.find((r) => r.name === name)?.offset ?? m.header.find((h) => h.name === name)?.offset;
    if (at !== undefined) out[name] = at;
  }
  return out;
}

function makeBase(label: string, layout: Layout, endian: Endian, bytes: Uint8Array, extra: { symbols?: SymbolOffsets; facts?: ModuleContainerFacts; table: LineTable }): Base {
  const model = layout.read(bytes, endian, extra.symbols);
  const symbols = extra.symbols ?? symbolsOf(layout, model);
  return {
    label,
    layout,
    endian,
    bytes,
    model: { header: model.header, regions: model.regions },
    boundaries: boundariesOf(model, bytes.length),
    heavy: bytes.length > 64 * 1024,
    ...(symbols ? { symbols } : {}),
    ...(extra.facts ? { facts: extra.facts } : {}),
    table: extra.table,
  };
}

let cachedBases: Base[] | undefined;

function buildBases(): Base[] {
  cachedBases ??= makeBases();
  return cachedBases;
}

function makeBases(): Base[] {
  const bases: Base[] = [];
  const r = rng(SEED);
  for (const layout of LAYOUTS) {
    for (const endian of ENDIANS) {
      const tables: [string, LineTable][] = [
        ['empty', { files: ['only.c'], entries: [] }],
        ['no files', { files: [], entries: [] }],
        ['one entry', { files: ['init/main.c'], entries: [{ offset: 0x40, fileId: 0, line: 7 }] }],
        ['64 entries', tableWithEntries(5, 64)],
        ['65 entries', tableWithEntries(6, 65)],
        ['129 entries', tableWithEntries(9, 129)],
        ['extreme values', extremeTable()],
        ['odd names', oddNamesTable()],
      ];
      const sizes = [6, 40, 150, 300, 700, 3];
      for (let k = 0; k < 10; k++) tables.push([`random ${k}`, randomTable(mix(SEED, k), sizes[k % sizes.length]!, 1 + int(r, 30))]);
      for (const [label, t] of tables) bases.push(makeBase(`${layout.id}/${endian} table ${label}`, layout, endian, layout.encode(t, endian), { table: t }));
      for (const b of RULE_BREAKERS) {
        if (!b.layouts.includes(layout.id)) continue;
        for (const n of [130, 40]) {
          const ruleSeed = [...b.rule].reduce((h, ch) => Math.imul(h ^ ch.charCodeAt(0), 0x01000193), 0x811c9dc5);
          const table = breakerTable(mix(SEED, n), n);
          const broken = b.make({ layout, endian, table, random: rng(mix(SEED ^ ruleSeed, n)) });
          if (!broken) continue;
          bases.push(
            makeBase(`${layout.id}/${endian} breaker ${b.rule} (${n} entries: ${broken.description})`, layout, endian, broken.bytes, {
              ...(broken.symbols ? { symbols: broken.symbols } : {}),
              ...(broken.container ? { facts: broken.container } : {}),
              table: broken.dwarfTable ?? table,
            }),
          );
        }
      }
    }
  }
  return bases;
}

interface Mutated {
  bytes: Uint8Array;
  ops: string[];
  symbols?: SymbolOffsets;
  facts: ModuleContainerFacts | null;
}

/** Header fields by role, for the wrap-around pairs. */
function fieldAt(base: Base, role: string): { offset: number; value: number } | undefined {
  return base.model.header.find((h) => h.name === role || h.name === `lineinfo_${role}`);
}

function wrapPair(r: Rng, base: Base, b: Uint8Array): string | null {
  const le = base.endian === 'le';
  const f = fieldAt(base, 'num_files');
  const n = fieldAt(base, 'num_entries');
  const s = fieldAt(base, 'filenames_size');
  const nb = fieldAt(base, 'num_blocks');
  const d = fieldAt(base, 'data_size');
  const read = (x: { offset: number }): number => (x.offset + 4 <= b.length ? getU32(b, x.offset, le) : 0);
  const options: (() => string | null)[] = [];
  if (f) options.push(() => (setU32(b, f.offset, read(f) + 0x4000_0000, le), 'num_files += 2^30 (4 * num_files wraps back)'));
  if (nb) options.push(() => (setU32(b, nb.offset, read(nb) + 0x2000_0000, le), 'num_blocks += 2^29 (8 * num_blocks wraps back)'));
  if (nb && d) options.push(() => (setU32(b, nb.offset, 0xffff_ffff, le), setU32(b, d.offset, read(d) + 8, le), 'num_blocks = 2^32-1, data_size += 8 (sum wraps back)'));
  if (n) options.push(() => (setU32(b, n.offset, read(n) + 0x8000_0000, le), 'num_entries += 2^31 (10 * num_entries wraps back)'));
  if (n) options.push(() => (setU32(b, n.offset, pick(r, [0x2aaa_aaab, 0x1999_999a, 0x4000_0001, 0x3333_3334]), le), 'num_entries whose 6x/10x/4x product wraps small'));
  if (s && f) options.push(() => (setU32(b, s.offset, read(s) - 16, le), setU32(b, f.offset, read(f) + 4, le), 'filenames_size -= 16, num_files += 4 (sum unchanged mod 2^32)'));
  if (s && f) options.push(() => (setU32(b, s.offset, read(s) + 0xffff_fff0, le), setU32(b, f.offset, read(f) + 4, le), 'filenames_size += 2^32-16, num_files += 4 (sum wraps back)'));
  if (d && s) options.push(() => (setU32(b, d.offset, read(d) + 0x8000_0000, le), setU32(b, s.offset, read(s) + 0x8000_0000, le), 'data_size and filenames_size += 2^31 (sum wraps back)'));
  if (n && nb) options.push(() => (setU32(b, n.offset, 0xffff_ffff, le), setU32(b, nb.offset, 0x400_0000, le), 'num_entries = 2^32-1 with the matching num_blocks'));
  if (!options.length) return null;
  return pick(r, options)();
}

/**
 * Symbol offsets for a vmlinux image. 'loader': what the ELF loader can hand over (every symbol
 * inside its section, so at most the image size; a file whose symbols point past the section
 * is unreadable), sometimes moved or missing. 'outside': at least one symbol past the image end,
 * which only a direct caller of Layout.read can pass.
 */
function mutateSymbols(r: Rng, given: SymbolOffsets, size: number, mode: 'loader' | 'outside', ops: string[]): SymbolOffsets | undefined {
  const names = Object.keys(given);
  const moved: Record<string, number> = { ...given };
  if (mode === 'outside') {
    const name = pick(r, names);
    moved[name] = pick(r, [size + 1, size + 4, size + 4096, 0xffff_ffff, (given[name] ?? 0) + size]);
    ops.push(`symbol ${name} at ${hexOf(moved[name]!)}, past the ${size}-byte image`);
    return moved;
  }
  if (r() < 0.3) {
    const name = pick(r, names);
    const choice = int(r, 8);
    if (choice === 0) delete moved[name];
    else moved[name] = Math.max(0, [0, size, size - 1, size - 2, size - 3, (given[name] ?? 0) + 1, given[pick(r, names)] ?? 0][choice - 1]!);
    ops.push(choice === 0 ? `symbol ${name} missing` : `symbol ${name} at ${hexOf(moved[name]!)}`);
  }
  if (Object.values(moved).some((at) => at > size)) return undefined; // the loader would not get this far
  return moved;
}

function mutateSection(r: Rng, base: Base, bases: readonly Base[], symbolMode: 'loader' | 'outside' = 'loader'): Mutated {
  let b: Uint8Array = Uint8Array.from(base.bytes);
  const ops: string[] = [];
  const nOps = r() < 0.6 ? 1 : r() < 0.75 ? 2 : 3;
  for (let k = 0; k < nOps; k++) {
    const w = r();
    const len = b.length;
    const pos = (): number => int(r, Math.max(1, len));
    if (w < 0.18) {
      const flips = 1 + int(r, 8);
      for (let i = 0; i < flips && len; i++) b[pos()]! ^= 1 << int(r, 8);
      ops.push(`flip ${flips} bit(s)`);
    } else if (w < 0.36) {
      const header = base.model.header.filter((h) => h.size === 4 && h.offset + 4 <= len);
      const region = base.model.regions.filter((x) => x.size >= 4 && x.offset + 4 <= len);
      let at: number;
      if (header.length && r() < 0.55) at = pick(r, header).offset;
      else if (region.length && r() < 0.8) {
        const reg = pick(r, region);
        const count = Math.floor(reg.size / 4);
        const idx = r() < 0.5 ? int(r, Math.min(3, count)) : r() < 0.5 ? count - 1 - int(r, Math.min(3, count)) : int(r, count);
        at = reg.offset + 4 * idx;
      } else at = int(r, Math.max(1, len - 3));
      const old = at + 4 <= len ? getU32(b, at, base.endian === 'le') : 0;
      const value = r() < 0.7 ? pick(r, SPECIAL_U32) : pick(r, [old + 1, old - 1, len, len + 1, len - 1, Math.floor(r() * 2 ** 32)]);
      const le = r() < 0.85 ? base.endian === 'le' : base.endian !== 'le';
      setU32(b, at, value, le);
      ops.push(`u32 at ${hexOf(at)} = ${hexOf(value >>> 0)}${le !== (base.endian === 'le') ? ' (other byte order)' : ''}`);
    } else if (w < 0.46) {
      const what = wrapPair(r, base, b);
      if (what) ops.push(what);
      else {
        const at = int(r, Math.max(1, len - 3));
        setU32(b, at, 0xffff_ffff, base.endian === 'le');
        ops.push(`u32 at ${hexOf(at)} = 0xffffffff`);
      }
    } else if (w < 0.6) {
      const cut = r() < 0.8 ? Math.max(0, Math.min(len, pick(r, base.boundaries) + int(r, 7) - 3)) : int(r, len + 1);
      b = b.subarray(0, cut);
      ops.push(`truncate to ${cut}`);
    } else if (w < 0.7) {
      const stream = base.model.regions.find((x) => x.kind === 'stream');
      const at = stream && r() < 0.6 ? stream.offset + int(r, Math.max(1, stream.size)) : pos();
      const n = 1 + int(r, 16);
      const fill = r() < 0.8 ? 0x80 : 0xff;
      b.fill(fill, Math.min(at, len), Math.min(at + n, len));
      ops.push(`${hexOf(fill)} run of ${n} at ${hexOf(at)}`);
    } else if (w < 0.78) {
      const at = int(r, len + 1);
      const n = 1 + int(r, 8);
      const kind = int(r, 3);
      const ins = Uint8Array.from({ length: n }, () => (kind === 0 ? int(r, 256) : kind === 1 ? 0 : 0x80));
      b = concat(b.subarray(0, at), ins, b.subarray(at));
      ops.push(`insert ${n} byte(s) at ${hexOf(at)}`);
    } else if (w < 0.86) {
      const at = int(r, len + 1);
      const n = 1 + int(r, 8);
      b = concat(b.subarray(0, at), b.subarray(Math.min(len, at + n)));
      ops.push(`delete ${n} byte(s) at ${hexOf(at)}`);
    } else if (w < 0.94) {
      const light = bases.filter((x) => !x.heavy);
      const sameLayout = light.filter((x) => x.layout === base.layout);
      const other = pick(r, r() < 0.5 && sameLayout.length ? sameLayout : light);
      const a = r() < 0.5 ? pick(r, base.boundaries.filter((x) => x <= len).concat([len])) : int(r, len + 1);
      const c = r() < 0.5 ? pick(r, other.boundaries) : int(r, other.bytes.length + 1);
      b = concat(b.subarray(0, a), other.bytes.subarray(c));
      ops.push(`splice [0, ${a}) + ${other.label} [${c}, end)`);
    } else {
      const at = pos();
      const v = pick(r, [0, 0xff, 0x80, 0x7f, int(r, 256)]);
      if (len) b[at] = v;
      ops.push(`byte at ${hexOf(at)} = ${hexOf(v)}`);
    }
  }
  const symbols = base.symbols ? mutateSymbols(r, base.symbols, b.length, symbolMode, ops) : undefined;
  let facts: ModuleContainerFacts | null = null;
  if (base.layout.container === 'module') {
    facts = base.facts ?? {
      sectionFlags: r() < 0.85 ? 0x2n : 0n,
      addralign: pick(r, [4n, 4n, 8n, 1n, 0n, 2n ** 63n]),
      textSize: r() < 0.3 ? null : pick(r, [0, 1, 0x1d4, int(r, 2 ** 20), 0xffff_ffff]),
    };
  }
  return { bytes: b, ops, ...(symbols ? { symbols } : {}), facts };
}

/**
 * What `validate` runs on one table, in-process, in its three ways: with the layout and byte
 * order given (--revision/--endian; the ELF's symbols for vmlinux), detecting inside the
 * container with the ELF's byte order (an ELF-embedded table), and detecting over every layout
 * and byte order (a raw file). Each is one validation: its findings are checked and it is timed.
 */
type CoreMode = 'given' | 'container' | 'raw';
const CORE_MODES: readonly CoreMode[] = ['given', 'container', 'raw'];

function validateOnce(mode: CoreMode, bytes: Uint8Array, base: Base, symbols: SymbolOffsets | undefined, facts: ModuleContainerFacts | null): string[] {
  const size = bytes.length;
  const resolved = (layout: Layout, endian: Endian, model: SectionModel) => ({ layout, endian, model, detected: true, alsoFits: [] });
  const factsFor = (layout: Layout): ModuleContainerFacts | null => (layout.container === 'module' ? facts : null);
  if (mode === 'given') {
    const model = base.layout.read(bytes, base.endian, symbols);
    const findings = tableFindings(resolved(base.layout, base.endian, model), factsFor(base.layout));
    findings.push(...checkAgainstDwarf(model, base.table)); // --dwarf
    return findingProblems(findings, size, `${base.layout.id}/${base.endian} read`);
  }
  if (mode === 'container') {
    const d = detectLayout(bytes, base.layout.container, { endian: base.endian, ...(symbols ? { symbols } : {}) });
    return findingProblems(tableFindings(resolved(d.best.layout, d.best.endian, d.best.model), factsFor(d.best.layout)), size, `detect ${base.layout.container}/${base.endian} -> ${d.best.layout.id}`);
  }
  const raw = detectLayout(bytes, 'module', { layouts: LAYOUTS });
  const out = findingProblems(tableFindings(resolved(raw.best.layout, raw.best.endian, raw.best.model), null), size, `detect raw -> ${raw.best.layout.id}/${raw.best.endian}`);
  for (const c of raw.fitting) if (c !== raw.best) out.push(...findingProblems(c.model.findings, size, `detect raw, also fitting ${c.layout.id}/${c.endian}`));
  return out;
}

interface SectionCase {
  base: Base;
  bytes: Uint8Array;
  ops: string[];
  symbols?: SymbolOffsets;
  facts: ModuleContainerFacts | null;
  caseSeed: number;
}

/** Case i: first every systematic truncation (every boundary of every base, -2..+2), then random mutations. */
function sectionCases(bases: readonly Base[]) {
  const systematic: { base: number; cut: number }[] = [];
  bases.forEach((b, i) => {
    const cuts = new Set<number>();
    // the 65536-file sections only where a cut is cheap to read (inside the header and arrays)
    const bounds = b.heavy ? b.boundaries.filter((x) => x < 4096) : b.boundaries;
    for (const x of bounds) for (const d of [-2, -1, 0, 1, 2]) if (x + d >= 0 && x + d < b.bytes.length) cuts.add(x + d);
    for (const cut of [...cuts].sort((p, q) => p - q)) systematic.push({ base: i, cut });
  });
  const light = bases.filter((b) => !b.heavy);
  const heavy = bases.filter((b) => b.heavy);
  return {
    systematicCount: systematic.length,
    get(index: number): SectionCase {
      const caseSeed = mix(SEED, index);
      const r = rng(caseSeed);
      if (index < systematic.length) {
        const s = systematic[index]!;
        const base = bases[s.base]!;
        const facts: ModuleContainerFacts | null = base.layout.container === 'module' ? (base.facts ?? { sectionFlags: 0x2n, addralign: 4n, textSize: null }) : null;
        const symbols = base.symbols && r() < 0.5 && Object.values(base.symbols).every((at) => at <= s.cut) ? base.symbols : undefined;
        return { base, bytes: base.bytes.subarray(0, s.cut), ops: [`truncate to ${s.cut} (systematic)`], ...(symbols ? { symbols } : {}), facts, caseSeed };
      }
      const base = heavy.length && r() < 0.0002 ? pick(r, heavy) : pick(r, light);
      const m = mutateSection(r, base, bases);
      return { base, ...m, caseSeed };
    },
    /** vmlinux images read with symbol offsets past the image end (Layout.read's own contract) */
    outside(index: number): SectionCase {
      const caseSeed = mix(SEED ^ 0x0ff1, index);
      const r = rng(caseSeed);
      const base = pick(r, light.filter((b) => b.symbols));
      const m = mutateSection(r, base, bases, 'outside');
      return { base, ...m, caseSeed };
    },
  };
}

/**
 * Runs every case through the three validations. A validation over the time limit is timed again
 * (best of 3), so a moment of a busy machine does not fail it; a slow algorithm still does.
 */
function runSectionCases(indices: readonly number[], get: (i: number) => SectionCase, failures: Failures, verbose: boolean) {
  const perCombo = new Map<string, number>();
  /** total ms per kind of base and validation, to see where the time goes */
  const cost = new Map<string, number>();
  let slowest = { ms: 0, index: -1, mode: '' };
  const once = (mode: CoreMode, c: SectionCase): { problems: string[]; ms: number; cpuMs: number } => {
    const s = performance.now();
    const cpu0 = process.cpuUsage();
    let problems: string[];
    try {
      problems = validateOnce(mode, c.bytes, c.base, c.symbols, c.facts);
    } catch (e) {
      problems = [`${mode}: ${describeError(e)}`];
    }
    const cpu = process.cpuUsage(cpu0);
    return { problems, ms: performance.now() - s, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  for (const i of indices) {
    const c = get(i);
    const ctx = `${c.base.label}; ${c.ops.join('; ')}; ${c.bytes.length} bytes${c.symbols ? `; symbols ${JSON.stringify(c.symbols)}` : ''}`;
    if (verbose) console.log(`case ${i}: ${ctx}\n  hex ${Buffer.from(c.bytes).toString('hex')}`);
    const key = `${c.base.layout.id}/${c.base.endian}`;
    perCombo.set(key, (perCombo.get(key) ?? 0) + 1);
    for (const mode of CORE_MODES) {
      const first = once(mode, c);
      const kind = `${c.base.heavy ? 'heavy' : 'light'} ${mode}`;
      cost.set(kind, (cost.get(kind) ?? 0) + first.ms);
      // Over the limit: time it again, best of 3, by wall clock and by this process's CPU time
      // (other processes on a busy machine stretch the one, not the other).
      let { ms, cpuMs } = first;
      const limit = limitMs(c.bytes.length);
      for (let again = 0; again < 2 && ms > limit && cpuMs > limit; again++) {
        const t = once(mode, c);
        ms = Math.min(ms, t.ms);
        cpuMs = Math.min(cpuMs, t.cpuMs);
      }
      if (ms > slowest.ms) slowest = { ms, index: i, mode };
      const problems = [...first.problems];
      if (ms > limit && cpuMs > limit) problems.push(`${mode}: took ${ms.toFixed(0)} ms, ${cpuMs.toFixed(0)} ms of CPU (best of 3; limit ${limit.toFixed(0)} ms for ${c.bytes.length} bytes)`);
      for (const p of problems) failures.add(i, c.caseSeed, p, ctx, c.bytes);
    }
  }
  return { perCombo, slowest, cost };
}

// =============================================================================================
// (b) ELF files

interface ElfBase {
  readonly label: string;
  readonly bytes: Uint8Array;
  readonly elf: ElfFile;
  /** the table's bytes in the file */
  readonly table: { offset: number; size: number; sectionIndex: number };
  readonly endian: Endian;
}

function elfBase(label: string, bytes: Uint8Array): ElfBase {
  const elf = parseElf(bytes, label);
  let s = elf.sectionByName('.mod_lineinfo');
  if (!s) {
    const sym = elf.findSymbol('lineinfo_num_entries');
    s = sym ? elf.symbolSection(sym) : undefined;
  }
  if (!s) throw new Error(`${label}: no lineinfo table`);
  return { label, bytes, elf, table: { offset: s.offset, size: s.size, sectionIndex: s.index }, endian: elf.endian };
}

/** Assembles the generator's output for a vmlinux layout into an object with lineinfo_* symbols. */
function vmlinuxObject(dir: string, layout: Layout, table: LineTable): Uint8Array | null {
  const src = join(dir, `${layout.id}.s`);
  const obj = join(dir, `${layout.id}.o`);
  writeFileSync(src, layout.emitAsm(table));
  const r = spawnSync('gcc', ['-c', src, '-o', obj], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return new Uint8Array(readFileSync(obj));
}

function writeField(b: Uint8Array, at: number, width: number, value: bigint, le: boolean): void {
  if (at < 0 || at + width > b.length) return;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const x = BigInt.asUintN(width * 8, value);
  if (width === 1) v.setUint8(at, Number(x));
  else if (width === 2) v.setUint16(at, Number(x), le);
  else if (width === 4) v.setUint32(at, Number(x), le);
  else v.setBigUint64(at, x, le);
}

function specialValue(r: Rng, width: number, current: bigint, fileSize: number): bigint {
  const max = (1n << BigInt(width * 8)) - 1n;
  const xs = [0n, 1n, max, max - 1n, current + 1n, current - 1n, current + 8n, current * 2n, BigInt(fileSize), BigInt(fileSize) - 1n, BigInt(fileSize) + 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 1n << 63n, BigInt(int(r, 2 ** 31))];
  return BigInt.asUintN(width * 8, pick(r, xs));
}

function readField(b: Uint8Array, at: number, width: number, le: boolean): bigint {
  if (at < 0 || at + width > b.length) return 0n;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return width === 1 ? BigInt(v.getUint8(at)) : width === 2 ? BigInt(v.getUint16(at, le)) : width === 4 ? BigInt(v.getUint32(at, le)) : v.getBigUint64(at, le);
}

function mutateElf(r: Rng, base: ElfBase): { bytes: Uint8Array; ops: string[] } {
  let b: Uint8Array = Uint8Array.from(base.bytes);
  const ops: string[] = [];
  const elf = base.elf;
  const cls = elf.class;
  const le = base.endian === 'le';
  const word = cls === 64 ? 8 : 4;
  const E = ehdrFieldOffsets(cls);
  const S = shdrFieldOffsets(cls);
  const ehdrFields: [string, number, number][] = [
    ['EI_CLASS', 4, 1], ['EI_DATA', 5, 1], ['EI_VERSION', 6, 1], ['EI_OSABI', 7, 1],
    ['e_type', E.type, 2], ['e_machine', E.type + 2, 2], ['e_version', E.type + 4, 4],
    ['e_phoff', E.phoff, word], ['e_shoff', E.shoff, word], ['e_ehsize', E.ehsize, 2], ['e_phentsize', E.phentsize, 2], ['e_phnum', E.phnum, 2],
    ['e_shentsize', E.shentsize, 2], ['e_shnum', E.shnum, 2], ['e_shstrndx', E.shstrndx, 2],
  ];
  const shdrFields: [string, number, number][] = [
    ['sh_name', S.name, 4], ['sh_type', S.type, 4], ['sh_flags', S.flags, word], ['sh_addr', S.addr, word], ['sh_offset', S.offset, word],
    ['sh_size', S.size, word], ['sh_link', S.link, 4], ['sh_info', S.info, 4], ['sh_addralign', S.addralign, word], ['sh_entsize', S.entsize, word],
  ];
  const symtab = elf.symbolTable();
  const syms = elf.symbols();
  const symFields: [string, number, number][] = cls === 64
    ? [['st_name', 0, 4], ['st_info', 4, 1], ['st_other', 5, 1], ['st_shndx', 6, 2], ['st_value', 8, 8], ['st_size', 16, 8]]
    : [['st_name', 0, 4], ['st_value', 4, 4], ['st_size', 8, 4], ['st_info', 12, 1], ['st_other', 13, 1], ['st_shndx', 14, 2]];
  const named = (name: string) => elf.sectionByName(name);
  const nOps = r() < 0.55 ? 1 : r() < 0.8 ? 2 : 3;
  for (let k = 0; k < nOps; k++) {
    const w = r();
    if (w < 0.12) {
      const [name, at, width] = pick(r, ehdrFields);
      const v = specialValue(r, width, readField(b, at, width, le), b.length);
      writeField(b, at, width, v, le);
      ops.push(`${name} = ${hexOf(Number(BigInt.asUintN(53, v)))}`);
    } else if (w < 0.34) {
      const candidates = [base.table.sectionIndex, base.table.sectionIndex, symtab?.index, named('.strtab')?.index, named('.shstrtab')?.index, named('.text')?.index, 0, int(r, elf.sections.length)];
      const idx = pick(r, candidates) ?? 0;
      const sec = elf.sections[idx]!;
      const [name, off, width] = pick(r, shdrFields);
      const at = sec.headerOffset + off;
      const v = specialValue(r, width, readField(b, at, width, le), b.length);
      writeField(b, at, width, v, le);
      ops.push(`section ${idx} (${sec.name}) ${name} = ${v}`);
    } else if (w < 0.5 && syms.length > 1) {
      const lineinfo = syms.filter((s) => s.name.startsWith('lineinfo_'));
      const sym = lineinfo.length && r() < 0.6 ? pick(r, lineinfo) : pick(r, syms);
      const [name, off, width] = pick(r, symFields);
      const at = sym.entryOffset + off;
      const home = elf.sections[sym.shndx];
      const v = name === 'st_shndx'
        ? BigInt(pick(r, [0, 0xfff1, 0xfff2, 0xffff, 0xff00, elf.sections.length, elf.sections.length + 1, base.table.sectionIndex, symtab?.index ?? 1]))
        : name === 'st_value' && home && r() < 0.5
          ? BigInt(Math.max(0, home.size - int(r, 6))) // at or just before the end of its section
          : specialValue(r, width, readField(b, at, width, le), b.length);
      writeField(b, at, width, v, le);
      ops.push(`symbol ${sym.index} (${sym.name}) ${name} = ${v}`);
    } else if (w < 0.7) {
      // the table's own bytes, in place
      const { offset, size } = base.table;
      const n = 1 + int(r, 4);
      for (let i = 0; i < n && size > 0; i++) {
        const at = offset + int(r, size);
        const c = int(r, 3);
        if (c === 0) b[at]! ^= 1 << int(r, 8);
        else if (c === 1) setU32(b, offset + 4 * int(r, Math.min(8, Math.floor(size / 4))), pick(r, SPECIAL_U32), le);
        else b.fill(0x80, at, Math.min(offset + size, at + 1 + int(r, 12)));
      }
      ops.push(`${n} mutation(s) inside the table bytes`);
    } else if (w < 0.78) {
      const sec = elf.sections[base.table.sectionIndex]!;
      const newSize = r() < 0.7 ? int(r, sec.size + 1) : sec.size + 1 + int(r, 64);
      writeField(b, sec.headerOffset + S.size, word, BigInt(newSize), le);
      ops.push(`table section sh_size = ${newSize}`);
    } else if (w < 0.9) {
      const marks = [E.shoff + word, elf.header.shoff, ...elf.sections.flatMap((s) => [s.headerOffset, s.headerOffset + elf.header.shentsize, s.offset, s.offset + s.size]), base.table.offset + 4, base.table.offset + base.table.size - 1];
      const cut = r() < 0.7 ? Math.max(0, Math.min(b.length, pick(r, marks) + int(r, 5) - 2)) : int(r, b.length);
      b = b.subarray(0, cut);
      ops.push(`truncate to ${cut}`);
    } else if (w < 0.95) {
      const strtabs = [named('.strtab'), named('.shstrtab')].filter((s) => s !== undefined);
      const s = pick(r, strtabs);
      if (s && s.size > 0) {
        const at = s.offset + int(r, s.size);
        b[at] = pick(r, [0, 0x41, 0xff, 0x2f]);
        ops.push(`string table ${s.name} byte at ${hexOf(at)}`);
      }
    } else {
      const n = 1 + int(r, 6);
      for (let i = 0; i < n; i++) b[int(r, b.length)]! ^= 1 << int(r, 8);
      ops.push(`flip ${n} bit(s) anywhere`);
    }
  }
  return { bytes: b, ops };
}

function reportProblems(rep: FileReport, fileSize: number): string[] {
  const out: string[] = [];
  if (!['valid', 'invalid', 'no-table', 'unreadable'].includes(rep.status)) out.push(`status ${rep.status}`);
  if (rep.status === 'unreadable' || rep.status === 'no-table') {
    if (typeof rep.problem !== 'string' || rep.problem.length === 0) out.push(`${rep.status} without a problem`);
    else if (/[\n\r]/.test(rep.problem)) out.push(`${rep.status} problem is not one line: ${JSON.stringify(rep.problem)}`);
    const o = rep.problemOffset;
    if (o !== null && (!Number.isSafeInteger(o) || o < 0 || o > fileSize)) out.push(`problem offset ${o} outside the ${fileSize}-byte file (${rep.problem})`);
    if (rep.diagnostics.length) out.push(`${rep.status} with diagnostics`);
  } else {
    const s = rep.section;
    if (!s) out.push(`${rep.status} without a section`);
    else {
      if (s.fileOffset < 0 || s.fileOffset + s.size > fileSize) out.push(`section ${s.fileOffset}+${s.size} outside the ${fileSize}-byte file`);
      for (const d of rep.diagnostics) {
        try {
          ruleById(d.rule);
        } catch {
          out.push(`unknown rule ${d.rule}`);
          continue;
        }
        const p = rangeProblem(d, s.size);
        if (p) out.push(p);
        if (d.fileOffset !== s.fileOffset + d.offset) out.push(`${d.rule}: fileOffset ${d.fileOffset} != ${s.fileOffset} + ${d.offset}`);
      }
      const hasError = rep.diagnostics.some((d) => d.severity === 'error');
      if (hasError !== (rep.status === 'invalid')) out.push(`status ${rep.status} but ${hasError ? 'an' : 'no'} error`);
    }
  }
  return out;
}

/** A temporary directory in memory (/dev/shm) when there is one: 10,000 files are written. */
function shmDir(prefix: string): { path: string; remove(): void } {
  try {
    const path = mkdtempSync(join('/dev/shm', `lineinfo-${prefix}-`));
    return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
  } catch {
    return tempDir(prefix);
  }
}

// =============================================================================================
// (c) memory

/** A full collection, without needing node --expose-gc on the mocha command line. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Waits (up to a second) until RSS stops moving: two readings 25 ms apart within 1 MiB. */
async function settledRss(): Promise<void> {
  let last = process.memoryUsage.rss();
  for (let i = 0; i < 40; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const now = process.memoryUsage.rss();
    if (Math.abs(now - last) < 2 ** 20) return;
    last = now;
  }
}

/** Runs `fn` while a worker samples the process's RSS every millisecond; returns the peak rise. */
async function peakRss<T>(fn: () => T): Promise<{ value: T; peakDelta: number; sampledDelta: number; delta: number; ms: number }> {
  const shared = new SharedArrayBuffer(16);
  const flag = new Int32Array(shared, 0, 1);
  const peak = new Float64Array(shared, 8, 1);
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const flag = new Int32Array(workerData, 0, 1);
     const peak = new Float64Array(workerData, 8, 1);
     parentPort.postMessage('ready');
     while (Atomics.load(flag, 0) === 0) {
       const r = process.memoryUsage.rss();
       if (r > peak[0]) peak[0] = r;
       Atomics.wait(flag, 0, 0, 1);
     }
     const r = process.memoryUsage.rss();
     if (r > peak[0]) peak[0] = r;`,
    { eval: true, workerData: shared },
  );
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  // Collect the garbage earlier tests left first, and let the collector's background threads
  // finish giving its pages back: otherwise RSS can fall by more than `fn` takes while `fn` runs
  // (after the whole suite, hundreds of MiB), and the rise reads as zero or negative.
  collectGarbage();
  await settledRss();
  const before = process.memoryUsage().rss;
  peak[0] = before;
  const t0 = performance.now();
  const value = fn();
  const ms = performance.now() - t0;
  const after = process.memoryUsage().rss;
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  await new Promise((resolve) => worker.once('exit', resolve));
  return { value, peakDelta: Math.max(peak[0]!, after) - before, sampledDelta: peak[0]! - before, delta: after - before, ms };
}

// =============================================================================================

describe('validator against hostile input', function () {
  this.timeout(600_000);

  it(`sections: ${SECTION_CASES} mutated sections of every layout and byte order through the validator core`, function () {
    const t0 = performance.now();
    const bases = buildBases();
    const cases = sectionCases(bases);
    const total = Math.max(SECTION_CASES, cases.systematicCount);
    const replay = (i: number): string => `HOSTILE_SEED=${SEED} HOSTILE_CASE=${i} npx mocha --no-config --node-option import=tsx --timeout 600000 test/validate-hostile.test.ts --grep 'mutated sections'`;
    const failures = new Failures('section', replay, DUMP_DIR);
    const indices = ONLY_SECTION_CASE !== undefined ? [ONLY_SECTION_CASE] : Array.from({ length: total }, (_, i) => i);
    const { perCombo, slowest, cost } = runSectionCases(indices, (i) => cases.get(i), failures, ONLY_SECTION_CASE !== undefined);
    const elapsed = (performance.now() - t0) / 1000;
    console.log(
      `      ${indices.length} sections (${cases.systematicCount} systematic truncations, ${bases.length} bases) in ${elapsed.toFixed(1)} s; ` +
        `slowest validation ${slowest.ms.toFixed(1)} ms (case ${slowest.index}, ${slowest.mode}); per layout/byte order: ${[...perCombo].map(([k, n]) => `${k} ${n}`).join(', ')}; ` +
        `time by kind: ${[...cost].map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)} s`).join(', ')}; seed ${hexOf(SEED)}`,
    );
    if (ONLY_SECTION_CASE === undefined && process.env.HOSTILE_SECTIONS === undefined) {
      expect(indices.length).to.be.at.least(100_000);
      // every layout and byte order gets at least half of an even share of the cases
      const share = Math.floor(indices.length / (LAYOUTS.length * ENDIANS.length) / 2);
      for (const layout of LAYOUTS) for (const endian of ENDIANS) expect(perCombo.get(`${layout.id}/${endian}`) ?? 0, `${layout.id}/${endian} cases`).to.be.at.least(share);
    }
    if (failures.total) expect.fail(failures.message(indices.length));
  });

  it('sections: vmlinux images read with symbol offsets past the image end (Layout.read called directly)', function () {
    const cases = sectionCases(buildBases());
    const only = envInt('HOSTILE_OUTSIDE_CASE');
    const replay = (i: number): string => `HOSTILE_SEED=${SEED} HOSTILE_OUTSIDE_CASE=${i} npx mocha --no-config --node-option import=tsx --timeout 600000 test/validate-hostile.test.ts --grep 'past the image'`;
    const failures = new Failures('outside-symbols', replay, DUMP_DIR);
    const indices = only !== undefined ? [only] : Array.from({ length: 5_000 }, (_, i) => i);
    runSectionCases(indices, (i) => cases.outside(i), failures, only !== undefined);
    if (failures.total) expect.fail(failures.message(indices.length));
  });

  describe('ELF files', function () {
    let tmp: ReturnType<typeof tempDir>;
    let bases: ElfBase[];

    before(function () {
      tmp = shmDir('hostile-elf');
      const ko = new Uint8Array(readFileSync(join(REPO, 'examples', 'hello.ko')));
      bases = [elfBase('examples/hello.ko', ko)];
      const table = breakerTable(mix(SEED, 7), 150);
      const o = new Uint8Array(readFileSync(join(REPO, 'examples', 'hello.o')));
      bases.push(elfBase('hello.o + v1-flat .mod_lineinfo', embedSection(o, 'hello.o', { name: '.mod_lineinfo', data: layoutById('v1-flat').encode(table, 'le'), flags: 0x2n, addralign: 4 })));
      for (const id of ['vmlinux-v1-flat', 'vmlinux-v1'] as const) {
        const obj = vmlinuxObject(tmp.path, layoutById(id), table);
        if (obj) bases.push(elfBase(`assembled ${id} tables (lineinfo_* symbols)`, obj));
      }
    });
    after(() => tmp?.remove());

    it(`${ELF_CASES} mutated ELF files through validateFile: never throws, a known status, located problems`, function () {
      const t0 = performance.now();
      const replay = (i: number): string => `HOSTILE_SEED=${SEED} HOSTILE_ELF_CASE=${i} npx mocha --no-config --node-option import=tsx --timeout 600000 test/validate-hostile.test.ts --grep ELF`;
      const failures = new Failures('elf', replay, DUMP_DIR);
      const statuses = new Map<string, number>();
      let located = 0;
      let slowest = { ms: 0, index: -1 };
      const indices = ONLY_ELF_CASE !== undefined ? [ONLY_ELF_CASE] : Array.from({ length: ELF_CASES }, (_, i) => i);
      const BATCH = 500;
      for (let start = 0; start < indices.length; start += BATCH) {
        const dir = join(tmp.path, `batch-${start}`);
        mkdirSync(dir, { recursive: true });
        const batch = indices.slice(start, start + BATCH).map((i) => {
          const caseSeed = mix(SEED ^ 0xe1f, i);
          const r = rng(caseSeed);
          // the example module most of the time, the other objects for the other loader paths
          const base = r() < 0.55 ? bases[0]! : pick(r, bases);
          const m = mutateElf(r, base);
          const path = join(dir, `case-${i}.ko`);
          writeFileSync(path, m.bytes);
          return { i, caseSeed, base, path, ...m };
        });
        for (const c of batch) {
          const ctx = `${c.base.label}; ${c.ops.join('; ')}; ${c.bytes.length} bytes`;
          if (ONLY_ELF_CASE !== undefined) console.log(`case ${c.i}: ${ctx} (${c.path})`);
          let problems: string[];
          const s = performance.now();
          const cpu0 = process.cpuUsage();
          try {
            const rep = validateFile(c.path, WITH_DWARF && c.i % 4 === 0 ? { dwarf: true } : {});
            statuses.set(rep.status, (statuses.get(rep.status) ?? 0) + 1);
            if (rep.status === 'unreadable' && rep.problemOffset !== null) located++;
            problems = reportProblems(rep, c.bytes.length);
            if (ONLY_ELF_CASE !== undefined) console.log(JSON.stringify({ ...rep, bytes: undefined, regions: undefined }, null, 1));
          } catch (e) {
            problems = [describeError(e)];
          }
          let ms = performance.now() - s;
          const cpu = process.cpuUsage(cpu0);
          let cpuMs = (cpu.user + cpu.system) / 1000;
          // over the limit: best of 3 by wall clock and CPU time (a busy machine stretches the one)
          for (let again = 0; again < 2 && ms > CASE_MS && cpuMs > CASE_MS; again++) {
            const s2 = performance.now();
            const c2 = process.cpuUsage();
            try {
              validateFile(c.path);
            } catch {
              /* reported above */
            }
            ms = Math.min(ms, performance.now() - s2);
            const u = process.cpuUsage(c2);
            cpuMs = Math.min(cpuMs, (u.user + u.system) / 1000);
          }
          if (ms > slowest.ms) slowest = { ms, index: c.i };
          if (ms > CASE_MS && cpuMs > CASE_MS) problems.push(`took ${ms.toFixed(0)} ms, ${cpuMs.toFixed(0)} ms of CPU (best of 3; limit ${CASE_MS})`);
          for (const p of problems) failures.add(c.i, c.caseSeed, p, ctx, c.bytes);
        }
        rmSync(dir, { recursive: true, force: true });
      }
      const elapsed = (performance.now() - t0) / 1000;
      console.log(
        `      ${indices.length} ELF files from ${bases.length} bases in ${elapsed.toFixed(1)} s; statuses ${[...statuses].map(([k, n]) => `${k} ${n}`).join(', ')}; ` +
          `${located} unreadable with an offset; slowest case ${slowest.index} ${slowest.ms.toFixed(1)} ms; seed ${hexOf(SEED)}`,
      );
      if (ONLY_ELF_CASE === undefined && process.env.HOSTILE_ELFS === undefined) {
        expect(indices.length).to.be.at.least(10_000);
        for (const st of ['valid', 'invalid', 'unreadable']) expect(statuses.get(st) ?? 0, `some mutated files are ${st}`).to.be.greaterThan(0);
      }
      if (failures.total) expect.fail(failures.message(indices.length));
    });
  });

  describe('headers claiming 2^32-1 entries, blocks or files', function () {
    let tmp: ReturnType<typeof tempDir>;
    before(() => {
      tmp = tempDir('hostile-huge');
    });
    after(() => tmp?.remove());

    const variants = (layout: Layout): [string, Record<string, number>][] => {
      const out: [string, Record<string, number>][] = [
        ['2^32-1 entries', { num_entries: 0xffff_ffff }],
        ['2^32-1 files', { num_files: 0xffff_ffff }],
        ['2^32-1 entries and files', { num_entries: 0xffff_ffff, num_files: 0xffff_ffff }],
      ];
      if (layout.id === 'v1' || layout.id === 'vmlinux-v1') {
        out.push(['2^32-1 blocks', { num_blocks: 0xffff_ffff }]);
        out.push(['2^32-1 entries in 2^26 blocks (consistent)', { num_entries: 0xffff_ffff, num_blocks: 0x400_0000 }]);
        out.push(['2^32-1 of everything', { num_entries: 0xffff_ffff, num_blocks: 0xffff_ffff, num_files: 0xffff_ffff }]);
      }
      if (layout.id === 'v1') out.push(['2^32-1 stream bytes and name bytes', { data_size: 0xffff_ffff, filenames_size: 0xffff_ffff }]);
      if (layout.id === 'v1-flat') out.push(['2^32-1 name bytes', { filenames_size: 0xffff_ffff }]);
      return out;
    };

    it('the RSS sampler sees RSS rise by 128 MiB (control)', async function () {
      // Fresh allocations until RSS has risen by 128 MiB: after the heavy tests above, the
      // allocator can serve a first 128 MiB from memory that is already resident, and RSS does
      // not move (seen after the full suite). The sampler's own peak, not the reading after `fn`,
      // must show the rise.
      let risen = 0;
      let allocated = 0;
      const run = await peakRss(() => {
        const start = process.memoryUsage.rss();
        const held: Buffer[] = [];
        while (allocated < 2 ** 30 && process.memoryUsage.rss() - start < 128 * 2 ** 20) {
          held.push(Buffer.alloc(32 * 2 ** 20, 1 + (held.length % 250)));
          allocated += 32 * 2 ** 20;
        }
        risen = process.memoryUsage.rss() - start;
        return held.length;
      });
      const what = `allocated ${allocated / 2 ** 20} MiB, RSS rose ${(risen / 2 ** 20).toFixed(1)} MiB, the sampler saw ${(run.sampledDelta / 2 ** 20).toFixed(1)} MiB`;
      expect(risen, what).to.be.above(100 * 2 ** 20);
      expect(run.sampledDelta, what).to.be.above(risen - 32 * 2 ** 20);
    });

    for (const layout of LAYOUTS) {
      it(`${layout.id}: validate is quick and its RSS stays small`, async function () {
        const table = breakerTable(mix(SEED, 3), 100);
        const rows: string[] = [];
        for (const endian of ENDIANS) {
          for (const [label, fields] of variants(layout)) {
            const bytes = Uint8Array.from(layout.encode(table, endian));
            const m = layout.read(bytes, endian);
            for (const [name, value] of Object.entries(fields)) {
              const f = m.header.find((h) => h.name === name || h.name === `lineinfo_${name}`);
              expect(f, `${layout.id} has a header field ${name}`).to.not.equal(undefined);
              setU32(bytes, f!.offset, value, endian === 'le');
            }
            const path = join(tmp.path, `${layout.id}-${endian}-${label.replace(/\W+/g, '_')}.bin`);
            writeFileSync(path, bytes);
            for (const [how, opts] of [['detected', { raw: true }], ['given', { raw: true, layout: layout.id, endian }]] as const) {
              const run = await peakRss(() => validateFile(path, opts));
              const rep = run.value;
              const what = `${layout.id}/${endian} ${label} (${how})`;
              rows.push(`${what}: ${run.ms.toFixed(1)} ms, RSS +${(run.peakDelta / 2 ** 20).toFixed(1)} MiB peak, status ${rep.status}`);
              expect(reportProblems(rep, bytes.length), what).to.deep.equal([]);
              expect(rep.status, what).to.be.oneOf(['invalid', 'unreadable']);
              if (how === 'given') expect(rep.diagnostics.map((d) => d.rule), what).to.include.oneOf(['LI-LAY-001', 'LI-HDR-004', 'LI-STR-001', 'LI-VML-001', 'LI-BLK-002']);
              expect(run.ms, `${what}: time`).to.be.below(1000);
              expect(run.delta, `${what}: RSS after - before`).to.be.below(64 * 2 ** 20);
              expect(run.peakDelta, `${what}: peak RSS rise`).to.be.below(64 * 2 ** 20);
            }
          }
        }
        console.log(rows.map((r) => `      ${r}`).join('\n'));
      });
    }

    it('an ELF module whose .mod_lineinfo claims 2^32-1 entries and files', async function () {
      const ko = new Uint8Array(readFileSync(join(REPO, 'examples', 'hello.ko')));
      const base = elfBase('hello.ko', ko);
      const data = ko.subarray(base.table.offset, base.table.offset + base.table.size);
      const model = detectLayout(data, 'module', { endian: base.endian }).best.model;
      for (const fields of [['num_entries'], ['num_files'], ['num_blocks'], ['num_entries', 'num_files', 'num_blocks', 'data_size', 'filenames_size']]) {
        const bytes = Uint8Array.from(ko);
        for (const name of fields) {
          const f = model.header.find((h) => h.name === name);
          if (f) setU32(bytes, base.table.offset + f.offset, 0xffff_ffff, base.endian === 'le');
        }
        const path = join(tmp.path, `hello-${fields.join('-')}.ko`);
        writeFileSync(path, bytes);
        const run = await peakRss(() => validateFile(path));
        const what = `hello.ko with ${fields.join(', ')} = 2^32-1`;
        console.log(`      ${what}: ${run.ms.toFixed(1)} ms, RSS +${(run.peakDelta / 2 ** 20).toFixed(1)} MiB peak, status ${run.value.status}`);
        expect(reportProblems(run.value, bytes.length), what).to.deep.equal([]);
        expect(run.value.status, what).to.equal('invalid');
        expect(run.ms, what).to.be.below(1000);
        expect(run.delta, what).to.be.below(64 * 2 ** 20);
        expect(run.peakDelta, what).to.be.below(64 * 2 ** 20);
      }
    });
  });
});

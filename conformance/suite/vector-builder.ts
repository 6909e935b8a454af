/**
 * Builds the conformance vector catalogue (conformance/vectors/) from scratch, deterministically:
 * the same code always gives the same bytes and the same manifest. `npm run vectors` writes it,
 * `npm run vectors:check` compares it with the committed copy.
 *
 * Every vector is checked while it is built:
 *  - the reference reader decides whether it is valid (no MUST rule broken) or malformed, and a
 *    vector meant to break a rule must really break it;
 *  - valid vectors carry the reference answers, and the v1 kernel algorithm must agree with them
 *    exactly (spec/FORMAT.md: both reference lookups agree on valid tables);
 *  - malformed vectors record what the v1 kernel algorithm does. A vector names a memory-safety
 *    weakness class (W7, W8, W10, W11, W12) exactly when the kernel algorithm reads outside the
 *    section, or returns a name not terminated inside the name table, on one of its queries; the
 *    class is derived from where that happens, and a class declared by hand must agree.
 */
import type { Endian } from '../../tools/format/endian.js';
import { ENDIANS } from '../../tools/format/endian.js';
import { writeUleb128 } from '../../tools/format/leb128.js';
import type { LineTable } from '../../tools/model/line-table.js';
import { RULE_BREAKERS } from '../../tools/mutate/rule-breakers.js';
import type { VarintHook } from '../../tools/revisions/block-stream.js';
import { replaceVarint } from '../../tools/revisions/block-stream.js';
import type { Layout, SectionModel } from '../../tools/revisions/layout.js';
import type { LayoutId } from '../../tools/revisions/layout-id.js';
import { LAYOUTS } from '../../tools/revisions/registry.js';
import { DEFAULT_ANCHOR, encodeBlob } from '../../tools/revisions/sectioned-blob.js';
import type { BlobInput } from '../../tools/revisions/sectioned-blob.js';
import { RULES, ruleById } from '../../tools/rules/catalogue.js';
import type { DecoderAnswer, DecoderQuery } from '../decoder-interface.js';
import type { CaseOutcome } from '../driver.js';
import { referenceDecoder } from '../reference-decoders.js';
import { judge, nameTablesOf } from './judge.js';
import type { ExcludedRule, ExpectedAnswer, KernelBehaviour, VectorEntry, VectorManifest } from './manifest.js';
import { MANIFEST_FORMAT, MANIFEST_VERSION, sha256 } from './manifest.js';
import { seededRandom, seedOf } from './random.js';
import { buildTable, edgeQueries, U32_MAX } from './tables.js';
import { entryObjects } from '../../tools/model/line-table.js';
import type { TableShape } from './tables.js';

/**
 * Weakness classes about memory safety: the v1 kernel reads outside the section (or hands printk
 * a name that runs past the name table). A malformed vector lists one of them exactly when the
 * v1 kernel algorithm shows it on that vector.
 */
export const KERNEL_UNSAFE_WEAKNESSES: readonly string[] = ['W7', 'W8', 'W10', 'W11', 'W12'];

/**
 * Rules without section vectors: those about the container (ELF file), not the bytes, and
 * LI-HDR-005, whose breaking tables are too large for the catalogue.
 */
export const EXCLUDED_RULES: readonly ExcludedRule[] = [
  { rule: 'LI-ALN-002', reason: 'container-level: the alignment a .mod_lineinfo section header asks for (sh_addralign) is not part of the section bytes; checked by lineinfo validate on ELF files' },
  { rule: 'LI-ELF-001', reason: 'container-level: SHF_ALLOC is a flag of the ELF section header, not part of the section bytes; checked by lineinfo validate on ELF files' },
  { rule: 'LI-ELF-002', reason: 'container-level: needs the size of the module\'s .text section from the ELF file; checked by lineinfo validate on ELF files' },
  { rule: 'LI-DWF-001', reason: 'container-level: needs the object\'s own DWARF to compare against; checked by lineinfo validate --dwarf' },
  { rule: 'LI-HDR-005', reason: 'size: a table breaking it needs at least 65536 file offsets (256 KiB) on top of its names, which would double the catalogue; v1/valid/max-files-65535-le covers the largest file count and ids that stay valid (SHOULD rule: breaking it leaves the table valid)' },
  { rule: 'LI-SEC-006', reason: 'container-level: the anchors of a .ko are filled in by its ELF relocations (.rela.mod_lineinfo / .rel.mod_lineinfo), which are not part of the section bytes; checked by lineinfo validate on ELF files' },
  { rule: 'LI-SEC-007', reason: 'container-level: needs the ELF class of the module around the blob; checked by lineinfo validate on ELF files' },
  { rule: 'LI-VML-001', reason: 'container-level: symbol positions come from the ELF symbol table; a raw table image (what decoders are given) has derived positions, which cannot break this rule' },
];

const EXCLUDED = new Set(EXCLUDED_RULES.map((r) => r.rule));

/** Queries per malformed vector (edge queries first; weakness vectors add their own). */
const MALFORMED_QUERIES = 24;

/** Malformed variants kept per (rule, layout, byte order). */
const VARIANTS_PER_RULE = 3;

export interface BuiltCatalogue {
  readonly manifest: VectorManifest;
  /** vector files by path relative to the vectors directory */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

interface VectorSpec {
  readonly layout: Layout;
  readonly endian: Endian;
  readonly group: string;
  readonly name: string;
  readonly description: string;
  readonly bytes: Uint8Array;
  readonly queries: readonly DecoderQuery[];
  readonly kind: 'valid' | 'malformed';
  /** weakness classes declared by construction (memory-safety ones are re-derived and checked) */
  readonly weaknesses?: readonly string[];
  /** the rule the vector must break (it is skipped when the reader does not report it) */
  readonly rule?: string;
}

function slug(text: string, max = 48): string {
  const s = text
    .toLowerCase()
    .replace(/\[(\d+)\]/g, '$1')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (s.length <= max) return s;
  const cut = s.slice(0, max);
  return cut.slice(0, Math.max(cut.lastIndexOf('-'), 16)).replace(/-+$/, '');
}

function setU32(bytes: Uint8Array, at: number, value: number, endian: Endian): Uint8Array {
  const out = Uint8Array.from(bytes);
  new DataView(out.buffer).setUint32(at, value >>> 0, endian === 'le');
  return out;
}

function setU16(bytes: Uint8Array, at: number, value: number, endian: Endian): Uint8Array {
  const out = Uint8Array.from(bytes);
  new DataView(out.buffer).setUint16(at, value & 0xffff, endian === 'le');
  return out;
}

function getU32(bytes: Uint8Array, at: number, endian: Endian): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, endian === 'le');
}

function region(m: SectionModel, name: string): { offset: number; size: number } {
  const r = m.regions.find((x) => x.name === name || x.name === `lineinfo_${name}`);
  if (!r) throw new Error(`${m.layout}: no region ${name}`);
  return r;
}

function headerOffset(m: SectionModel, name: string): number {
  const f = m.header.find((h) => h.name === name || h.name === `lineinfo_${name}`);
  if (!f) throw new Error(`${m.layout}: no header field ${name}`);
  return f.offset;
}

function uleb(value: number): number[] {
  const out: number[] = [];
  writeUleb128((b) => out.push(b), value);
  return out;
}

function mustRules(rules: readonly string[]): string[] {
  return rules.filter((r) => ruleById(r).level === 'MUST');
}

/** The v1 kernel algorithm on every query, as a decoder outcome (faults are out-of-bounds). */
function kernelOutcome(layout: Layout, bytes: Uint8Array, endian: Endian, queries: readonly DecoderQuery[]): { outcome: CaseOutcome; query: number } {
  const answers: DecoderAnswer[] = [];
  for (let i = 0; i < queries.length; i++) {
    const q = queries[i]!;
    const a = layout.lookupKernel(bytes, endian, q.symbolStart === undefined ? { offset: q.offset } : { offset: q.offset, symbolStart: q.symbolStart });
    if (a.kind === 'fault') return { outcome: { kind: 'out-of-bounds', offset: a.offset, detail: a.reason }, query: i };
    answers.push(a.kind === 'hit' ? { line: a.line, nameOffset: a.nameAt } : null);
  }
  return { outcome: { kind: 'answers', answers }, query: -1 };
}

/**
 * Which memory-safety weakness a kernel failure shows, from where it happens (the layout's
 * traits, never its id, decide):
 *  - module tables: the header describes more than the section (the reader reports
 *    LI-LAY-001), yet the kernel's u32 size check passed (W10); a name without NUL inside the
 *    name table (W12); a stream read past the data through a block end that is not clamped to
 *    data_size (W11);
 *  - vmlinux tables: a name unterminated inside the image (W12); a read of the last block when
 *    no stream size is stored, its end being UINT_MAX (W7, vmlinux-v1); a block read up to the
 *    next block's offset past lineinfo_data_size (W11, vmlinux-v2: not clamped before v3);
 *    anything else W8: vmlinux tables are trusted (v1 bounds nothing, not even name offsets;
 *    from v2 on name offsets and the stream end are bounded, counts and positions still not).
 */
function attributeKernelFailure(layout: Layout, bytes: Uint8Array, endian: Endian, q: DecoderQuery, outcome: CaseOutcome): string {
  const nameFault = outcome.kind === 'out-of-bounds' && /^file name at/.test(outcome.detail);
  const traits = layout.traits;
  if (layout.container === 'module') {
    if (layout.read(bytes, endian).findings.some((f) => f.rule === 'LI-LAY-001')) return 'W10';
    if (outcome.kind === 'answers' || nameFault) return 'W12';
    if (traits.entries === 'blocks') return 'W11';
    throw new Error(`${layout.id}: kernel fault not attributable: ${JSON.stringify(outcome)}`);
  }
  if (outcome.kind === 'answers') return 'W12';
  if (nameFault) return outcome.kind === 'out-of-bounds' && outcome.offset !== null && outcome.offset < bytes.length ? 'W12' : 'W8';
  if (traits.entries === 'blocks' && bytes.length >= 12) {
    const b = getU32(bytes, 8, endian);
    if (12 + 8 * b <= bytes.length && b > 0) {
      let low = 0;
      let high = b;
      while (low < high) {
        const mid = low + Math.floor((high - low) / 2);
        if (getU32(bytes, 12 + 4 * mid, endian) <= q.offset) low = mid + 1;
        else high = mid;
      }
      if (low === b && !traits.streamSize) return 'W7';
      if (low > 0 && low < b && traits.streamSize && 16 + 8 * b <= bytes.length) {
        const next = getU32(bytes, 12 + 4 * b + 4 * low, endian);
        if (next > getU32(bytes, 12 + 8 * b, endian)) return 'W11';
      }
    }
  }
  return 'W8';
}

/**
 * W21: whether the stream holds a file-id or line delta below -2^27, whose SLEB128 form has a
 * fifth byte of 0x78..0x7f: the v3-v6 kernel reader shifts it into an int32 (undefined in C).
 */
function signedShiftOverflows(model: SectionModel): boolean {
  const e = model.entries;
  for (let i = 1; i < e.length; i++) {
    if (i % 64 === 0) continue;
    if (((e[i]!.fileId - e[i - 1]!.fileId) | 0) < -(2 ** 27) || ((e[i]!.line - e[i - 1]!.line) | 0) < -(2 ** 27)) return true;
  }
  return false;
}

function sortWeaknesses(ws: Iterable<string>): string[] {
  return [...new Set(ws)].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
}

class Catalogue {
  readonly entries: VectorEntry[] = [];
  readonly files = new Map<string, Uint8Array>();
  private readonly ids = new Set<string>();

  /** Adds a vector; returns false when it does not break `spec.rule` (the caller tries another). */
  add(spec: VectorSpec): boolean {
    const { layout, endian, bytes, queries } = spec;
    const model = layout.read(bytes, endian);
    const rules = [...new Set(model.findings.map((f) => f.rule))].sort();
    if (spec.rule && !rules.includes(spec.rule)) return false;
    const kind = mustRules(rules).length > 0 || !model.decoded ? 'malformed' : 'valid';
    if (kind !== spec.kind) throw new Error(`${layout.id}/${spec.group}/${spec.name}: expected a ${spec.kind} section, the reader finds it ${kind} (${rules.join(', ')})`);

    const weaknesses = new Set((spec.weaknesses ?? []).filter((w) => !KERNEL_UNSAFE_WEAKNESSES.includes(w)));
    if (rules.includes('LI-HDR-004')) weaknesses.add('W28');
    if (layout.traits.signedShiftOverflow && signedShiftOverflows(model)) weaknesses.add('W21');
    if (spec.group === 'LI-ALN-001') weaknesses.add('W9');
    const declaredUnsafe = (spec.weaknesses ?? []).filter((w) => KERNEL_UNSAFE_WEAKNESSES.includes(w));
    const label = `${layout.id}/${spec.group}/${spec.name}-${endian}`;

    const reference = referenceDecoder.decode(bytes, endian, layout.id, queries);
    const kernel = kernelOutcome(layout, bytes, endian, queries);
    let expected: VectorEntry['expected'];
    let kernelV1: KernelBehaviour | undefined;
    if (kind === 'valid') {
      if (kernel.outcome.kind !== 'answers') throw new Error(`${label}: the kernel algorithm faults on a valid table: ${JSON.stringify(kernel.outcome)}`);
      const answers: ExpectedAnswer[] = reference.map((a, i) => {
        const k = (kernel.outcome as { answers: readonly DecoderAnswer[] }).answers[i] ?? null;
        if (JSON.stringify(a) !== JSON.stringify(k)) throw new Error(`${label}: kernel and reference disagree on query ${i}: ${JSON.stringify(k)} vs ${JSON.stringify(a)}`);
        if (a === null) return null;
        const nul = bytes.indexOf(0, a.nameOffset);
        return { file: new TextDecoder().decode(bytes.subarray(a.nameOffset, nul)), line: a.line, nameOffset: a.nameOffset };
      });
      expected = { answers };
      if (declaredUnsafe.length) throw new Error(`${label}: a valid vector cannot show ${declaredUnsafe.join(', ')}`);
    } else {
      if (reference.some((a) => a !== null)) throw new Error(`${label}: the reference decoder annotates a malformed section`);
      expected = { required: 'safe', recommended: 'no-annotation' };
      const names = nameTablesOf(layout.id, bytes, endian);
      const verdict = judge(bytes, names, queries, { kind: 'malformed' }, kernel.outcome, 'required');
      if (verdict.pass) {
        if (declaredUnsafe.length) throw new Error(`${label}: declared ${declaredUnsafe.join(', ')} but the kernel algorithm stays inside the section on every query`);
        kernelV1 = { outcome: 'safe' };
      } else {
        const qi = kernel.query >= 0 ? kernel.query : verdict.query ?? 0;
        const w = attributeKernelFailure(layout, bytes, endian, queries[qi]!, kernel.outcome);
        if (declaredUnsafe.some((d) => d !== w)) throw new Error(`${label}: declared ${declaredUnsafe.join(', ')} but the kernel failure is ${w}: ${verdict.reason}`);
        weaknesses.add(w);
        kernelV1 = { outcome: verdict.category === 'out-of-bounds' ? 'out-of-bounds' : 'unsafe-answer', detail: verdict.category === 'out-of-bounds' ? `query #${qi}: ${verdict.reason}` : verdict.reason };
      }
    }

    let id = label;
    for (let n = 2; this.ids.has(id); n++) id = `${layout.id}/${spec.group}/${spec.name}-${n}-${endian}`;
    this.ids.add(id);
    const file = `${id}.bin`;
    this.files.set(file, bytes);
    this.entries.push({
      id,
      layout: layout.id,
      endian,
      kind,
      group: spec.group,
      file,
      size: bytes.length,
      sha256: sha256(bytes),
      description: spec.description,
      rules,
      weaknesses: sortWeaknesses(weaknesses),
      queries,
      expected,
      ...(kernelV1 ? { kernelV1 } : {}),
    });
    return true;
  }
}

function tableFor(name: string, shape: TableShape): LineTable {
  return buildTable(seededRandom(seedOf(name)), shape);
}

function queriesFor(name: string, table: LineTable, extra: readonly DecoderQuery[] = [], limit = 48): DecoderQuery[] {
  const qs = edgeQueries(table, seededRandom(seedOf(`q:${name}`)), limit);
  const seen = new Set(qs.map((q) => `${q.offset}/${q.symbolStart ?? ''}`));
  for (const q of extra) {
    const k = `${q.offset}/${q.symbolStart ?? ''}`;
    if (!seen.has(k)) {
      seen.add(k);
      qs.push(q);
    }
  }
  return qs;
}

// ---------------------------------------------------------------------------------------------
// valid vectors

interface ValidCase {
  readonly name: string;
  readonly description: string;
  readonly table: LineTable;
  readonly extra?: readonly DecoderQuery[];
  readonly queries?: readonly DecoderQuery[];
  readonly only?: readonly LayoutId[];
  readonly endians?: readonly Endian[];
}

function validCases(): ValidCase[] {
  const shaped = (name: string, description: string, shape: TableShape): ValidCase => ({ name, description, table: tableFor(name, shape) });
  const cases: ValidCase[] = [
    shaped('one-entry', 'one entry and one file: the smallest useful table (odd entry count: flat layouts pad file ids)', { entries: 1, files: 1 }),
    shaped('two-entries', 'two entries, two files (even entry count: no padding after the flat file ids)', { entries: 2, files: 2 }),
    shaped('three-entries', 'three entries, two files (odd entry count: two bytes of padding after the flat file ids)', { entries: 3, files: 2 }),
    shaped('block-edges-65', '65 entries: one full 64-entry block and a last block of one entry; queries at entries 63, 64 and 65 and the byte before entry 64', { entries: 65, files: 3 }),
    shaped('block-edges-128', '128 entries: two full blocks (the last block is full); queries at every block edge', { entries: 128, files: 4 }),
    shaped('block-edges-191', '191 entries: two full blocks and a short last block of 63 entries; queries at every block edge', { entries: 191, files: 5 }),
    shaped('gaps', '40 entries with large gaps between some of them; queries inside the gaps resolve to the entry before', { entries: 40, files: 3, bigGaps: 0.35 }),
    shaped('many-files', '200 entries over 300 files with frequent file switches (large positive and negative file-id deltas)', { entries: 200, files: 300, fileSwitch: 0.9 }),
  ];

  const extreme: LineTable = {
    files: ['lo/first.c', 'hi/second.c'],
    entries: [
      { offset: 0, fileId: 0, line: 1 },
      { offset: 1, fileId: 1, line: U32_MAX },
      { offset: 0x7fff_ffff, fileId: 0, line: 2 },
      { offset: 0x8000_0000, fileId: 1, line: 0x8000_0000 },
      { offset: 0xffff_fffe, fileId: 1, line: 0x7fff_ffff },
      { offset: U32_MAX, fileId: 0, line: 1 },
    ],
  };
  cases.push({
    name: 'extreme-values',
    description: 'entries at offsets 0, 1, 0x7fffffff, 0x80000000, 0xfffffffe and 0xffffffff with lines 1 and 0xffffffff: 5-byte varints and deltas that wrap as int32',
    table: extreme,
    extra: [{ offset: 2 }, { offset: 0x7fff_fffe }, { offset: 0x8000_0001 }, { offset: 0xffff_fffd }],
  });

  const named: LineTable = (() => {
    const files = ['fs/ext4/inode.c', 'drivers/gpu/drm/\u00fcn\u00efc\u00f6d\u00e9.c', 'dir with space/file "quoted".c', 'back\\slash/x.c', `long/${'n'.repeat(120)}.c`, 'y.c'];
    return tableFor('names-bytes', { entries: 12, files: files.length, names: files });
  })();
  cases.push({ name: 'names-bytes', description: 'file names with UTF-8, spaces, quotes, a backslash, a 127-byte name and a bare basename', table: named });

  const sym = tableFor('symbol-start', { entries: 70, files: 3 });
  const e = sym.entries;
  const symQueries: DecoderQuery[] = [];
  for (const i of [1, 10, 63, 64, 69]) {
    const at = e[i]!.offset;
    const next = i + 1 < e.length ? e[i + 1]!.offset : at + 0x40;
    symQueries.push({ offset: at, symbolStart: at }); // symbol starts at the entry: hit
    symQueries.push({ offset: next - 1, symbolStart: at }); // inside the symbol: hit
    symQueries.push({ offset: next - 1, symbolStart: at + 1 }); // nearest entry before the symbol: none
    symQueries.push({ offset: at, symbolStart: e[i - 1]!.offset }); // symbol started at the previous entry: hit
    symQueries.push({ offset: at, symbolStart: at + 1 }); // symbol start above the offset: none
    symQueries.push({ offset: at, symbolStart: 0 });
  }
  symQueries.push({ offset: e[64]!.offset - 1, symbolStart: e[63]!.offset + 1 }); // block edge: none
  symQueries.push({ offset: e[64]!.offset, symbolStart: e[63]!.offset }); // block edge: hit in block 1
  cases.push({ name: 'symbol-start', description: 'the symbol-start rule: entries before the enclosing symbol\'s start are not used, at entries inside a block and at a block edge', table: sym, queries: dedupe(symQueries) });

  const beyond = tableFor('offsets-beyond-u32', { entries: 10, files: 2 });
  const b0 = beyond.entries[0]!.offset;
  const bl = beyond.entries[beyond.entries.length - 1]!.offset;
  cases.push({
    name: 'offsets-beyond-u32',
    description: 'queries outside [0, 2^32) (-1, 2^32, 2^32 plus an entry offset) must answer none; the same offsets reduced mod 2^32 hit',
    table: beyond,
    queries: [{ offset: -1 }, { offset: 2 ** 32 }, { offset: 2 ** 32 + b0 }, { offset: 2 ** 33 + bl }, { offset: b0 }, { offset: bl }],
  });

  cases.push({ name: 'empty', description: 'no entries and no files (the vmlinux first-pass stub has all counts 0): nothing is ever annotated', table: { files: [], entries: [] }, queries: [{ offset: 0 }, { offset: 0x1000 }, { offset: U32_MAX }] });

  // 65535 files: the generator's limit. Short distinct names keep the vector small.
  const maxFiles = 65535;
  const files = Array.from({ length: maxFiles }, (_, i) => i.toString(36));
  const r = seededRandom(seedOf('max-files'));
  const entries = [] as { offset: number; fileId: number; line: number }[];
  let off = 0x100;
  for (let i = 0; i < 300; i++) {
    off += 1 + Math.floor(r() * 16);
    const fileId = i === 299 ? maxFiles - 1 : i === 0 ? 0 : Math.floor(r() * maxFiles);
    entries.push({ offset: off, fileId, line: 1 + i });
  }
  cases.push({
    name: 'max-files-65535',
    description: '65535 files, the generator\'s limit (file ids up to 65534, name offsets up to the end of a ~300 KB name table)',
    table: { files, entries },
    only: ['v1'],
    endians: ['le'],
  });
  return cases;
}

function dedupe(qs: DecoderQuery[]): DecoderQuery[] {
  const seen = new Set<string>();
  return qs.filter((q) => {
    const k = `${q.offset}/${q.symbolStart ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function addValid(cat: Catalogue, layout: Layout): void {
  for (const c of validCases()) {
    if (c.only && !c.only.includes(layout.id)) continue;
    for (const endian of c.endians ?? ENDIANS) {
      const bytes = layout.encode(c.table, endian);
      const queries = c.queries ?? queriesFor(c.name, c.table, c.extra);
      // W18: a lookup without a symbol bound answers with the previous function's last line
      const w18 = c.name === 'symbol-start' && !layout.traits.symbolBound ? { weaknesses: ['W18'] } : {};
      cat.add({ layout, endian, group: 'valid', name: c.name, description: c.description, bytes, queries, kind: 'valid', ...w18 });
    }
  }
  if (layout.traits.signedShiftOverflow) {
    // W21: line deltas below -2^27 take five SLEB128 bytes whose last one (0x78..0x7f) the v3-v6
    // reader shifts left by 28 as an int32. Valid: the kernel computes the intended value.
    const t: LineTable = {
      files: ['kernel/big.c', 'lib/small.c'],
      entries: [
        { offset: 0x100, fileId: 0, line: 0x9000_0000 },
        { offset: 0x104, fileId: 1, line: 7 },
        { offset: 0x108, fileId: 0, line: 0x7000_0000 },
        { offset: 0x10c, fileId: 1, line: 0x1000_0001 },
        { offset: 0x110, fileId: 0, line: 3 },
      ],
    };
    for (const endian of ENDIANS) {
      cat.add({
        layout, endian, group: 'W21', name: 'sleb128-shift-overflow',
        description: 'line deltas of -0x5fffffff and -0x0ffffffe (and +0x70000007, which wraps from 7 - 0x90000000): 5-byte SLEB128 varints whose fifth byte the v3-v6 kernel shifts into the sign bit of an int32 (undefined in C; the kernel\'s GCC gives the intended value)',
        bytes: layout.encode(t, endian), queries: queriesFor('w21', t, [{ offset: 0x104 }, { offset: 0x10b }, { offset: 0x200 }]), kind: 'valid', weaknesses: ['W21'],
      });
    }
  }
  if (layout.container === 'module' && layout.traits.locate === 'counts' && !layout.traits.filesAligned) {
    // W9: file_offsets[] right after a stream whose size is not a multiple of 4.
    for (const endian of ENDIANS) {
      for (let seed = 1; ; seed++) {
        const t = tableFor(`misaligned-${seed}`, { entries: 20, files: 3 });
        const bytes = layout.encode(t, endian);
        const fo = region(layout.read(bytes, endian), 'file_offsets').offset;
        if (fo % 4 !== (endian === 'le' ? 1 : 3)) continue;
        cat.add({
          layout, endian, group: 'valid', name: 'misaligned-file-offsets',
          description: `file_offsets[] starts at ${fo} (not a multiple of 4) after the stream: valid, but a decoder must not assume aligned u32 loads`,
          bytes, queries: queriesFor('misaligned', t), kind: 'valid', weaknesses: ['W9'],
        });
        break;
      }
    }
  }
}

/** SHOULD rules: the table stays valid, so decoders must still give the reference answers. */
function addShouldRules(cat: Catalogue, layout: Layout): void {
  for (const rule of RULES) {
    if (rule.level !== 'SHOULD' || EXCLUDED.has(rule.id) || !rule.layouts.includes(layout.id)) continue;
    for (const endian of ENDIANS) {
      const breaker = RULE_BREAKERS.find((b) => b.rule === rule.id)!;
      let done = false;
      for (let seed = 1; seed <= 40 && !done; seed++) {
        const tname = `should-${rule.id}-${seed}`;
        const table = tableFor(tname, { entries: seed % 2 ? 71 : 9, files: 3 });
        const broken = breaker.make({ layout, endian, table, random: seededRandom(seedOf(`${tname}/${layout.id}/${endian}`)) });
        if (!broken) continue;
        done = cat.add({
          layout, endian, group: rule.id, name: slug(broken.description),
          description: `${broken.description} (breaks SHOULD rule ${rule.id}; the table stays valid)`,
          bytes: broken.bytes, queries: queriesFor(tname, table), kind: 'valid', rule: rule.id,
        });
      }
      if (!done) throw new Error(`no vector for ${rule.id} in ${layout.id}/${endian}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// malformed vectors through the rule breakers

function addMustRules(cat: Catalogue, layout: Layout): void {
  for (const rule of RULES) {
    if (rule.level !== 'MUST' || EXCLUDED.has(rule.id) || !rule.layouts.includes(layout.id)) continue;
    const breaker = RULE_BREAKERS.find((b) => b.rule === rule.id);
    if (!breaker) throw new Error(`no breaker for ${rule.id}`);
    for (const endian of ENDIANS) {
      const descriptions = new Set<string>();
      const seenBytes = new Set<string>();
      let kept = 0;
      // First pass keeps distinct descriptions; the second fills up with distinct bytes.
      for (const pass of [0, 1]) {
        for (let seed = 1; seed <= 60 && kept < VARIANTS_PER_RULE; seed++) {
          const tname = `${rule.id}-${seed}`;
          const shape: TableShape = [{ entries: 70, files: 3 }, { entries: 150, files: 4 }, { entries: 5, files: 2 }][seed % 3]!;
          const table = tableFor(tname, shape);
          const broken = breaker.make({ layout, endian, table, random: seededRandom(seedOf(`${tname}/${layout.id}/${endian}`)) });
          if (!broken) continue;
          const key = sha256(broken.bytes);
          if (seenBytes.has(key)) continue;
          if (pass === 0 && descriptions.has(broken.description)) continue;
          const ok = cat.add({
            layout, endian, group: rule.id, name: slug(broken.description),
            description: `${broken.description} (rule breaker for ${rule.id}; table of ${table.entries.length} entries, ${table.files.length} files)`,
            bytes: broken.bytes, queries: queriesFor(tname, table, [], MALFORMED_QUERIES), kind: 'malformed', rule: rule.id,
          });
          if (!ok) continue;
          descriptions.add(broken.description);
          seenBytes.add(key);
          kept++;
        }
      }
      if (kept === 0) throw new Error(`no malformed vector for ${rule.id} in ${layout.id}/${endian}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// malformed vectors aimed at decoder weaknesses

interface Weak {
  readonly group: string;
  readonly name: string;
  readonly description: string;
  readonly weaknesses?: readonly string[];
  /** builds the bytes and the queries for one byte order */
  make(endian: Endian): { bytes: Uint8Array; queries: DecoderQuery[] };
}

function weaknessCases(layout: Layout): Weak[] {
  const id = layout.id;
  const tr = layout.traits;
  /** module layouts whose header holds counts (v1-flat, v1, v2), compressed or not */
  const countsModule = tr.container === 'module' && tr.locate === 'counts';
  const countsCompressed = countsModule && tr.entries === 'blocks';
  const enc = (t: LineTable, endian: Endian, h?: VarintHook): Uint8Array => layout.encode(t, endian, h ? { varintHook: h } : {});
  const model = (b: Uint8Array, endian: Endian): SectionModel => layout.read(b, endian);
  const small = tableFor(`weak-${id}-small`, { entries: 9, files: 2 });
  const two = tableFor(`weak-${id}-two`, { entries: 70, files: 2, names: ['a.c', 'b.c'] });
  const q = (name: string, t: LineTable, extra: DecoderQuery[] = []): DecoderQuery[] => queriesFor(`weak-${id}-${name}`, t, extra, MALFORMED_QUERIES);
  const out: Weak[] = [];

  if (countsModule) {
    out.push({
      group: 'W10', name: 'filenames-size-wraps', weaknesses: ['W10'],
      description: 'filenames_size chosen so that (start of names + filenames_size) wraps to 0 in u32: the kernel size check passes, no name offset is ever >= filenames_size, and file_offsets[0] points past the section',
      make(endian) {
        const b = enc(small, endian);
        const m = model(b, endian);
        const names = region(m, 'filenames');
        let out = setU32(b, headerOffset(m, 'filenames_size'), 2 ** 32 - names.offset, endian);
        out = setU32(out, region(m, 'file_offsets').offset, names.size + 64, endian);
        return { bytes: out, queries: q('s-wrap', small) };
      },
    });
  }
  if (countsModule && tr.entries === 'flat') {
    out.push({
      group: 'W10', name: 'entry-count-wraps', weaknesses: ['W10'],
      description: 'num_entries = 2^31 + 9: every array offset (4N, 2N) wraps back to the 9-entry layout, the size check passes, and the binary search reads addrs[] about 4 GiB past the section',
      make(endian) {
        const b = enc(small, endian);
        return { bytes: setU32(b, 0, 0x8000_0000 + small.entries.length, endian), queries: q('n-wrap', small) };
      },
    });
    out.push({
      group: 'W10', name: 'file-count-wraps', weaknesses: ['W10'],
      description: 'num_files = 2^30 + 2 (4F wraps to 8) and file_ids[0] = 0xfffe: the file id passes "id < num_files" and file_offsets[0xfffe] lies past the section',
      make(endian) {
        const b = enc(small, endian);
        const m = model(b, endian);
        let out = setU32(b, headerOffset(m, 'num_files'), 0x4000_0000 + small.files.length, endian);
        out = setU16(out, region(m, 'file_ids').offset, 0xfffe, endian);
        return { bytes: out, queries: q('f-wrap', small) };
      },
    });
  }
  if (countsCompressed) {
    out.push({
      group: 'W10', name: 'block-count-wraps', weaknesses: ['W10'],
      description: 'num_blocks = 2^30 + B (4B and 8B wrap back to the real index size): the size check passes and the binary search over block_addrs[] reads about 2 GiB past the section',
      make(endian) {
        const b = enc(two, endian);
        const m = model(b, endian);
        const at = headerOffset(m, 'num_blocks');
        return { bytes: setU32(b, at, 0x4000_0000 + getU32(b, at, endian), endian), queries: q('b-wrap', two) };
      },
    });
    out.push({
      group: 'W10', name: 'file-count-wraps', weaknesses: ['W10'],
      description: 'num_files = 2^30 + 2 (4F wraps to 8) and the first entry\'s file id is 0x3fffffff: it passes "id < num_files" and file_offsets[id] lies 4 GiB past the section',
      make(endian) {
        const b = enc(small, endian, replaceVarint(0, 0, 'file_id', () => uleb(0x3fff_ffff)));
        const m = model(b, endian);
        return { bytes: setU32(b, headerOffset(m, 'num_files'), 0x4000_0000 + small.files.length, endian), queries: q('f-wrap', small) };
      },
    });
    // W11: block 0's end is block_offsets[1], never clamped to data_size; its bytes never end.
    const gapped = tableFor(`weak-${id}-gapped`, { entries: 70, files: 2, names: ['a.c', 'b.c'] });
    const shifted: LineTable = { files: gapped.files, entries: gapped.entries.map((e, i) => (i >= 64 ? { ...e, offset: e.offset + 0x10_0000 } : e)) };
    for (const [name, end, what] of [
      ['block-end-far-past-section', () => 0xffff_fff0, 'block_offsets[1] = 0xfffffff0'],
      ['block-end-just-past-section', (size: number, dataOff: number) => size - dataOff + 8, 'block_offsets[1] 8 bytes past the end of the section'],
    ] as const) {
      out.push({
        group: 'W11', name, weaknesses: ['W11'],
        description: `${what} and block 0's bytes all 0x80: block 0 is read up to block_offsets[1], not clamped to data_size, and its endless varints run past the section`,
        make(endian) {
          const b = enc(shifted, endian);
          const m = model(b, endian);
          const data = region(m, 'data');
          const offs = region(m, 'block_offsets');
          const block1 = getU32(b, offs.offset + 4, endian);
          let out = setU32(b, offs.offset + 4, end(b.length, data.offset), endian);
          out.fill(0x80, data.offset, data.offset + block1);
          return { bytes: out, queries: q(name, shifted, [{ offset: shifted.entries[64]!.offset - 1 }, { offset: shifted.entries[63]!.offset + 0x8000 }]) };
        },
      });
    }
  }
  if (tr.container === 'module' && tr.locate === 'offset-size') {
    // W10 in v3/v4: the wrapper checks each pair as `offset + size > section size` in u32.
    const wrap = (name: string, what: string, off: string, size: string, extra: (b: Uint8Array, m: SectionModel, endian: Endian) => Uint8Array = (b) => b): Weak => ({
      group: 'W10', name, weaknesses: ['W10'],
      description: `${what}: ${off} + ${size} wraps in u32 to a value inside the section, so the kernel's check passes and it reads about 4 GiB away`,
      make(endian) {
        const b = enc(small, endian);
        const m = model(b, endian);
        const o = headerOffset(m, off);
        const z = headerOffset(m, size);
        const start = getU32(b, o, endian);
        const newStart = 0xffff_ff00;
        let out = setU32(b, o, newStart, endian);
        out = setU32(out, z, getU32(b, z, endian) + (2 ** 32 - newStart) + start, endian);
        return { bytes: extra(out, m, endian), queries: q(name, small) };
      },
    });
    out.push(wrap('blocks-pair-wraps', 'blocks_offset = 0xffffff00 and blocks_size grown by 0x100 + blocks_offset', 'blocks_offset', 'blocks_size'));
    out.push(wrap('data-pair-wraps', 'data_offset = 0xffffff00 and data_size grown by 0x100 + data_offset', 'data_offset', 'data_size'));
    out.push({
      group: 'W10', name: 'filenames-size-wraps', weaknesses: ['W10'],
      description: 'filenames_size = 2^32 - filenames_offset (the pair sums to 0 in u32) and file_offsets[0] past the names: every name offset passes "< filenames_size" and the name is read past the section',
      make(endian) {
        const b = enc(small, endian);
        const m = model(b, endian);
        const names = region(m, 'filenames');
        let out = setU32(b, headerOffset(m, 'filenames_size'), 2 ** 32 - names.offset, endian);
        out = setU32(out, region(m, 'file_offsets').offset, names.size + 64, endian);
        return { bytes: out, queries: q('s-wrap', small) };
      },
    });
  }
  if (tr.container === 'module' && tr.entries === 'blocks' && tr.locate !== 'sectioned') {
    out.push({
      group: 'W12', name: 'all-names-unterminated', weaknesses: ['W12'],
      description: 'every NUL of the name table replaced by "/": names run to the end of the section (the kernel checks only that the name starts inside the table)',
      make(endian) {
        const b = Uint8Array.from(enc(small, endian));
        const names = region(model(b, endian), 'filenames');
        for (let i = names.offset; i < names.offset + names.size; i++) if (b[i] === 0) b[i] = 0x2f;
        return { bytes: b, queries: q('nonul', small) };
      },
    });
    out.push({
      group: 'W28', name: 'entries-above-blocks', weaknesses: ['W28'],
      description: 'num_entries = 64 * num_blocks + 10: the last block is decoded as 64 entries although its bytes hold fewer (reads stop at data_size)',
      make(endian) {
        const b = enc(two, endian);
        return { bytes: setU32(b, 0, 64 * 2 + 10, endian), queries: q('n-above', two) };
      },
    });
    out.push({
      group: 'W28', name: 'entries-below-blocks', weaknesses: ['W28'],
      description: 'num_entries = 60 with three blocks: the last block\'s entry count underflows in u32 and is capped at 64',
      make(endian) {
        const t = tableFor(`weak-${id}-three`, { entries: 150, files: 3 });
        const b = enc(t, endian);
        return { bytes: setU32(b, 0, 60, endian), queries: q('n-below', t) };
      },
    });
    out.push({
      group: 'LI-STR-001', name: 'whole-stream-continuation-bytes',
      description: 'every stream byte is 0x80: no varint ever ends inside its block (the kernel reader stops at each block\'s end)',
      make(endian) {
        const b = enc(two, endian);
        const data = region(model(b, endian), 'data');
        const out = Uint8Array.from(b);
        out.fill(0x80, data.offset, data.offset + data.size);
        return { bytes: out, queries: q('all80', two) };
      },
    });
  }
  if (countsModule && tr.entries === 'flat') {
    out.push({
      group: 'W12', name: 'name-runs-into-trailing-bytes', weaknesses: ['W12'],
      description: 'the last name loses its NUL and the section continues with "yz\\0": the name is terminated inside the section but not inside the name table',
      make(endian) {
        const b = enc(small, endian);
        const out = new Uint8Array(b.length + 3);
        out.set(b);
        out[b.length - 1] = 0x78;
        out.set([0x79, 0x7a, 0], b.length);
        return { bytes: out, queries: q('trail', small) };
      },
    });
  }
  if (tr.container === 'vmlinux' && !tr.namesSize) {
    out.push({
      group: 'W8', name: 'name-offset-far-past-image', weaknesses: ['W8'],
      description: 'file_offsets[0] = 0xfffffff0: the vmlinux kernel never bounds the name offset and reads the name 4 GiB past the name table',
      make(endian) {
        const b = enc(small, endian);
        return { bytes: setU32(b, region(model(b, endian), 'file_offsets').offset, 0xffff_fff0, endian), queries: q('no-far', small) };
      },
    });
  }
  if (tr.container === 'vmlinux') {
    out.push({
      group: 'W12', name: 'all-names-unterminated', weaknesses: ['W12'],
      description: 'every NUL of the name table replaced by "/": names run to the end of the table image',
      make(endian) {
        const b = Uint8Array.from(enc(small, endian));
        const names = region(model(b, endian), 'filenames');
        for (let i = names.offset; i < names.offset + names.size; i++) if (b[i] === 0) b[i] = 0x2f;
        return { bytes: b, queries: q('nonul', small) };
      },
    });
  }
  if (tr.container === 'vmlinux' && tr.entries === 'flat') {
    out.push({
      group: 'W8', name: 'entry-count-past-image', weaknesses: ['W8'],
      description: 'lineinfo_num_entries = 0x100000 in a 9-entry image: the vmlinux kernel trusts the count and its binary search reads far past the image',
      make(endian) {
        const b = enc(small, endian);
        return { bytes: setU32(b, 0, 0x10_0000, endian), queries: q('n-far', small) };
      },
    });
  }
  if (tr.container === 'vmlinux' && tr.entries === 'blocks' && !tr.streamSize) {
    const tiny = tableFor(`weak-${id}-tiny`, { entries: 66, files: 1, names: ['a.c'] });
    out.push({
      group: 'W7', name: 'last-block-shorter-than-count', weaknesses: ['W7'],
      description: 'num_entries = 128 (two full blocks) but the last block\'s bytes hold 2 entries: the last block is read with data_end = UINT_MAX, through the file table and names and past the image',
      make(endian) {
        const b = enc(tiny, endian);
        return { bytes: setU32(b, 0, 128, endian), queries: q('short-last', tiny, [{ offset: U32_MAX }]) };
      },
    });
    out.push({
      group: 'W7', name: 'last-block-offset-past-image', weaknesses: ['W7'],
      description: 'block_offsets[last] = 0x100000: the last block is read from 1 MiB past the stream, with no end and no "pos >= data_end" check',
      make(endian) {
        const b = enc(two, endian);
        const offs = region(model(b, endian), 'block_offsets');
        return { bytes: setU32(b, offs.offset + 4, 0x10_0000, endian), queries: q('last-far', two) };
      },
    });
    out.push({
      group: 'W7', name: 'continuation-bytes-to-image-end', weaknesses: ['W7'],
      description: 'from the last block\'s first byte to the end of the image every byte is 0x80: the last block\'s first varint never ends and the unbounded read leaves the image',
      make(endian) {
        const b = Uint8Array.from(enc(two, endian));
        const m = model(b, endian);
        const data = region(m, 'data');
        const offs = region(m, 'block_offsets');
        b.fill(0x80, data.offset + getU32(b, offs.offset + 4, endian));
        return { bytes: b, queries: q('run80', two) };
      },
    });
    out.push({
      group: 'W28', name: 'entries-above-blocks', weaknesses: ['W28'],
      description: 'num_entries = 64 * num_blocks + 10 with a last block of 6 entries: the last block is decoded as 64 entries, with no end',
      make(endian) {
        const b = enc(two, endian);
        return { bytes: setU32(b, 0, 64 * 2 + 10, endian), queries: q('n-above', two, [{ offset: U32_MAX }]) };
      },
    });
    out.push({
      group: 'W28', name: 'zero-blocks', weaknesses: ['W28'],
      description: 'lineinfo_num_blocks = 0 with 70 entries: the index is empty and every other part is read at the wrong place',
      make(endian) {
        const b = enc(two, endian);
        return { bytes: setU32(b, 8, 0, endian), queries: q('b-zero', two) };
      },
    });
  }
  if (tr.entries === 'blocks' && tr.streamSize && tr.locate !== 'sectioned' && !countsCompressed) {
    // Block 0's end is block_offsets[1]: v2 (vmlinux) uses it as is, so its endless varints run
    // past the image (W11, derived from the kernel algorithm's fault); v3 on clamp it to the
    // stream size, and the same bytes are read safely.
    const gapped = tableFor(`weak-${id}-gapped`, { entries: 70, files: 2, names: ['a.c', 'b.c'] });
    const shifted: LineTable = { files: gapped.files, entries: gapped.entries.map((e, i) => (i >= 64 ? { ...e, offset: e.offset + 0x10_0000 } : e)) };
    out.push({
      group: 'LI-BLK-002', name: 'block-end-far-past-stream',
      description: 'block_offsets[1] = 0xfffffff0 and block 0\'s bytes all 0x80: a kernel that does not clamp block 0\'s end to the stream size (v2) reads its endless varints past the end; v3 on clamp it',
      make(endian) {
        const b = enc(shifted, endian);
        const m = model(b, endian);
        const data = region(m, 'data');
        const offs = region(m, 'block_offsets');
        const block1 = getU32(b, offs.offset + 4, endian);
        const out = setU32(b, offs.offset + 4, 0xffff_fff0, endian);
        out.fill(0x80, data.offset, data.offset + block1);
        return { bytes: out, queries: q('blk-end-far', shifted, [{ offset: shifted.entries[64]!.offset - 1 }, { offset: shifted.entries[63]!.offset + 0x8000 }]) };
      },
    });
  }
  if (tr.entries === 'blocks' && tr.locate !== 'sectioned') {
    out.push({
      group: 'LI-STR-002', name: 'continuation-run-12-bytes',
      description: 'the address delta of entry 1 is a 12-byte varint (a run of 0x80 bytes then 0x00; the kernel keeps the first five groups and skips the rest)',
      make(endian) {
        const b = enc(two, endian, replaceVarint(0, 1, 'addr_delta', (normal) => {
          const out = normal.map((x) => x | 0x80);
          while (out.length < 11) out.push(0x80);
          out.push(0);
          return out;
        }));
        return { bytes: b, queries: q('run12', two) };
      },
    });
    out.push({
      group: 'LI-STR-002', name: 'value-above-u32',
      description: 'the first entry\'s line is ff ff ff ff 7f, a 35-bit value that the kernel truncates to 32 bits',
      make(endian) {
        return { bytes: enc(two, endian, replaceVarint(0, 0, 'line', () => [0xff, 0xff, 0xff, 0xff, 0x7f])), queries: q('big', two) };
      },
    });
    out.push({
      group: 'LI-STR-001', name: 'varint-cut-by-block-end',
      description: 'the last varint of block 0 has its continuation bit set, so it runs into block 1\'s bytes (the kernel reader stops at the block end and uses the partial value)',
      make(endian) {
        return { bytes: enc(two, endian, replaceVarint(0, 63, 'line_delta', (normal) => normal.map((x) => x | 0x80))), queries: q('cut', two) };
      },
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// sectioned blobs (v5 on): several covered sections in one blob, and the generator's defects

/** `.text` and `.exit.text` of one module, 1 MiB apart, sharing the module's file list. */
function twoSectionBlob(name: string): BlobInput {
  const t = tableFor(name, { entries: 90, files: 4 });
  const half = 70;
  const base = t.entries[half]!.offset;
  return {
    files: t.files,
    sections: [
      { name: '.text', size: base, anchor: DEFAULT_ANCHOR, entries: t.entries.slice(0, half) },
      { name: '.exit.text', size: t.entries[t.entries.length - 1]!.offset - base + 0x40, anchor: DEFAULT_ANCHOR + 0x10_0000n,
        entries: t.entries.slice(half).map((e) => ({ ...e, offset: e.offset - base })) },
    ],
  };
}

/** Queries (offsets from descriptor 0's anchor) at and around every entry of every section. */
function blobQueries(blob: BlobInput): DecoderQuery[] {
  const a0 = blob.sections[0]!.anchor;
  const qs: DecoderQuery[] = [{ offset: 0 }];
  for (const s of blob.sections) {
    const base = Number(s.anchor - a0);
    const entries = entryObjects(s.entries);
    const pick = entries.filter((_, i) => i < 3 || i % 17 === 0 || i >= entries.length - 2);
    for (const e of pick) for (const d of [-1, 0, 1]) if (base + e.offset + d >= 0) qs.push({ offset: base + e.offset + d });
    qs.push({ offset: base + s.size - 1 }, { offset: base + s.size }, { offset: base + s.size + 0x100 });
  }
  return dedupe(qs);
}

function addSectioned(cat: Catalogue, layout: Layout): void {
  if (layout.traits.locate !== 'sectioned') return;
  const blob = twoSectionBlob(`sectioned-${layout.id}`);
  const e0 = entryObjects(blob.sections[0]!.entries);
  for (const endian of ENDIANS) {
    cat.add({
      layout, endian, group: 'valid', name: 'two-sections',
      description: '.text and .exit.text in one blob, 1 MiB apart: queries in both, in the gap between them and past each section\'s size',
      bytes: encodeBlob(blob, endian).bytes, queries: blobQueries(blob), kind: 'valid',
    });
    // An unrelocated descriptor (anchor 0) is skipped; queries into where it would be answer none.
    const unrelocated = { ...blob, sections: [blob.sections[0]!, { ...blob.sections[1]!, anchor: 0n }] };
    cat.add({
      layout, endian, group: 'valid', name: 'zero-anchor-skipped',
      description: 'the second descriptor\'s anchor is 0 (left unrelocated): the kernel skips it, so nothing past .text is annotated',
      bytes: encodeBlob(unrelocated, endian).bytes, queries: blobQueries(blob), kind: 'valid',
    });
    // Overlapping ranges: the first covering descriptor answers, even where it has no entry.
    const first = blob.sections[0]!;
    const shadowed = { ...blob, sections: [{ ...blob.sections[1]!, anchor: first.anchor + BigInt(e0[10]!.offset) }, first] };
    cat.add({
      layout, endian, group: 'valid', name: 'first-cover-answers',
      description: 'the first descriptor overlaps the second (LI-SEC-005): every address both cover is answered from the first, none where it has no entry before the address; no fall-through to the second',
      bytes: encodeBlob(shadowed, endian).bytes,
      queries: dedupe([...blobQueries(blob), ...e0.slice(0, 14).map((e) => ({ offset: e.offset - e0[10]!.offset }))].filter((q) => q.offset >= 0)),
      kind: 'valid',
    });
    cat.add({
      layout, endian, group: 'LI-SEC-001', name: 'descriptors-at-offset-4', rule: 'LI-SEC-001', weaknesses: ['W22'],
      description: 'the blob laid out for the v5/v6 C struct on a target whose u64 is 4-aligned (i386): descriptors at offset 4, which a 64-bit or v7 kernel reads at 8',
      bytes: encodeBlob(blob, endian, { descriptorsAt4: true }).bytes, queries: blobQueries(blob), kind: 'malformed',
    });
    const files = blob.files.map((f, i) => (i === 0 && (blob.files.reduce((n, x) => n + x.length + 1, 0) % 4 === 0) ? `${f}x` : f));
    cat.add({
      layout, endian, group: 'LI-SEC-002', name: 'table-label-before-balign', rule: 'LI-SEC-002', weaknesses: ['W23'],
      description: 'the v5-v7 generator\'s label-before-.balign defect: the second table_offset points into the padding before its header, so the kernel reads .exit.text\'s header shifted',
      bytes: encodeBlob({ ...blob, files }, endian, { labelBeforeAlign: true }).bytes, queries: blobQueries(blob), kind: 'malformed',
    });
  }
}

function addWeaknesses(cat: Catalogue, layout: Layout): void {
  for (const w of weaknessCases(layout)) {
    for (const endian of ENDIANS) {
      const { bytes, queries } = w.make(endian);
      cat.add({ layout, endian, group: w.group, name: w.name, description: w.description, bytes, queries, kind: 'malformed', ...(w.weaknesses ? { weaknesses: w.weaknesses } : {}) });
    }
  }
}

export function buildCatalogue(): BuiltCatalogue {
  const cat = new Catalogue();
  for (const layout of LAYOUTS) {
    addValid(cat, layout);
    addShouldRules(cat, layout);
    addMustRules(cat, layout);
    addWeaknesses(cat, layout);
    addSectioned(cat, layout);
  }
  const manifest: VectorManifest = {
    $schema: '../../schemas/vector-manifest.schema.json',
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    description:
      'lineinfo-kit conformance vectors for every layout of spec/FORMAT.md. Valid vectors carry the reference answer of every query; ' +
      'malformed vectors break at least one MUST rule and expect "safe" answers at level required and no annotation at level recommended. ' +
      'Generated by npm run vectors; do not edit by hand.',
    generator: 'conformance/generate-vectors.ts',
    excludedRules: EXCLUDED_RULES,
    vectors: cat.entries,
  };
  return { manifest, files: cat.files };
}

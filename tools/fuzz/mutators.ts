/**
 * Structure-aware mutators. Each takes a valid section (with its table and structural model) and
 * the case's decision stream, and returns a section to feed to the decoder. Mutators that target
 * a rule say which one; a test checks that the validator flags every targeted output with it.
 *
 *  - `break:RULE`        the rule breakers of tools/mutate/rule-breakers.ts, one per rule (MUST
 *                        rules make invalid sections; SHOULD rules valid-but-unusual ones)
 *  - `int-edge:*`        header fields and array elements set to integer edges and Z-relative values
 *  - `u32-wrap`          header field pairs whose u32 size arithmetic wraps back to a plausible end
 *  - `leb:*`             overlong, unterminated and non-minimal LEB128 runs
 *  - `trunc`             truncation at and inside every field
 *  - `names:*`           unterminated, merged, overlapping and out-of-range file names
 *  - `misalign:*`        bytes inserted or deleted at a field boundary, shifting what follows
 *  - `blocks:*`          block offsets past the stream, out of order, overrunning; block addresses
 *                        out of order; num_entries inconsistent with num_blocks
 *  - `havoc`, `splice`   byte-level: flips, interesting values, inserts, deletes, copies; splices
 *                        of two sections
 */
import type { Endian } from '../format/endian.js';
import type { LineTable } from '../model/line-table.js';
import { RULE_BREAKERS } from '../mutate/rule-breakers.js';
import type { RuleBreaker } from '../mutate/rule-breakers.js';
import type { StreamField } from '../revisions/block-stream.js';
import { BLOCK_ENTRIES, replaceVarint } from '../revisions/block-stream.js';
import type { Layout, Region, SectionStructure, SymbolOffsets } from '../revisions/layout.js';
import { LAYOUT_GROUPS } from '../rules/catalogue.js';
import type { LayoutId } from '../revisions/layout-id.js';
import { ruleById } from '../rules/catalogue.js';
import type { ModuleContainerFacts } from '../validate/container-rules.js';
import type { Decisions } from './decisions.js';
import type { TableShape } from './table-gen.js';

export interface MutationInput {
  readonly layout: Layout;
  readonly endian: Endian;
  /** the valid table the section encodes (null for corpus sections that are not valid) */
  readonly table: LineTable | null;
  readonly valid: Uint8Array;
  /** where the fields and arrays of `valid` are */
  readonly structure: SectionStructure;
  readonly d: Decisions;
  /** another valid section of the same layout and byte order, for splicing */
  partner(): Uint8Array;
  /**
   * Per (table, layout, byte order): what a rule breaker made without drawing a decision (see
   * wrapBreaker). Absent for sections that are not cached.
   */
  readonly breakerMemo?: Map<string, Mutation | null>;
}

export interface Mutation {
  readonly bytes: Uint8Array;
  /** the rule this output breaks, when the mutator targets one */
  readonly rule: string | null;
  readonly description: string;
  /** for rules about the module's ELF container (not visible in the bytes) */
  readonly container?: ModuleContainerFacts;
  readonly symbols?: SymbolOffsets;
  readonly dwarfTable?: LineTable;
}

export interface NamedShape extends TableShape {
  readonly key: string;
}

export interface Mutator {
  readonly name: string;
  /** the rule every output targets, when fixed (outputs may also name one per case) */
  readonly rule: string | null;
  readonly layouts: readonly LayoutId[];
  /** relative frequency when fuzzing; 0 = only for tests (e.g. container-only rules) */
  readonly weight: number;
  /** needs the valid table, not only its bytes */
  readonly needsTable: boolean;
  readonly shape?: NamedShape;
  apply(m: MutationInput): Mutation | null;
}

const ALL: readonly LayoutId[] = LAYOUT_GROUPS.all;
const COMPRESSED: readonly LayoutId[] = LAYOUT_GROUPS.compressed;

export const SHAPES = {
  any: { key: 'any' },
  file: { key: 'f1', minFiles: 1 },
  entry: { key: 'e1', minEntries: 1, minFiles: 1 },
  breaker: { key: 'e3f2', minEntries: 3, minFiles: 2 },
  breakerFewFiles: { key: 'e3f2m127', minEntries: 3, minFiles: 2, maxFiles: 127 },
  twoBlocks: { key: 'e65f2', minEntries: 65, minFiles: 2 },
  threeBlocks: { key: 'e129f2', minEntries: 129, minFiles: 2 },
} as const satisfies Record<string, NamedShape>;

// ---------------------------------------------------------------------------------------------
// helpers

function getU32(bytes: Uint8Array, at: number, endian: Endian): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, endian === 'le');
}

function withU32(bytes: Uint8Array, endian: Endian, ...writes: [number, number][]): Uint8Array {
  const out = new Uint8Array(bytes);
  const v = new DataView(out.buffer);
  for (const [at, value] of writes) if (at >= 0 && at + 4 <= out.length) v.setUint32(at, value >>> 0, endian === 'le');
  return out;
}

function putU32(out: Uint8Array, at: number, value: number, endian: Endian): void {
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(at, value >>> 0, endian === 'le');
}

function putU16(out: Uint8Array, at: number, value: number, endian: Endian): void {
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint16(at, value & 0xffff, endian === 'le');
}

function withU16(bytes: Uint8Array, endian: Endian, at: number, value: number): Uint8Array {
  const out = new Uint8Array(bytes);
  if (at >= 0 && at + 2 <= out.length) new DataView(out.buffer).setUint16(at, value & 0xffff, endian === 'le');
  return out;
}

export function headerField(model: SectionStructure, name: string): { offset: number; value: number } | null {
  return model.header.find((h) => h.name === name || h.name === `lineinfo_${name}`) ?? null;
}

export function regionOf(model: SectionStructure, name: string): Region | null {
  return model.regions.find((r) => r.name === name || r.name === `lineinfo_${name}`) ?? null;
}

interface StreamInfo {
  readonly n: number;
  readonly b: number;
  readonly d: number;
  readonly addrsOff: number;
  readonly offsetsOff: number;
  readonly dataOff: number;
}

function streamInfo(m: MutationInput): StreamInfo | null {
  const model = m.structure;
  const n = headerField(model, 'num_entries');
  const b = headerField(model, 'num_blocks');
  if (!n || !b || b.value === 0) return null;
  const addrs = regionOf(model, 'block_addrs');
  const offs = regionOf(model, 'block_offsets');
  const data = regionOf(model, 'data');
  if (!addrs || !offs || !data) return null;
  return { n: n.value, b: b.value, d: data.size, addrsOff: addrs.offset, offsetsOff: offs.offset, dataOff: data.offset };
}

/** entries the kernel decodes in block k */
function blockEntries(s: StreamInfo, k: number): number {
  return k < s.b - 1 ? BLOCK_ENTRIES : Math.max(1, Math.min(BLOCK_ENTRIES, s.n - BLOCK_ENTRIES * k));
}

/**
 * End of a module section's tables: the end of the last array the structural read of the valid
 * section located (for sectioned layouts, the last table's name table). Bytes after it are
 * trailing padding; a section cut below it no longer holds what its header describes.
 */
function moduleEnd(model: SectionStructure): number | null {
  let end: number | null = null;
  for (const r of model.regions) if (r.kind !== 'trailing' && (end === null || r.offset + r.size > end)) end = r.offset + r.size;
  return end;
}

function decodeUleb(bytes: readonly number[]): number {
  let v = 0;
  for (let i = 0; i < bytes.length && i < 5; i++) v += (bytes[i]! & 0x7f) * 2 ** (7 * i);
  return v >>> 0;
}

/** picks a varint of the stream: block, entry inside it, field */
function pickVarint(d: Decisions, s: StreamInfo): { block: number; entry: number; field: StreamField } {
  const block = d.below(s.b);
  const entry = d.below(blockEntries(s, block));
  const fields: StreamField[] = entry === 0 ? ['file_id', 'line'] : ['addr_delta', 'file_delta', 'line_delta'];
  return { block, entry, field: d.pick(fields) };
}

const INTERESTING_32 = [
  0, 1, 2, 3, 4, 7, 8, 15, 16, 63, 64, 65, 127, 128, 255, 256, 0xffff, 0x10000, 0x7fff_ffff, 0x8000_0000, 0x8000_0001,
  0xffff_ffff, 0xffff_fffe, 0xffff_fffc, 0x4000_0000, 0x3fff_ffff, 0x2000_0000, 0x1fff_ffff, 0x1000_0000, 0x0fff_ffff,
];
const INTERESTING_16 = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xfffe, 0xffff];
const INTERESTING_8 = [0, 1, 0x7f, 0x80, 0xff, 0x40, 0x20, 0x0f, 0x10];

/** an integer edge, a value near the section size, or the old value nudged */
function edgeValue(d: Decisions, old: number, size: number): number {
  switch (d.below(4)) {
    case 0:
    case 1:
      return d.pick(INTERESTING_32);
    case 2: {
      const z = [size, size - 1, size + 1, size >>> 1, size >>> 2, size >>> 3, 0x1_0000_0000 - size, size * 2];
      return d.pick(z) >>> 0;
    }
    default:
      return (old + d.int(1, 16) * (d.chance(0.5) ? 1 : -1)) >>> 0;
  }
}

// ---------------------------------------------------------------------------------------------
// wrapped rule breakers

const ELF_ONLY = new Set(['LI-ALN-002', 'LI-ELF-001', 'LI-ELF-002', 'LI-VML-001', 'LI-DWF-001']);

function breakerShape(rule: string): NamedShape {
  // LI-BLK-002's breaker moves block_offsets[1]: in vmlinux-v1 that must not be the last block,
  // whose offset locates the stream's end (moved past the image, the break is LI-STR-001)
  if (rule === 'LI-BLK-002') return SHAPES.threeBlocks;
  if (rule === 'LI-BLK-003' || rule === 'LI-STR-004') return SHAPES.twoBlocks;
  if (rule === 'LI-ENT-002') return SHAPES.breakerFewFiles;
  return SHAPES.breaker;
}

function wrapBreaker(b: RuleBreaker): Mutator {
  const level = ruleById(b.rule).level;
  const weight = ELF_ONLY.has(b.rule) || b.rule === 'LI-HDR-005' ? 0 : level === 'MUST' ? 3 : 1;
  return {
    name: `break:${b.rule}`,
    rule: b.rule,
    layouts: b.layouts,
    weight,
    needsTable: true,
    shape: breakerShape(b.rule),
    apply(m) {
      if (!m.table) return null;
      // A breaker is a pure function of (layout, byte order, table, the values it draws): one
      // that drew nothing makes the same section (or null) every time for this table, so its
      // output is kept with the cached section and handed out again (outputs are never written to).
      const memo = m.breakerMemo;
      if (memo !== undefined) {
        const hit = memo.get(b.rule);
        if (hit !== undefined) return hit;
      }
      let draws = 0;
      const random = (): number => {
        draws++;
        return m.d.real();
      };
      let out: Mutation | null;
      try {
        const r = b.make({ layout: m.layout, endian: m.endian, table: m.table, random, knownStructure: (bytes) => (bytes === m.valid ? m.structure : null) });
        out = r
          ? {
              bytes: r.bytes,
              rule: b.rule,
              description: r.description,
              ...(r.container ? { container: r.container } : {}),
              ...(r.symbols ? { symbols: r.symbols } : {}),
              ...(r.dwarfTable ? { dwarfTable: r.dwarfTable } : {}),
            }
          : null;
      } catch {
        out = null; // the table does not fit the breaker's assumptions
      }
      if (memo !== undefined && draws === 0) memo.set(b.rule, out);
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// hand-written mutators

const none: Mutator = {
  name: 'none',
  rule: null,
  layouts: ALL,
  weight: 6,
  needsTable: false,
  apply: (m) => ({ bytes: m.valid, rule: null, description: 'the valid section as generated' }),
};

const intEdgeHeader: Mutator = {
  name: 'int-edge:header',
  rule: null,
  layouts: ALL,
  weight: 6,
  needsTable: false,
  apply(m) {
    const fields = m.structure.header;
    if (fields.length === 0) return null;
    const f = m.d.pick(fields);
    if (f.size !== 4 || f.offset + 4 > m.valid.length) return null;
    const v = edgeValue(m.d, f.value, m.valid.length);
    return { bytes: withU32(m.valid, m.endian, [f.offset, v]), rule: null, description: `${f.name} ${f.value} -> ${v}` };
  },
};

const ARRAYS = ['addrs', 'file_ids', 'lines', 'file_offsets', 'block_addrs', 'block_offsets'];

const intEdgeArray: Mutator = {
  name: 'int-edge:array',
  rule: null,
  layouts: ALL,
  weight: 6,
  needsTable: false,
  apply(m) {
    const regions = ARRAYS.map((n) => regionOf(m.structure, n)).filter((r): r is Region => r !== null && r.size > 0);
    if (regions.length === 0) return null;
    const r = m.d.pick(regions);
    const name = r.name;
    if (name.endsWith('file_ids')) {
      const i = m.d.below(r.size / 2);
      const f = headerField(m.structure, 'num_files')?.value ?? 0;
      const v = m.d.chance(0.5) ? m.d.pick(INTERESTING_16) : m.d.pick([f, f + 1, f - 1, f + 2]) & 0xffff;
      return { bytes: withU16(m.valid, m.endian, r.offset + 2 * i, v), rule: null, description: `${name}[${i}] -> ${v}` };
    }
    const i = m.d.below(Math.floor(r.size / 4));
    const at = r.offset + 4 * i;
    const v = edgeValue(m.d, getU32(m.valid, at, m.endian), m.valid.length);
    return { bytes: withU32(m.valid, m.endian, [at, v]), rule: null, description: `${name}[${i}] -> ${v}` };
  },
};

const u32Wrap: Mutator = {
  name: 'u32-wrap',
  rule: 'LI-LAY-001',
  layouts: ALL,
  weight: 4,
  needsTable: false,
  apply(m) {
    const g = (n: string) => headerField(m.structure, n);
    const n = g('num_entries');
    const f = g('num_files');
    if (!n || !f) return null;
    const E = m.endian;
    const bytes = m.valid;
    const t = m.layout.traits;
    const options: (() => Mutation | null)[] = [
      () => ({ bytes: withU32(bytes, E, [f.offset, f.value + 0x4000_0000 * m.d.int(1, 3)]), rule: 'LI-LAY-001', description: 'num_files + k*2^30: 4*num_files wraps in u32' }),
    ];
    if (t.entries === 'flat') {
      options.push(() => ({ bytes: withU32(bytes, E, [n.offset, n.value + 0x8000_0000]), rule: 'LI-LAY-001', description: 'num_entries + 2^31: 10*num_entries wraps in u32' }));
    }
    const s = g('filenames_size');
    // module layouts whose arrays follow each other at offsets computed from the counts
    const counted = t.container === 'module' && t.locate === 'counts';
    if (counted && t.entries === 'flat' && s) {
      options.push(() => {
        const a = Math.floor(s.value / 4) + 1 + m.d.below(0x1000_0000);
        return { bytes: withU32(bytes, E, [f.offset, f.value + a], [s.offset, s.value - 4 * a]), rule: 'LI-LAY-001', description: `num_files + ${a}, filenames_size - ${4 * a}: the u32 end is unchanged` };
      });
    }
    const b = g('num_blocks');
    const dsz = g('data_size');
    if (counted && t.entries === 'blocks' && b && dsz && s) {
      options.push(
        () => ({ bytes: withU32(bytes, E, [b.offset, b.value + 0x2000_0000]), rule: 'LI-LAY-001', description: 'num_blocks + 2^29: 8*num_blocks wraps in u32' }),
        () => {
          const x = s.value + 1 + m.d.below(0x1000_0000);
          return { bytes: withU32(bytes, E, [dsz.offset, dsz.value + x], [s.offset, s.value - x]), rule: 'LI-LAY-001', description: `data_size + ${x}, filenames_size - ${x}: the u32 end is unchanged` };
        },
        () => {
          const k = Math.floor(dsz.value / 8) + 1 + m.d.below(1 << 20);
          return { bytes: withU32(bytes, E, [b.offset, b.value + k], [dsz.offset, dsz.value - 8 * k]), rule: 'LI-LAY-001', description: `num_blocks + ${k}, data_size - ${8 * k}: the u32 end is unchanged` };
        },
      );
    }
    if (t.container === 'vmlinux' && t.entries === 'blocks' && b) {
      options.push(() => ({ bytes: withU32(bytes, E, [b.offset, b.value + 0x4000_0000]), rule: 'LI-LAY-001', description: 'num_blocks + 2^30: 4*num_blocks wraps in u32' }));
    }
    return m.d.pick(options)();
  },
};

const lebOverlong: Mutator = {
  name: 'leb:overlong',
  rule: 'LI-STR-002',
  layouts: COMPRESSED,
  weight: 3,
  needsTable: true,
  shape: SHAPES.entry,
  apply(m) {
    const s = streamInfo(m);
    if (!s || !m.table) return null;
    const v = pickVarint(m.d, s);
    // a 5-byte SLEB128 delta holds any int32 (its top bits are sign bits): only a longer run
    // breaks the rule there
    const signedSleb = m.layout.traits.deltas === 'sleb128' && (v.field === 'file_delta' || v.field === 'line_delta');
    const long = m.d.chance(0.5) || signedSleb;
    const len = m.d.int(6, 12);
    const top = 0x10 << m.d.below(3);
    const hook = replaceVarint(v.block, v.entry, v.field, (normal) => {
      if (long) {
        const out = normal.map((x) => x | 0x80);
        while (out.length < len) out.push(0x80);
        out[out.length - 1] = 0;
        return out;
      }
      const value = decodeUleb(normal);
      return [0, 7, 14, 21].map((sh) => ((value >>> sh) & 0x7f) | 0x80).concat([((value >>> 28) & 0x0f) | top]);
    });
    return {
      bytes: m.layout.encode(m.table, m.endian, { varintHook: hook }),
      rule: 'LI-STR-002',
      description: `${long ? `${len}-byte` : '5-byte, value >= 2^32'} varint for block ${v.block} entry ${v.entry} ${v.field}`,
    };
  },
};

const lebUnterminated: Mutator = {
  name: 'leb:unterminated',
  rule: 'LI-STR-001',
  layouts: COMPRESSED,
  weight: 3,
  needsTable: true,
  shape: SHAPES.entry,
  apply(m) {
    const s = streamInfo(m);
    if (!s || !m.table) return null;
    const block = m.d.below(s.b);
    const entry = blockEntries(s, block) - 1;
    const field: StreamField = entry === 0 ? 'line' : 'line_delta';
    const extra = m.d.chance(0.3) ? m.d.int(1, 8) : 0;
    const hook = replaceVarint(block, entry, field, (normal) => normal.map((x) => x | 0x80).concat(Array(extra).fill(0x80)));
    const bytes = m.layout.encode(m.table, m.endian, { varintHook: hook });
    if (!m.layout.traits.streamSize && block === s.b - 1) {
      // the last block has no end but the image's: cut the image after the stream
      return { bytes: bytes.subarray(0, s.dataOff + s.d + extra), rule: 'LI-STR-001', description: 'the image ends inside the last varint of the stream' };
    }
    return { bytes, rule: 'LI-STR-001', description: `the last varint of block ${block} runs past the block's end` };
  },
};

const lebNonMinimal: Mutator = {
  name: 'leb:nonminimal',
  rule: 'LI-STR-003',
  layouts: COMPRESSED,
  weight: 2,
  needsTable: true,
  shape: SHAPES.entry,
  apply(m) {
    const s = streamInfo(m);
    if (!s || !m.table) return null;
    const v = pickVarint(m.d, s);
    const extra = m.d.int(1, 4);
    let len = 0;
    const hook = replaceVarint(v.block, v.entry, v.field, (normal) => {
      // at most 5 bytes: a longer run breaks LI-STR-002 instead
      len = Math.min(5, normal.length + extra);
      if (normal.length >= len) {
        len = 0;
        return normal;
      }
      const out = normal.map((x) => x | 0x80);
      while (out.length < len) out.push(0x80);
      out[out.length - 1] = 0;
      return out;
    });
    const bytes = m.layout.encode(m.table, m.endian, { varintHook: hook });
    if (len === 0) return null;
    return { bytes, rule: 'LI-STR-003', description: `${len}-byte non-minimal varint for block ${v.block} entry ${v.entry} ${v.field}` };
  },
};

const trunc: Mutator = {
  name: 'trunc',
  rule: null,
  layouts: ALL,
  weight: 6,
  needsTable: false,
  apply(m) {
    const z = m.valid.length;
    if (z === 0) return null;
    const points: number[] = [];
    for (const h of m.structure.header) points.push(h.offset, h.offset + 1 + (h.size > 1 ? m.d.below(h.size - 1) : 0));
    for (const r of m.structure.regions) points.push(r.offset, r.offset + m.d.below(Math.max(1, r.size)), r.offset + r.size);
    points.push(z - 1, z - 2, z - 3, 0);
    const cuts = points.filter((p) => p >= 0 && p < z);
    const cut = m.d.pick(cuts);
    const bytes = m.valid.subarray(0, cut);
    let rule: string | null = null;
    if (cut < m.layout.headerSize) rule = 'LI-HDR-001';
    else if (m.layout.container === 'module') {
      const end = moduleEnd(m.structure);
      if (end !== null && cut < end) rule = 'LI-LAY-001';
    }
    return { bytes, rule, description: `cut to ${cut} of ${z} bytes` };
  },
};

function namesInfo(m: MutationInput): { fo: { offset: number; size: number }; names: { offset: number; size: number }; f: number } | null {
  const fo = regionOf(m.structure, 'file_offsets');
  const names = regionOf(m.structure, 'filenames');
  const f = headerField(m.structure, 'num_files')?.value ?? 0;
  if (!fo || !names || f === 0) return null;
  return { fo, names, f };
}

const namesUnterminated: Mutator = {
  name: 'names:unterminated',
  rule: 'LI-FIL-002',
  layouts: ALL,
  weight: 4,
  needsTable: false,
  shape: SHAPES.file,
  apply(m) {
    const n = namesInfo(m);
    if (!n) return null;
    const last = n.names.offset + n.names.size - 1;
    if (m.valid[last] !== 0) return null;
    const out = new Uint8Array(m.valid);
    out[last] = m.d.chance(0.5) ? 0x78 : 1 + m.d.below(255);
    return { bytes: out, rule: 'LI-FIL-002', description: 'the last name loses its NUL terminator' };
  },
};

const namesMerge: Mutator = {
  name: 'names:merge',
  rule: null,
  layouts: ALL,
  weight: 1,
  needsTable: false,
  shape: SHAPES.file,
  apply(m) {
    const n = namesInfo(m);
    if (!n) return null;
    const nuls: number[] = [];
    for (let i = n.names.offset; i < n.names.offset + n.names.size - 1; i++) if (m.valid[i] === 0) nuls.push(i);
    if (nuls.length === 0) return null;
    const at = m.d.pick(nuls);
    const out = new Uint8Array(m.valid);
    out[at] = 0x2f;
    return { bytes: out, rule: null, description: `the NUL at ${at} replaced: a name runs on into the next` };
  },
};

const namesOffsetEdge: Mutator = {
  name: 'names:offset-edge',
  rule: 'LI-FIL-001',
  layouts: ALL,
  weight: 4,
  needsTable: false,
  shape: SHAPES.file,
  apply(m) {
    const n = namesInfo(m);
    if (!n) return null;
    const i = m.d.below(n.f);
    const size = n.names.size;
    const options = [size, size + 1 + m.d.below(16), 0xffff_ffff - m.d.below(4), 0x8000_0000, (0x1_0000_0000 - n.names.offset + m.d.below(Math.max(1, size))) >>> 0, m.valid.length];
    const v = m.d.pick(options.filter((x) => x >= size));
    return { bytes: withU32(m.valid, m.endian, [n.fo.offset + 4 * i, v]), rule: 'LI-FIL-001', description: `file_offsets[${i}] = ${v}, name table is ${size} bytes` };
  },
};

const namesOverlap: Mutator = {
  name: 'names:overlap',
  rule: null,
  layouts: ALL,
  weight: 2,
  needsTable: false,
  shape: SHAPES.file,
  apply(m) {
    const n = namesInfo(m);
    if (!n) return null;
    const i = m.d.below(n.f);
    const v = m.d.below(n.names.size);
    return { bytes: withU32(m.valid, m.endian, [n.fo.offset + 4 * i, v]), rule: null, description: `file_offsets[${i}] = ${v}: names shared or overlapping` };
  },
};

function boundaries(m: MutationInput): number[] {
  const out = new Set<number>();
  for (const r of m.structure.regions) if (r.kind !== 'header' && r.offset >= m.layout.headerSize) out.add(r.offset);
  out.add(m.layout.headerSize);
  return [...out].filter((x) => x <= m.valid.length).sort((a, b) => a - b);
}

const misalignInsert: Mutator = {
  name: 'misalign:insert',
  rule: null,
  layouts: ALL,
  weight: 2,
  needsTable: false,
  apply(m) {
    const at = m.d.pick(boundaries(m));
    const k = m.d.int(1, 3);
    const fill = m.d.chance(0.5) ? 0 : m.d.below(256);
    const out = new Uint8Array(m.valid.length + k);
    out.set(m.valid.subarray(0, at));
    out.fill(fill, at, at + k);
    out.set(m.valid.subarray(at), at + k);
    return { bytes: out, rule: null, description: `${k} byte(s) inserted at ${at}: what follows is misaligned` };
  },
};

const misalignDelete: Mutator = {
  name: 'misalign:delete',
  rule: null,
  layouts: ALL,
  weight: 2,
  needsTable: false,
  apply(m) {
    const at = m.d.pick(boundaries(m));
    const k = m.d.int(1, 3);
    if (at + k > m.valid.length) return null;
    const out = new Uint8Array(m.valid.length - k);
    out.set(m.valid.subarray(0, at));
    out.set(m.valid.subarray(at + k), at);
    let rule: string | null = null;
    if (m.layout.container === 'module') {
      const end = moduleEnd(m.structure);
      if (end !== null && end > out.length) rule = 'LI-LAY-001';
    }
    return { bytes: out, rule, description: `${k} byte(s) deleted at ${at}: what follows is misaligned` };
  },
};

const blocksPastData: Mutator = {
  name: 'blocks:offset-past-data',
  rule: 'LI-BLK-002',
  layouts: COMPRESSED,
  weight: 2,
  needsTable: false,
  shape: SHAPES.twoBlocks,
  apply(m) {
    const s = streamInfo(m);
    if (!s) return null;
    // without a stream size (vmlinux-v1) the stream's end is found by decoding the last block:
    // keep that block's offset
    const limit = m.layout.traits.streamSize ? s.b : s.b - 1;
    if (limit < 1) return null;
    const k = m.d.below(limit);
    const v = m.d.pick([s.d, s.d + 1 + m.d.below(16), 0xffff_ffff - m.d.below(16), 0x8000_0000, s.d + m.valid.length]) >>> 0;
    return { bytes: withU32(m.valid, m.endian, [s.offsetsOff + 4 * k, v]), rule: 'LI-BLK-002', description: `block_offsets[${k}] = ${v}, stream is ${s.d} bytes` };
  },
};

const blocksDisorder: Mutator = {
  name: 'blocks:offset-disorder',
  rule: 'LI-BLK-002',
  layouts: COMPRESSED,
  weight: 2,
  needsTable: false,
  shape: SHAPES.twoBlocks,
  apply(m) {
    const s = streamInfo(m);
    if (!s) return null;
    const limit = m.layout.traits.streamSize ? s.b : s.b - 1;
    if (limit < 2) return null;
    const k = m.d.int(1, limit - 1);
    const prev = getU32(m.valid, s.offsetsOff + 4 * (k - 1), m.endian);
    const v = m.d.chance(0.5) ? prev : prev - m.d.below(prev + 1);
    return { bytes: withU32(m.valid, m.endian, [s.offsetsOff + 4 * k, v]), rule: 'LI-BLK-002', description: `block_offsets[${k}] = ${v}, not after block_offsets[${k - 1}] = ${prev}` };
  },
};

const blocksOverrun: Mutator = {
  name: 'blocks:overrun',
  rule: null,
  layouts: COMPRESSED,
  weight: 3,
  needsTable: false,
  shape: SHAPES.twoBlocks,
  apply(m) {
    const s = streamInfo(m);
    if (!s || s.b < 2) return null;
    const k = m.d.below(s.b - 1);
    const start = s.d - 1 - m.d.below(Math.min(s.d, 8));
    // without a stream size (vmlinux-v1) the last block is decoded to find the stream's end:
    // moved past the image, it has none
    const lastTouched = !m.layout.traits.streamSize && k + 1 === s.b - 1;
    const ends = lastTouched ? [0xffff_ffff, 0x8000_0000, m.valid.length] : [s.d + 1 + m.d.below(64), 0xffff_ffff, 0x8000_0000, s.d + m.valid.length];
    const end = m.d.pick(ends) >>> 0;
    const rule = lastTouched ? 'LI-STR-001' : 'LI-BLK-002';
    return {
      bytes: withU32(m.valid, m.endian, [s.offsetsOff + 4 * k, start], [s.offsetsOff + 4 * (k + 1), end]),
      rule,
      description: `block ${k} starts ${s.d - start} byte(s) before the stream's end and its range ends at ${end}: a 64-entry scan overruns`,
    };
  },
};

const blocksAddrDisorder: Mutator = {
  name: 'blocks:addr-disorder',
  rule: 'LI-BLK-003',
  layouts: COMPRESSED,
  weight: 2,
  needsTable: false,
  shape: SHAPES.twoBlocks,
  apply(m) {
    const s = streamInfo(m);
    if (!s || s.b < 2) return null;
    const k = m.d.int(1, s.b - 1);
    const prev = getU32(m.valid, s.addrsOff + 4 * (k - 1), m.endian);
    const v = m.d.chance(0.5) ? prev : prev - m.d.below(Math.min(prev, 256) + 1);
    return { bytes: withU32(m.valid, m.endian, [s.addrsOff + 4 * k, v]), rule: 'LI-BLK-003', description: `block_addrs[${k}] = ${v}, not above block_addrs[${k - 1}] = ${prev}` };
  },
};

const countMismatch: Mutator = {
  name: 'blocks:count-mismatch',
  rule: 'LI-HDR-004',
  layouts: COMPRESSED,
  weight: 3,
  needsTable: false,
  shape: SHAPES.entry,
  apply(m) {
    const n = headerField(m.structure, 'num_entries');
    const b = headerField(m.structure, 'num_blocks');
    if (!n || !b) return null;
    const B = b.value;
    const options: [number, number, string][] = [
      [n.offset, 64 * B + 1 + m.d.below(64), 'num_entries past the last block'],
      [n.offset, 0, 'num_entries 0 with blocks'],
      [n.offset, 0xffff_ffff - m.d.below(64), 'num_entries near 2^32'],
      [b.offset, B + 1 + m.d.below(3), 'num_blocks too large'],
      [b.offset, m.d.chance(0.5) ? 0 : Math.max(0, B - 1), 'num_blocks too small'],
    ];
    if (B >= 2) options.push([n.offset, 64 * (B - 1) - m.d.below(64), 'num_entries fits fewer blocks']);
    const [at, v, what] = m.d.pick(options);
    const want = Math.ceil((at === n.offset ? v : n.value) / 64);
    const got = at === b.offset ? v : B;
    if (want === got) return null;
    return { bytes: withU32(m.valid, m.endian, [at, v]), rule: 'LI-HDR-004', description: `${what}: ${at === n.offset ? 'num_entries' : 'num_blocks'} = ${v}` };
  },
};

const countBump: Mutator = {
  name: 'entries:count-change',
  rule: null,
  layouts: ALL,
  weight: 3,
  needsTable: false,
  shape: SHAPES.entry,
  apply(m) {
    const n = headerField(m.structure, 'num_entries');
    if (!n) return null;
    const b = headerField(m.structure, 'num_blocks');
    if (b && m.d.chance(0.7)) {
      // more entries in the last block than its bytes hold, same block count
      const room = 64 * b.value - n.value;
      if (room <= 0) return null;
      const v = n.value + 1 + m.d.below(room);
      return { bytes: withU32(m.valid, m.endian, [n.offset, v]), rule: m.layout.traits.streamSize ? 'LI-STR-001' : null, description: `num_entries ${n.value} -> ${v}: the last block claims entries it does not hold` };
    }
    const delta = m.d.int(1, 3) * (m.d.chance(0.5) ? 1 : -1);
    const v = (n.value + delta) >>> 0;
    return { bytes: withU32(m.valid, m.endian, [n.offset, v]), rule: null, description: `num_entries ${n.value} -> ${v}` };
  },
};

// ---------------------------------------------------------------------------------------------
// byte-level

/**
 * One byte-level change to `b`. `owned`: `b` is this mutation's own copy, changed in place
 * (a havoc stack copies the section once, not once per change); otherwise a changed copy is
 * returned. Changes of length always make a new array.
 */
function havocOnce(d: Decisions, b: Uint8Array, owned: boolean, endian: Endian, size: number): Uint8Array {
  const pos = (): number => (d.chance(0.3) ? d.below(Math.min(b.length, 64)) : d.below(b.length));
  if (b.length === 0) return Uint8Array.of(d.below(256));
  const own = (): Uint8Array => (owned ? b : new Uint8Array(b));
  switch (d.below(11)) {
    case 0: {
      const out = own();
      const at = pos();
      out[at] = out[at]! ^ (1 << d.below(8));
      return out;
    }
    case 1: {
      const out = own();
      out[pos()] = d.pick(INTERESTING_8);
      return out;
    }
    case 2: {
      const out = own();
      out[pos()] = d.below(256);
      return out;
    }
    case 3: {
      const at = pos();
      if (at + 2 > b.length) return b;
      const e = d.chance(0.8) ? endian : endian === 'le' ? 'be' : 'le';
      const out = own();
      putU16(out, at, d.pick(INTERESTING_16), e);
      return out;
    }
    case 4: {
      const at = d.chance(0.7) ? pos() & ~3 : pos();
      if (at + 4 > b.length) return b;
      const v = edgeValue(d, getU32(b, at, endian), size);
      const out = own();
      putU32(out, at, v, endian);
      return out;
    }
    case 5: {
      const at = pos() & ~3;
      if (at + 4 > b.length) return b;
      const v = getU32(b, at, endian) + d.int(1, 16) * (d.chance(0.5) ? 1 : -1);
      const out = own();
      putU32(out, at, v, endian);
      return out;
    }
    case 6: {
      const at = d.below(b.length + 1);
      const k = d.int(1, 16);
      const kind = d.below(3);
      const out = new Uint8Array(b.length + k);
      out.set(b.subarray(0, at));
      for (let i = 0; i < k; i++) out[at + i] = kind === 0 ? 0 : kind === 1 ? 0x80 : d.below(256);
      out.set(b.subarray(at), at + k);
      return out;
    }
    case 7: {
      const at = pos();
      const k = Math.min(d.int(1, 16), b.length - at);
      const out = new Uint8Array(b.length - k);
      out.set(b.subarray(0, at));
      out.set(b.subarray(at + k), at);
      return out;
    }
    case 8: {
      const from = d.below(b.length);
      const to = d.below(b.length);
      const k = Math.min(d.int(1, 32), b.length - from, b.length - to);
      const out = own();
      out.copyWithin(to, from, from + k);
      return out;
    }
    case 9: {
      const from = d.below(b.length);
      const k = Math.min(d.int(1, 32), b.length - from);
      const at = d.below(b.length + 1);
      const out = new Uint8Array(b.length + k);
      out.set(b.subarray(0, at));
      out.set(b.subarray(from, from + k), at);
      out.set(b.subarray(at), at + k);
      return out;
    }
    default: {
      const at = pos();
      const k = Math.min(d.int(1, 12), b.length - at);
      const out = own();
      out.fill(0x80, at, at + k);
      return out;
    }
  }
}

const havoc: Mutator = {
  name: 'havoc',
  rule: null,
  layouts: ALL,
  weight: 16,
  needsTable: false,
  apply(m) {
    const ops = 1 << m.d.below(4);
    let b = m.valid;
    // after the first change that copied, b is this mutation's own array
    for (let i = 0; i < ops; i++) b = havocOnce(m.d, b, b !== m.valid, m.endian, m.valid.length);
    return { bytes: b === m.valid ? new Uint8Array(b) : b, rule: null, description: `${ops} byte-level change(s)` };
  },
};

const splice: Mutator = {
  name: 'splice',
  rule: null,
  layouts: ALL,
  weight: 4,
  needsTable: false,
  apply(m) {
    const other = m.partner();
    const a = m.valid;
    if (m.d.chance(0.5)) {
      const cuts = [...m.structure.header.map((h) => h.offset + h.size), ...m.structure.regions.map((r) => r.offset), m.d.below(a.length + 1)];
      const i = Math.min(m.d.pick(cuts), a.length);
      const j = m.d.chance(0.5) ? Math.min(i, other.length) : m.d.below(other.length + 1);
      const out = new Uint8Array(i + other.length - j);
      out.set(a.subarray(0, i));
      out.set(other.subarray(j), i);
      return { bytes: out, rule: null, description: `first ${i} bytes of one section, then another's from ${j}` };
    }
    const from = m.d.below(other.length + 1);
    const k = Math.min(m.d.int(4, 64), other.length - from, a.length);
    const at = m.d.below(Math.max(1, a.length - k + 1));
    const out = new Uint8Array(a);
    out.set(other.subarray(from, from + k), at);
    return { bytes: out, rule: null, description: `${k} bytes of another section copied over offset ${at}` };
  },
};

export const MUTATORS: readonly Mutator[] = [
  none,
  ...RULE_BREAKERS.map(wrapBreaker),
  intEdgeHeader,
  intEdgeArray,
  u32Wrap,
  lebOverlong,
  lebUnterminated,
  lebNonMinimal,
  trunc,
  namesUnterminated,
  namesMerge,
  namesOffsetEdge,
  namesOverlap,
  misalignInsert,
  misalignDelete,
  blocksPastData,
  blocksDisorder,
  blocksOverrun,
  blocksAddrDisorder,
  countMismatch,
  countBump,
  havoc,
  splice,
];

export function mutatorByName(name: string): Mutator | undefined {
  return MUTATORS.find((m) => m.name === name);
}

export const HAVOC = havoc;

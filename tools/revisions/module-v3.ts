/**
 * `v3`: the module `.mod_lineinfo` section of revisions v3 (2026-03-11) and v4 (2026-03-22, same
 * bytes; `v4` is an alias) — a 48-byte header of counts and (offset, size) pairs relative to the
 * section start plus `reserved`, the block index, the SLEB128 delta stream, `.balign 4`, the file
 * table and the names. The generator writes the stream with `.uleb128`/`.sleb128` directives and
 * every offset and size as an assembler label difference. See spec/FORMAT.md, "Layout v3".
 */
import { LAYOUT_TRAITS } from './layout-id.js';
import { ByteSink } from '../format/endian.js';
import type { Endian } from '../format/endian.js';
import { SectionBytes } from '../format/section-bytes.js';
import { add32, align4, hex } from '../format/u32-math.js';
import type { LineTable } from '../model/line-table.js';
import { ASM_HEADER, AsmText } from './asm-text.js';
import type { EncodeOptions } from './block-stream.js';
import { blockCount, encodeStream, readStream } from './block-stream.js';
import { checkEntries, checkPaths } from './entry-rules.js';
import type { Layout, LookupAnswer, LookupQuery, ReadOptions, SectionModel, SymbolOffsets } from './layout.js';
import { kernelLineinfoSearch } from './lineinfo-search.js';
import { faultFrom } from './lookup-common.js';
import { ModelBuilder } from './model-builder.js';
import { isSectionPadding } from './trailing-padding.js';
import { encodeNames, readFileTable, writeFileTable } from './name-table.js';

/** a region the header locates lies outside the section: nothing after it can be read */
const LAYOUT_BROKEN: ReadonlySet<string> = new Set(['LI-LAY-001']);
import { emitLebStream } from './vmlinux-v2.js';

const HEADER_SIZE = 48;

/** The header's u32 fields in order (field i at offset 4i). */
export const V3_FIELDS = [
  'num_entries', 'num_blocks', 'num_files',
  'blocks_offset', 'blocks_size', 'data_offset', 'data_size',
  'files_offset', 'files_size', 'filenames_offset', 'filenames_size', 'reserved',
] as const;
export type V3Field = (typeof V3_FIELDS)[number];

/** The four (offset, size) pairs, with the array each locates. */
const PAIRS = [
  ['blocks_offset', 'blocks_size', 'block index'],
  ['data_offset', 'data_size', 'stream'],
  ['files_offset', 'files_size', 'file table'],
  ['filenames_offset', 'filenames_size', 'name table'],
] as const;

/** The generator's header for given counts and sizes. */
export function v3Header(n: number, b: number, f: number, d: number, s: number): Record<V3Field, number> {
  const dataOffset = HEADER_SIZE + 8 * b;
  const filesOffset = align4(dataOffset + d);
  return {
    num_entries: n, num_blocks: b, num_files: f,
    blocks_offset: HEADER_SIZE, blocks_size: 8 * b,
    data_offset: dataOffset, data_size: d,
    files_offset: filesOffset, files_size: 4 * f,
    filenames_offset: filesOffset + 4 * f, filenames_size: s,
    reserved: 0,
  };
}

function encode(table: LineTable, endian: Endian, options: EncodeOptions = {}): Uint8Array {
  const names = encodeNames(table.files);
  const stream = encodeStream(table.entries, 'sleb128', options);
  const b = stream.blockAddrs.length;
  const h = v3Header(table.entries.length, b, table.files.length, stream.data.length, names.bytes.length);
  const sink = new ByteSink(endian, h.filenames_offset + names.bytes.length);
  for (const f of V3_FIELDS) sink.u32(h[f]);
  for (const a of stream.blockAddrs) sink.u32(a);
  for (const o of stream.blockOffsets) sink.u32(o);
  sink.bytes(stream.data);
  sink.align(4);
  writeFileTable(sink, names);
  sink.bytes(names.bytes);
  return sink.finish();
}

function emitAsm(table: LineTable): string {
  const names = encodeNames(table.files);
  const b = blockCount(table.entries.length);
  const asm = new AsmText(ASM_HEADER + '\nLayout v3 (module, offset/size header, SLEB128 deltas; also v4).');
  asm.directive('.section .mod_lineinfo, "a"').blank();
  asm.label('.Lhdr').directive('.balign 4');
  asm.longs([table.entries.length, b, table.files.length], 'dec');
  asm.directive('.long .Lblk_addrs - .Lhdr').directive('.long .Ldata - .Lblk_addrs');
  asm.directive('.long .Ldata - .Lhdr').directive('.long .Ldata_end - .Ldata');
  asm.directive('.long .Lfile_offsets - .Lhdr').directive('.long .Lfilenames - .Lfile_offsets');
  asm.directive('.long .Lfilenames - .Lhdr').directive('.long .Lfilenames_end - .Lfilenames');
  asm.longs([0], 'dec').blank();
  asm.label('.Lblk_addrs');
  for (let k = 0; k < b; k++) asm.longs([table.entries[64 * k]!.offset], 'hex');
  asm.label('.Lblk_offsets');
  for (let k = 0; k < b; k++) asm.directive(`.long .Lblock_${k} - .Ldata`);
  asm.blank().label('.Ldata');
  emitLebStream(asm, table);
  asm.label('.Ldata_end').directive('.balign 4').blank();
  asm.label('.Lfile_offsets').longs(names.offsets, 'dec');
  asm.label('.Lfilenames').asciz(table.files);
  asm.label('.Lfilenames_end');
  return asm.toString();
}

function read(bytes: Uint8Array, endian: Endian, _symbols?: SymbolOffsets, options?: ReadOptions): SectionModel {
  const view = new SectionBytes(bytes, endian);
  const m = new ModelBuilder('v3', endian, bytes.length, options);
  if (bytes.length < HEADER_SIZE) {
    m.find('LI-HDR-001', 'header', 0, bytes.length, `section is ${bytes.length} bytes, smaller than the ${HEADER_SIZE}-byte header`);
    return m.build();
  }
  const h = {} as Record<V3Field, number>;
  V3_FIELDS.forEach((name, i) => (h[name] = m.field(name, view.u32(4 * i), 4 * i)));
  const at = (name: V3Field): number => 4 * V3_FIELDS.indexOf(name);
  const n = h.num_entries;
  const b = h.num_blocks;
  const f = h.num_files;
  m.region('header', 'header', 0, HEADER_SIZE);
  if (h.reserved !== 0) m.find('LI-HDR-002', 'header.reserved', at('reserved'), 4, `reserved is ${hex(h.reserved)}, not 0`);
  if (n === 0) m.find('LI-HDR-003', 'header.num_entries', 0, 4, 'num_entries is 0: the table annotates nothing');
  if (b !== blockCount(n)) m.find('LI-HDR-004', 'header.num_blocks', 4, 4, `num_blocks is ${b}, but ${n} entries need ${blockCount(n)} block(s) of 64`);
  if (f > 65535) m.find('LI-HDR-005', 'header.num_files', 8, 4, `num_files is ${f}, above the generator's limit of 65535`);
  for (const [off, size, what] of PAIRS) {
    if (h[off] + h[size] > bytes.length) {
      const wrapped = add32(h[off], h[size]) <= bytes.length ? ` (in 32-bit arithmetic ${off} + ${size} wraps to ${hex(add32(h[off], h[size]))}, which the kernel's check accepts)` : '';
      m.find('LI-LAY-001', `header.${off}`, at(off), 8, `the ${what} at ${hex(h[off])} of ${h[size]} bytes ends past the ${bytes.length}-byte section${wrapped}`);
    }
  }
  if (h.blocks_size < 8 * b) m.find('LI-OFS-001', 'header.blocks_size', at('blocks_size'), 4, `blocks_size ${h.blocks_size} cannot hold the index of ${b} blocks (${8 * b} bytes)`);
  if (h.files_size < 4 * f) m.find('LI-OFS-001', 'header.files_size', at('files_size'), 4, `files_size ${h.files_size} cannot hold ${f} file offsets (${4 * f} bytes)`);
  if (h.blocks_offset + 8 * b > bytes.length) {
    m.find('LI-LAY-001', 'header.num_blocks', 4, 4, `the index of ${b} blocks at ${hex(h.blocks_offset)} ends past the ${bytes.length}-byte section`);
  }
  if (h.files_offset + 4 * f > bytes.length) {
    m.find('LI-LAY-001', 'header.num_files', 8, 4, `the ${f} file offsets at ${hex(h.files_offset)} end past the ${bytes.length}-byte section`);
  }
  if (m.hasError(LAYOUT_BROKEN)) return m.build();
  if (h.blocks_size !== 8 * b || h.files_size !== 4 * f) {
    m.find('LI-OFS-002', h.blocks_size !== 8 * b ? 'header.blocks_size' : 'header.files_size', at(h.blocks_size !== 8 * b ? 'blocks_size' : 'files_size'), 4,
      `blocks_size ${h.blocks_size} and files_size ${h.files_size} are not exactly what ${b} blocks and ${f} files need (${8 * b}, ${4 * f})`);
  }
  if (h.blocks_offset % 4 !== 0 || h.files_offset % 4 !== 0) {
    m.find('LI-OFS-004', h.blocks_offset % 4 !== 0 ? 'header.blocks_offset' : 'header.files_offset', at(h.blocks_offset % 4 !== 0 ? 'blocks_offset' : 'files_offset'), 4,
      `blocks_offset ${hex(h.blocks_offset)} and files_offset ${hex(h.files_offset)} must both be multiples of 4: the kernel loads u32s there without checking (W28)`);
  }
  const g = v3Header(n, b, f, h.data_size, h.filenames_size);
  const ordered = h.blocks_offset === g.blocks_offset && h.data_offset === h.blocks_offset + h.blocks_size
    && h.files_offset === align4(h.data_offset + h.data_size) && h.filenames_offset === h.files_offset + h.files_size;
  if (!ordered) {
    m.find('LI-OFS-003', 'header', at('blocks_offset'), 32,
      `the arrays are not in the generator's order, each right after the previous one (block index ${hex(h.blocks_offset)}, stream ${hex(h.data_offset)}, file table ${hex(h.files_offset)}, names ${hex(h.filenames_offset)})`);
  }
  const offsetsOff = h.blocks_offset + 4 * b;
  m.region('index', 'block_addrs', h.blocks_offset, 4 * b);
  m.region('index', 'block_offsets', offsetsOff, 4 * b);
  m.region('stream', 'data', h.data_offset, h.data_size);
  const dataEnd = h.data_offset + h.data_size;
  if (ordered && h.files_offset > dataEnd) {
    m.region('padding', 'pad', dataEnd, h.files_offset - dataEnd);
    if (bytes.subarray(dataEnd, h.files_offset).some((x) => x !== 0)) {
      m.find('LI-LAY-003', 'pad', dataEnd, h.files_offset - dataEnd, 'the alignment padding before file_offsets[] is not zero');
    }
  }
  m.region('file_table', 'file_offsets', h.files_offset, 4 * f);
  m.region('names', 'filenames', h.filenames_offset, h.filenames_size);
  const end = Math.max(HEADER_SIZE, ...PAIRS.map(([o, s]) => h[o] + h[s]), offsetsOff + 4 * b, h.files_offset + 4 * f);
  m.region('trailing', 'trailing', end, bytes.length - end);
  if (end < bytes.length && !isSectionPadding(bytes, end)) {
    m.find('LI-LAY-002', 'trailing', end, bytes.length - end, `${bytes.length - end} byte(s) follow the last array`);
  }
  const blockAddrs: number[] = [];
  const blockOffsets: number[] = [];
  for (let i = 0; i < b; i++) {
    blockAddrs.push(view.u32(h.blocks_offset + 4 * i));
    blockOffsets.push(view.u32(offsetsOff + 4 * i));
  }
  readStream(bytes, { dataOff: h.data_offset, dataSize: h.data_size, blockAddrs, blockOffsets, numEntries: n, addrsOff: h.blocks_offset, offsetsOff }, 'sleb128', m);
  m.decoded = true;
  readFileTable(view, m, f, h.files_offset, h.filenames_offset, h.filenames_size);
  checkEntries(m, f, h.files_offset);
  checkPaths(m, h.files_offset);
  return m.build();
}

/**
 * The kernel's v3/v4 module wrapper and the shared lineinfo_search(): header size; num_entries
 * and num_blocks non-zero; each `offset + size > section size` in u32 (it can wrap, W10);
 * `blocks_size >= num_blocks * 8` and `files_size >= num_files * 4` (size_t: exact on 64-bit);
 * then the search with data_end clamped to data_size, no symbol bound, the file-id and
 * name-offset bounds; no NUL check (W12), no alignment check (W28).
 */
function lookupKernel(bytes: Uint8Array, endian: Endian, q: LookupQuery): LookupAnswer {
  const view = new SectionBytes(bytes, endian);
  try {
    if (bytes.length < HEADER_SIZE) return { kind: 'miss', reason: 'section smaller than the header' };
    const h = {} as Record<V3Field, number>;
    V3_FIELDS.forEach((name, i) => (h[name] = view.u32(4 * i)));
    if (h.num_entries === 0 || h.num_blocks === 0) return { kind: 'miss', reason: 'num_entries or num_blocks is 0' };
    for (const [off, size] of PAIRS) {
      if (add32(h[off], h[size]) > bytes.length) return { kind: 'miss', reason: `${off} + ${size} is past the section` };
    }
    if (h.blocks_size < h.num_blocks * 8) return { kind: 'miss', reason: 'blocks_size below num_blocks * 8' };
    if (h.files_size < h.num_files * 4) return { kind: 'miss', reason: 'files_size below num_files * 4' };
    if (q.offset > 0xffff_ffff) return { kind: 'miss', reason: 'offset beyond 4 GiB' };
    const tbl = {
      blkAddrs: h.blocks_offset,
      blkOffsets: h.blocks_offset + 4 * h.num_blocks,
      data: h.data_offset,
      dataSize: h.data_size,
      fileOffsets: h.files_offset,
      filenames: h.filenames_offset,
      numEntries: h.num_entries,
      numBlocks: h.num_blocks,
      numFiles: h.num_files,
      filenamesSize: h.filenames_size,
    };
    return kernelLineinfoSearch(view, tbl, q.offset, { coding: 'sleb128', clamp: true, minOffset: 0 });
  } catch (e) {
    return faultFrom(e);
  }
}

export const moduleV3: Layout = {
  id: 'v3',
  container: 'module',
  traits: LAYOUT_TRAITS['v3'],
  title: 'module .mod_lineinfo, 48-byte offset/size header, SLEB128 delta stream (v3, v4)',
  origin: '[PATCH v3 3/4] kallsyms: delta-compress lineinfo tables for ~2.7x size reduction (2026-03-11); v4 (2026-03-22) unchanged',
  headerSize: HEADER_SIZE,
  encode,
  emitAsm,
  read,
  lookupKernel,
};

/**
 * `v1`: the module `.mod_lineinfo` section of the original series, patch 3/3 — a 24-byte header,
 * a block index and the zigzag delta stream, then the file table with no alignment padding.
 * See spec/FORMAT.md, "Layout v1".
 */
import { LAYOUT_TRAITS } from './layout-id.js';
import { ByteSink } from '../format/endian.js';
import type { Endian } from '../format/endian.js';
import { newCursor } from '../format/leb128.js';
import { SectionBytes } from '../format/section-bytes.js';
import { add32, align4, align4u32, hex, mul32 } from '../format/u32-math.js';
import { columnCount } from '../model/line-table.js';
import type { ColumnarLineTable, LineTable } from '../model/line-table.js';
import { ASM_HEADER, AsmText } from './asm-text.js';
import type { EncodedStream, EncodeOptions } from './block-stream.js';
import { blockCount, encodeStream, kernelBlockEntries, kernelScanBlock, readStream } from './block-stream.js';
import { checkEntries, checkPaths } from './entry-rules.js';
import type { Layout, LookupAnswer, LookupQuery, ReadOptions, SectionModel, SymbolOffsets } from './layout.js';
import { faultFrom, finishLookup } from './lookup-common.js';
import { ModelBuilder } from './model-builder.js';
import { isSectionPadding } from './trailing-padding.js';
import { encodeNames, readFileTable, writeFileTable } from './name-table.js';

const HEADER_SIZE = 24;

/**
 * Exact offsets of every part of a v1/v2 module section for given header counts. v2 pads
 * `file_offsets[]` to a multiple of 4 (`aligned`); v1 places it right after the stream.
 */
export function countsModuleOffsets(b: number, d: number, f: number, s: number, aligned: boolean) {
  const blockAddrs = HEADER_SIZE;
  const blockOffsets = blockAddrs + 4 * b;
  const data = blockOffsets + 4 * b;
  const pad = data + d;
  const fileOffsets = aligned ? align4(pad) : pad;
  const names = fileOffsets + 4 * f;
  return { blockAddrs, blockOffsets, data, pad, fileOffsets, names, end: names + s };
}

/** encode() of a columnar table (the DWARF generator's): the same bytes, without Entry objects. */
export function encodeColumnsV1(table: ColumnarLineTable, endian: Endian): Uint8Array {
  return encodeSection(table.files, columnCount(table.columns), encodeStream(table.columns, 'zigzag'), endian, false);
}

function encodeSection(files: readonly string[], numEntries: number, stream: EncodedStream, endian: Endian, aligned: boolean): Uint8Array {
  const names = encodeNames(files);
  const b = stream.blockAddrs.length;
  const sink = new ByteSink(endian, HEADER_SIZE + 8 * b + stream.data.length + 3 + 4 * files.length + names.bytes.length);
  sink.u32(numEntries);
  sink.u32(files.length);
  sink.u32(names.bytes.length);
  sink.u32(b);
  sink.u32(stream.data.length);
  sink.u32(0);
  for (const a of stream.blockAddrs) sink.u32(a);
  for (const o of stream.blockOffsets) sink.u32(o);
  sink.bytes(stream.data);
  if (aligned) sink.align(4);
  writeFileTable(sink, names);
  sink.bytes(names.bytes);
  return sink.finish();
}

function emitAsm(table: LineTable, id: 'v1' | 'v2', aligned: boolean): string {
  const names = encodeNames(table.files);
  const stream = encodeStream(table.entries, 'zigzag');
  const b = stream.blockAddrs.length;
  const asm = new AsmText(ASM_HEADER + `\nLayout ${id} (module, delta-compressed${aligned ? ', file table aligned' : ''}).`);
  asm.directive('.section .mod_lineinfo, "a"').blank();
  asm.directive('.balign 4')
    .longs([table.entries.length, table.files.length, names.bytes.length, b, stream.data.length, 0], 'dec')
    .blank();
  asm.longs(stream.blockAddrs, 'hex');
  if (b) asm.blank();
  asm.longs(stream.blockOffsets, 'dec');
  if (b) asm.blank();
  asm.byteRows(stream.data);
  if (aligned) asm.directive('.balign 4').blank();
  else if (stream.data.length) asm.blank();
  asm.longs(names.offsets, 'dec');
  if (table.files.length) asm.blank();
  asm.asciz(table.files);
  if (table.files.length) asm.blank();
  return asm.toString();
}

/**
 * The structural read of the 24-byte-header module layouts, v1 (`aligned` false: the file
 * table right after the stream, LI-ALN-001) and v2 (`aligned`: zero padding to 4, LI-LAY-003).
 */
export function readCountsModule(id: 'v1' | 'v2', aligned: boolean) {
  return function read(bytes: Uint8Array, endian: Endian, _symbols?: SymbolOffsets, options?: ReadOptions): SectionModel {
    const view = new SectionBytes(bytes, endian);
    const m = new ModelBuilder(id, endian, bytes.length, options);
    if (bytes.length < HEADER_SIZE) {
      m.find('LI-HDR-001', 'header', 0, bytes.length, `section is ${bytes.length} bytes, smaller than the ${HEADER_SIZE}-byte header`);
      return m.build();
    }
    const n = m.field('num_entries', view.u32(0), 0);
    const f = m.field('num_files', view.u32(4), 4);
    const s = m.field('filenames_size', view.u32(8), 8);
    const b = m.field('num_blocks', view.u32(12), 12);
    const d = m.field('data_size', view.u32(16), 16);
    const reserved = m.field('reserved', view.u32(20), 20);
    m.region('header', 'header', 0, HEADER_SIZE);
    if (reserved !== 0) m.find('LI-HDR-002', 'header.reserved', 20, 4, `reserved is ${hex(reserved)}, not 0`);
    if (n === 0) m.find('LI-HDR-003', 'header.num_entries', 0, 4, 'num_entries is 0: the table annotates nothing');
    if (b !== blockCount(n)) {
      m.find('LI-HDR-004', 'header.num_blocks', 12, 4, `num_blocks is ${b}, but ${n} entries need ${blockCount(n)} block(s) of 64`);
    }
    if (f > 65535) m.find('LI-HDR-005', 'header.num_files', 4, 4, `num_files is ${f}, above the generator's limit of 65535`);
    const o = countsModuleOffsets(b, d, f, s, aligned);
    if (o.end > bytes.length) {
      const streamEnd = add32(add32(HEADER_SIZE, mul32(b, 8)), d);
      const wrapped = add32(add32(aligned ? align4u32(streamEnd) : streamEnd, mul32(f, 4)), s);
      const note = wrapped <= bytes.length ? ` (in 32-bit arithmetic the end wraps to ${hex(wrapped)}, which the kernel's size check accepts)` : '';
      m.find('LI-LAY-001', 'header', 0, HEADER_SIZE,
        `the header describes ${o.end} bytes (${b} blocks, ${d} stream bytes, ${f} files, ${s} name bytes) but the section has ${bytes.length}${note}`);
      return m.build();
    }
    m.region('index', 'block_addrs', o.blockAddrs, 4 * b);
    m.region('index', 'block_offsets', o.blockOffsets, 4 * b);
    m.region('stream', 'data', o.data, d);
    if (aligned) m.region('padding', 'pad', o.pad, o.fileOffsets - o.pad);
    m.region('file_table', 'file_offsets', o.fileOffsets, 4 * f);
    m.region('names', 'filenames', o.names, s);
    m.region('trailing', 'trailing', o.end, bytes.length - o.end);
    if (aligned && bytes.subarray(o.pad, o.fileOffsets).some((x) => x !== 0)) {
      m.find('LI-LAY-003', 'pad', o.pad, o.fileOffsets - o.pad, 'the alignment padding before file_offsets[] is not zero');
    }
    if (!aligned && f > 0 && o.fileOffsets % 4 !== 0) {
      m.find('LI-ALN-001', 'file_offsets', o.fileOffsets, 4 * f,
        `file_offsets[] starts at ${hex(o.fileOffsets)}, not a multiple of 4 (data_size ${d}); strict-alignment CPUs load it misaligned`);
    }
    if (o.end < bytes.length && !isSectionPadding(bytes, o.end)) {
      m.find('LI-LAY-002', 'trailing', o.end, bytes.length - o.end, `${bytes.length - o.end} byte(s) follow the name table`);
    }
    const blockAddrs: number[] = [];
    const blockOffsets: number[] = [];
    for (let i = 0; i < b; i++) {
      blockAddrs.push(view.u32(o.blockAddrs + 4 * i));
      blockOffsets.push(view.u32(o.blockOffsets + 4 * i));
    }
    readStream(bytes, { dataOff: o.data, dataSize: d, blockAddrs, blockOffsets, numEntries: n, addrsOff: o.blockAddrs, offsetsOff: o.blockOffsets }, 'zigzag', m);
    m.decoded = true;
    readFileTable(view, m, f, o.fileOffsets, o.names, s);
    checkEntries(m, f, o.fileOffsets);
    checkPaths(m, o.fileOffsets);
    return m.build();
  };
}

/**
 * The kernel's module_lookup_lineinfo() of v1 patch 3 and of v2: u32 size check (can wrap, W10;
 * v2 rounds the file table's offset up to 4), block binary search, the last block's entry count,
 * data_end = next block's offset (not clamped to data_size, W11) or data_size,
 * `pos >= data_end` check, in-block scan (with v1's symbol-start rule; v2 removed it), then the
 * file-id and name-offset bounds. No NUL check (W12).
 */
function lookupKernel(bytes: Uint8Array, endian: Endian, q: LookupQuery, aligned: boolean, bound: boolean): LookupAnswer {
  const view = new SectionBytes(bytes, endian);
  try {
    if (bytes.length < HEADER_SIZE) return { kind: 'miss', reason: 'section smaller than the header' };
    const n = view.u32(0);
    const f = view.u32(4);
    const s = view.u32(8);
    const b = view.u32(12);
    const d = view.u32(16);
    if (n === 0 || b === 0) return { kind: 'miss', reason: 'num_entries or num_blocks is 0' };
    const offsetsOff = add32(HEADER_SIZE, mul32(b, 4));
    const dataOff = add32(offsetsOff, mul32(b, 4));
    const fileOffsetsOff = aligned ? align4u32(add32(dataOff, d)) : add32(dataOff, d);
    const namesOff = add32(fileOffsetsOff, mul32(f, 4));
    if (bytes.length < add32(namesOff, s)) return { kind: 'miss', reason: 'section smaller than the header says' };
    if (q.offset > 0xffff_ffff) return { kind: 'miss', reason: 'offset beyond 4 GiB' };
    let low = 0;
    let high = b;
    while (low < high) {
      const mid = low + Math.floor((high - low) / 2);
      if (view.u32(HEADER_SIZE + 4 * mid) <= q.offset) low = mid + 1;
      else high = mid;
    }
    if (low === 0) return { kind: 'miss', reason: 'offset before the first block' };
    const block = low - 1;
    const count = kernelBlockEntries(block, b, n);
    const dataEnd = block + 1 < b ? view.u32(offsetsOff + 4 * (block + 1)) : d;
    const pos = view.u32(offsetsOff + 4 * block);
    if (pos >= dataEnd) return { kind: 'miss', reason: `block ${block} starts at or after its end` };
    const cursor = newCursor(bytes, dataOff, pos, dataEnd);
    const r = kernelScanBlock(cursor, view.u32(HEADER_SIZE + 4 * block), count, q.offset, bound ? q.symbolStart : undefined, 'zigzag');
    if (!r.found) return { kind: 'miss', reason: `no entry of the block at or before the offset${bound ? ' (or symbol start)' : ''}` };
    if (r.fileId >= f) return { kind: 'miss', reason: `file id ${r.fileId} >= num_files ${f}` };
    const nameOffset = view.u32(fileOffsetsOff + 4 * r.fileId);
    if (nameOffset >= s) return { kind: 'miss', reason: `name offset ${nameOffset} >= filenames_size ${s}` };
    return finishLookup(view, namesOff + nameOffset, r.fileId, r.line, r.addr);
  } catch (e) {
    return faultFrom(e);
  }
}

/** The 24-byte-header module layouts: v1 (patch 3) and v2 (file table padded, no symbol bound). */
export function countsModuleLayout(v: { id: 'v1' | 'v2'; title: string; origin: string }): Layout {
  const traits = LAYOUT_TRAITS[v.id];
  const aligned = traits.filesAligned;
  const bound = traits.symbolBound;
  return {
    id: v.id,
    container: 'module',
    traits,
    title: v.title,
    origin: v.origin,
    headerSize: HEADER_SIZE,
    encode: (table: LineTable, endian: Endian, options: EncodeOptions = {}) =>
      encodeSection(table.files, table.entries.length, encodeStream(table.entries, 'zigzag', options), endian, aligned),
    emitAsm: (table) => emitAsm(table, v.id, aligned),
    read: readCountsModule(v.id, aligned),
    lookupKernel: (bytes, endian, q) => lookupKernel(bytes, endian, q, aligned, bound),
  };
}

export const moduleV1 = countsModuleLayout({
  id: 'v1',
  title: 'module .mod_lineinfo, block-indexed zigzag delta stream (v1 patch 3)',
  origin: '[PATCH 3/3] kallsyms: delta-compress lineinfo tables for ~2.7x size reduction (2026-03-03)',
});

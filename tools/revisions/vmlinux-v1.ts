/**
 * `vmlinux-v1`: the vmlinux tables of the original series after patch 3/3 — block index and
 * zigzag delta stream as symbols, no stream size symbol. spec/FORMAT.md, "Layout vmlinux-v1".
 */
import { LAYOUT_TRAITS } from './layout-id.js';
import { ByteSink } from '../format/endian.js';
import type { Endian } from '../format/endian.js';
import { newCursor, readUleb128Strict } from '../format/leb128.js';
import { SectionBytes } from '../format/section-bytes.js';
import { align4, hex } from '../format/u32-math.js';
import { columnCount } from '../model/line-table.js';
import type { ColumnarLineTable, LineTable } from '../model/line-table.js';
import { ASM_HEADER, AsmText } from './asm-text.js';
import type { EncodedStream, EncodeOptions } from './block-stream.js';
import { encodeStream, kernelBlockEntries, kernelScanBlock, readStream } from './block-stream.js';
import { checkEntries, checkPaths } from './entry-rules.js';
import type { Layout, LookupAnswer, LookupQuery, ReadOptions, SectionModel, SymbolOffsets } from './layout.js';
import { faultFrom, finishLookup } from './lookup-common.js';
import { ModelBuilder } from './model-builder.js';
import { encodeNames, readFileTable, writeFileTable } from './name-table.js';
import { resolveSymbols } from './vmlinux-symbols.js';
import { blockCount } from './block-stream.js';

export const SYMBOLS = [
  'lineinfo_num_entries',
  'lineinfo_num_files',
  'lineinfo_num_blocks',
  'lineinfo_block_addrs',
  'lineinfo_block_offsets',
  'lineinfo_data',
  'lineinfo_file_offsets',
  'lineinfo_filenames',
] as const;

function encode(table: LineTable, endian: Endian, options: EncodeOptions = {}): Uint8Array {
  return encodeImage(table.files, table.entries.length, encodeStream(table.entries, 'zigzag', options), endian);
}

/** encode() of a columnar table (the DWARF generator's): the same bytes, without Entry objects. */
export function encodeColumnsVmlinuxV1(table: ColumnarLineTable, endian: Endian): Uint8Array {
  return encodeImage(table.files, columnCount(table.columns), encodeStream(table.columns, 'zigzag'), endian);
}

function encodeImage(files: readonly string[], numEntries: number, stream: EncodedStream, endian: Endian): Uint8Array {
  const names = encodeNames(files);
  const sink = new ByteSink(endian, 16 + 8 * stream.blockAddrs.length + stream.data.length + 4 * files.length + names.bytes.length);
  sink.u32(numEntries);
  sink.u32(files.length);
  sink.u32(stream.blockAddrs.length);
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
  const stream = encodeStream(table.entries, 'zigzag');
  const asm = new AsmText(ASM_HEADER + '\nLayout vmlinux-v1 (delta-compressed).');
  asm.directive('.section .rodata, "a"').blank();
  asm.globalLabel('lineinfo_num_entries', 4).longs([table.entries.length], 'dec').blank();
  asm.globalLabel('lineinfo_num_files', 4).longs([table.files.length], 'dec').blank();
  asm.globalLabel('lineinfo_num_blocks', 4).longs([stream.blockAddrs.length], 'dec').blank();
  asm.globalLabel('lineinfo_block_addrs', 4).longs(stream.blockAddrs, 'hex').blank();
  asm.globalLabel('lineinfo_block_offsets', 4).longs(stream.blockOffsets, 'dec').blank();
  asm.globalLabel('lineinfo_data', null).byteRows(stream.data).blank();
  asm.globalLabel('lineinfo_file_offsets', 4).longs(names.offsets, 'dec').blank();
  asm.globalLabel('lineinfo_filenames', null).asciz(table.files).blank();
  return asm.toString();
}

/**
 * End of the last block's stream, found by decoding its entries (v1 stores no stream size).
 * Returns null when the block runs past `limit`.
 */
function lastBlockEnd(bytes: Uint8Array, dataOff: number, start: number, count: number, limit: number): number | null {
  let pos = dataOff + start;
  const varints = count === 0 ? 2 : 2 + 3 * (count - 1);
  for (let k = 0; k < varints; k++) {
    const v = readUleb128Strict(bytes, pos, limit);
    if (!v.terminated) return null;
    pos += v.length;
  }
  return pos - dataOff;
}

function read(bytes: Uint8Array, endian: Endian, given?: SymbolOffsets, options?: ReadOptions): SectionModel {
  const view = new SectionBytes(bytes, endian);
  const m = new ModelBuilder('vmlinux-v1', endian, bytes.length, options);
  if (bytes.length < 12) {
    m.find('LI-HDR-001', 'header', 0, bytes.length, `table image is ${bytes.length} bytes, smaller than the three 4-byte counts`);
    return m.build();
  }
  const countAt = (name: string, fallback: number): number => given?.[name] ?? fallback;
  for (const [name, fb] of [['lineinfo_num_files', 4], ['lineinfo_num_blocks', 8]] as const) {
    if (!view.contains(countAt(name, fb), 4)) {
      m.find('LI-VML-001', name, 0, 0, `${name} lies outside the table image`);
      return m.build();
    }
  }
  const n = m.field('lineinfo_num_entries', view.u32(0), 0);
  const f = m.field('lineinfo_num_files', view.u32(countAt('lineinfo_num_files', 4)), countAt('lineinfo_num_files', 4));
  const b = m.field('lineinfo_num_blocks', view.u32(countAt('lineinfo_num_blocks', 8)), countAt('lineinfo_num_blocks', 8));
  m.region('header', 'counts', 0, 12);
  if (n === 0) m.find('LI-HDR-003', 'lineinfo_num_entries', 0, 4, 'num_entries is 0: the table annotates nothing');
  if (b !== blockCount(n)) {
    m.find('LI-HDR-004', 'lineinfo_num_blocks', 8, 4, `num_blocks is ${b}, but ${n} entries need ${blockCount(n)} block(s) of 64`);
  }
  if (f > 65535) m.find('LI-HDR-005', 'lineinfo_num_files', 4, 4, `num_files is ${f}, above the generator's limit of 65535`);

  const addrsOff = given?.lineinfo_block_addrs ?? 12;
  const offsetsOff = given?.lineinfo_block_offsets ?? 12 + 4 * b;
  const dataOff = given?.lineinfo_data ?? 12 + 8 * b;
  if (!view.contains(addrsOff, 4 * b) || !view.contains(offsetsOff, 4 * b) || !view.contains(dataOff, 0)) {
    m.find('LI-LAY-001', 'lineinfo_num_blocks', 8, 4, `${b} blocks need a ${8 * b}-byte index, which does not fit in the ${bytes.length}-byte image`);
    return m.build();
  }
  const blockAddrs: number[] = [];
  const blockOffsets: number[] = [];
  for (let i = 0; i < b; i++) {
    blockAddrs.push(view.u32(addrsOff + 4 * i));
    blockOffsets.push(view.u32(offsetsOff + 4 * i));
  }
  // The stream has no size symbol: it ends where the last block's entries end.
  const streamLimit = given?.lineinfo_file_offsets ?? bytes.length;
  let d = 0;
  if (b > 0) {
    const last = blockOffsets[b - 1]!;
    const end = last < streamLimit - dataOff ? lastBlockEnd(bytes, dataOff, last, kernelBlockEntries(b - 1, b, n), streamLimit) : null;
    if (end === null) {
      // The stream cannot be measured, but block offsets that are out of order or lie past the
      // image are below no stream size: LI-BLK-002 holds whatever D would have been.
      const room = Math.max(0, streamLimit - dataOff);
      for (let i = 0; i < b; i++) {
        const off = blockOffsets[i]!;
        if (off >= room) {
          m.find('LI-BLK-002', `block_offsets[${i}]`, offsetsOff + i * 4, 4,
            `block ${i} starts at stream offset ${off}, past the ${room} bytes the image has for the stream`);
        } else if (i > 0 && off <= blockOffsets[i - 1]!) {
          m.find('LI-BLK-002', `block_offsets[${i}]`, offsetsOff + i * 4, 4,
            `block ${i} starts at stream offset ${off}, not after block ${i - 1} (${blockOffsets[i - 1]})`);
        }
      }
      m.find('LI-STR-001', `block[${b - 1}]`, Math.min(dataOff + last, bytes.length), 0,
        `the last block (stream offset ${last}) does not end inside the image, so lineinfo_file_offsets cannot be located (the v1 kernel reads it unbounded)`);
      return m.build();
    }
    d = end;
  }
  const derived: Record<string, number> = {
    lineinfo_num_entries: 0,
    lineinfo_num_files: 4,
    lineinfo_num_blocks: 8,
    lineinfo_block_addrs: 12,
    lineinfo_block_offsets: 12 + 4 * b,
    lineinfo_data: 12 + 8 * b,
    lineinfo_file_offsets: align4(12 + 8 * b + d),
    lineinfo_filenames: align4(12 + 8 * b + d) + 4 * f,
  };
  const at = resolveSymbols(m, SYMBOLS, derived, given);
  const fileOffsetsOff = at.lineinfo_file_offsets!;
  const namesOff = at.lineinfo_filenames!;
  if (!view.contains(fileOffsetsOff, 4 * f) || !view.contains(namesOff, 0)) {
    m.find('LI-LAY-001', 'lineinfo_num_files', 4, 4, `${f} files need ${4 * f} bytes of lineinfo_file_offsets, which do not fit in the image`);
    return m.build();
  }
  m.region('index', 'lineinfo_block_addrs', addrsOff, 4 * b);
  m.region('index', 'lineinfo_block_offsets', offsetsOff, 4 * b);
  m.region('stream', 'lineinfo_data', dataOff, d);
  const padAt = dataOff + d;
  if (fileOffsetsOff > padAt) {
    m.region('padding', 'pad', padAt, fileOffsetsOff - padAt);
    if (fileOffsetsOff - padAt >= 4 || bytes.subarray(padAt, fileOffsetsOff).some((x) => x !== 0)) {
      m.find('LI-LAY-003', 'pad', padAt, fileOffsetsOff - padAt, `${fileOffsetsOff - padAt} byte(s) between the stream and lineinfo_file_offsets are not zero alignment padding`);
    }
  }
  m.region('file_table', 'lineinfo_file_offsets', fileOffsetsOff, 4 * f);
  m.region('names', 'lineinfo_filenames', namesOff, bytes.length - namesOff);
  readStream(bytes, { dataOff, dataSize: d, blockAddrs, blockOffsets, numEntries: n, addrsOff, offsetsOff }, 'zigzag', m);
  m.decoded = true;
  readFileTable(view, m, f, fileOffsetsOff, namesOff, bytes.length - namesOff, given === undefined);
  checkEntries(m, f, fileOffsetsOff);
  checkPaths(m, fileOffsetsOff);
  return m.build();
}

/**
 * The kernel's kallsyms_lookup_lineinfo() of patch 3: block binary search, the last block read
 * with data_end = UINT_MAX (unbounded), no `pos >= data_end` check, no name-offset bound.
 */
function lookupKernel(bytes: Uint8Array, endian: Endian, q: LookupQuery, given?: SymbolOffsets): LookupAnswer {
  const view = new SectionBytes(bytes, endian);
  try {
    const n = view.u32(0);
    const f = view.u32(given?.lineinfo_num_files ?? 4);
    const b = view.u32(given?.lineinfo_num_blocks ?? 8);
    if (n === 0 || b === 0) return { kind: 'miss', reason: 'num_entries or num_blocks is 0' };
    if (q.offset > 0xffff_ffff) return { kind: 'miss', reason: 'offset beyond 4 GiB' };
    const addrsOff = given?.lineinfo_block_addrs ?? 12;
    const offsetsOff = given?.lineinfo_block_offsets ?? 12 + 4 * b;
    const dataOff = given?.lineinfo_data ?? 12 + 8 * b;
    let low = 0;
    let high = b;
    while (low < high) {
      const mid = low + Math.floor((high - low) / 2);
      if (view.u32(addrsOff + 4 * mid) <= q.offset) low = mid + 1;
      else high = mid;
    }
    if (low === 0) return { kind: 'miss', reason: 'offset before the first block' };
    const block = low - 1;
    const count = kernelBlockEntries(block, b, n);
    const dataEnd = block + 1 < b ? view.u32(offsetsOff + 4 * (block + 1)) : 0xffff_ffff;
    const cursor = newCursor(bytes, dataOff, view.u32(offsetsOff + 4 * block), dataEnd);
    const r = kernelScanBlock(cursor, view.u32(addrsOff + 4 * block), count, q.offset, q.symbolStart, 'zigzag');
    if (!r.found) return { kind: 'miss', reason: 'no entry of the block at or before the offset (or symbol start)' };
    if (r.fileId >= f) return { kind: 'miss', reason: `file id ${r.fileId} >= num_files ${f}` };
    let fileOffsetsOff = given?.lineinfo_file_offsets;
    let namesOff = given?.lineinfo_filenames;
    if (fileOffsetsOff === undefined || namesOff === undefined) {
      // No symbols: locate lineinfo_file_offsets as the assembler placed it, after the last block.
      const last = view.u32(offsetsOff + 4 * (b - 1));
      const end = lastBlockEnd(bytes, dataOff, last, kernelBlockEntries(b - 1, b, n), bytes.length);
      if (end === null) return { kind: 'miss', reason: 'lineinfo_file_offsets cannot be located in the image' };
      fileOffsetsOff = align4(dataOff + end);
      namesOff = fileOffsetsOff + 4 * f;
    }
    const nameOffset = view.u32(fileOffsetsOff + 4 * r.fileId);
    return finishLookup(view, namesOff + nameOffset, r.fileId, r.line, r.addr);
  } catch (e) {
    return faultFrom(e);
  }
}

export const vmlinuxV1: Layout = {
  id: 'vmlinux-v1',
  container: 'vmlinux',
  traits: LAYOUT_TRAITS['vmlinux-v1'],
  title: 'vmlinux lineinfo_* symbols, block-indexed zigzag delta stream (v1 patch 3)',
  origin: '[PATCH 3/3] kallsyms: delta-compress lineinfo tables for ~2.7x size reduction (2026-03-03)',
  headerSize: 12,
  symbols: SYMBOLS,
  encode,
  emitAsm,
  read,
  lookupKernel,
};


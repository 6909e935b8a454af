/**
 * `v2`: the module `.mod_lineinfo` section of revision v2 of the series (2026-03-07) — the
 * 24-byte header of v1, the block index and the zigzag delta stream, then `.balign 4` zero
 * padding before the file table (fixing W9). Its kernel lookup drops v1's symbol-start check.
 * See spec/FORMAT.md, "Layout v2" and "Lookup: v2".
 */
import { LAYOUT_TRAITS } from './layout-id.js';
import { ByteSink } from '../format/endian.js';
import type { Endian } from '../format/endian.js';
import { newCursor } from '../format/leb128.js';
import { SectionBytes } from '../format/section-bytes.js';
import { add32, align4u32, mul32 } from '../format/u32-math.js';
import type { LineTable } from '../model/line-table.js';
import { ASM_HEADER, AsmText } from './asm-text.js';
import type { EncodeOptions } from './block-stream.js';
import { encodeStream, kernelBlockEntries, kernelScanBlock } from './block-stream.js';
import type { Layout, LookupAnswer, LookupQuery } from './layout.js';
import { faultFrom, finishLookup } from './lookup-common.js';
import { readCountsModule } from './module-v1.js';
import { encodeNames, writeFileTable } from './name-table.js';

const HEADER_SIZE = 24;

function encode(table: LineTable, endian: Endian, options: EncodeOptions = {}): Uint8Array {
  const names = encodeNames(table.files);
  const stream = encodeStream(table.entries, 'zigzag', options);
  const b = stream.blockAddrs.length;
  const sink = new ByteSink(endian, HEADER_SIZE + 8 * b + stream.data.length + 3 + 4 * table.files.length + names.bytes.length);
  sink.u32(table.entries.length);
  sink.u32(table.files.length);
  sink.u32(names.bytes.length);
  sink.u32(b);
  sink.u32(stream.data.length);
  sink.u32(0);
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
  const b = stream.blockAddrs.length;
  const asm = new AsmText(ASM_HEADER + '\nLayout v2 (module, delta-compressed, file table aligned).');
  asm.directive('.section .mod_lineinfo, "a"').blank();
  asm.directive('.balign 4')
    .longs([table.entries.length, table.files.length, names.bytes.length, b, stream.data.length, 0], 'dec')
    .blank();
  asm.longs(stream.blockAddrs, 'hex');
  if (b) asm.blank();
  asm.longs(stream.blockOffsets, 'dec');
  if (b) asm.blank();
  asm.byteRows(stream.data);
  asm.directive('.balign 4').blank();
  asm.longs(names.offsets, 'dec');
  if (table.files.length) asm.blank();
  asm.asciz(table.files);
  if (table.files.length) asm.blank();
  return asm.toString();
}

const read = readCountsModule('v2', true);

/**
 * The kernel's module_lookup_lineinfo() of v2: v1's u32 size check with the file table's
 * offset rounded up to 4 (can wrap, W10), block binary search, data_end = next block's offset
 * (not clamped to data_size, W11) or data_size, `pos >= data_end`, in-block scan without a
 * symbol bound (v2 removed it), then the file-id and name-offset bounds. No NUL check (W12).
 */
function lookupKernel(bytes: Uint8Array, endian: Endian, q: LookupQuery): LookupAnswer {
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
    const fileOffsetsOff = align4u32(add32(dataOff, d));
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
    const r = kernelScanBlock(cursor, view.u32(HEADER_SIZE + 4 * block), count, q.offset, undefined, 'zigzag');
    if (!r.found) return { kind: 'miss', reason: 'no entry of the block at or before the offset' };
    if (r.fileId >= f) return { kind: 'miss', reason: `file id ${r.fileId} >= num_files ${f}` };
    const nameOffset = view.u32(fileOffsetsOff + 4 * r.fileId);
    if (nameOffset >= s) return { kind: 'miss', reason: `name offset ${nameOffset} >= filenames_size ${s}` };
    return finishLookup(view, namesOff + nameOffset, r.fileId, r.line, r.addr);
  } catch (e) {
    return faultFrom(e);
  }
}

export const moduleV2: Layout = {
  id: 'v2',
  container: 'module',
  traits: LAYOUT_TRAITS['v2'],
  title: 'module .mod_lineinfo, block-indexed zigzag delta stream, aligned file table (v2)',
  origin: '[PATCH v2 3/4] kallsyms: delta-compress lineinfo tables for ~2.7x size reduction (2026-03-07)',
  headerSize: HEADER_SIZE,
  encode,
  emitAsm,
  read,
  lookupKernel,
};

/**
 * `v1-flat`: the module `.mod_lineinfo` section of the original series, patch 2/3 — a 16-byte
 * header and three parallel flat arrays. See spec/FORMAT.md, "Layout v1-flat".
 */
import { LAYOUT_TRAITS } from './layout-id.js';
import { ByteSink } from '../format/endian.js';
import type { Endian } from '../format/endian.js';
import { OutOfSection, SectionBytes } from '../format/section-bytes.js';
import { add32, align4, align4u32, hex, mul32 } from '../format/u32-math.js';
import type { LineTable } from '../model/line-table.js';
import { ASM_HEADER, AsmText } from './asm-text.js';
import { checkEntries, checkPaths } from './entry-rules.js';
import type { Layout, LookupAnswer, LookupQuery, ReadOptions, SectionModel, SymbolOffsets } from './layout.js';
import { ModelBuilder } from './model-builder.js';
import { isSectionPadding } from './trailing-padding.js';
import { encodeNames, readFileTable, writeFileTable } from './name-table.js';
import { faultFrom, finishLookup } from './lookup-common.js';

const HEADER_SIZE = 16;

/** Exact offsets of every array for given header counts. */
export function flatModuleOffsets(n: number, f: number, s: number) {
  const fileIds = HEADER_SIZE + 4 * n;
  const pad = fileIds + 2 * n;
  const lines = align4(pad);
  const fileOffsets = lines + 4 * n;
  const names = fileOffsets + 4 * f;
  return { addrs: HEADER_SIZE, fileIds, pad, lines, fileOffsets, names, end: names + s };
}

function encode(table: LineTable, endian: Endian): Uint8Array {
  const names = encodeNames(table.files);
  const n = table.entries.length;
  const sink = new ByteSink(endian, HEADER_SIZE + 10 * n + 4 * table.files.length + names.bytes.length + 4);
  sink.u32(n);
  sink.u32(table.files.length);
  sink.u32(names.bytes.length);
  sink.u32(0);
  for (const e of table.entries) sink.u32(e.offset);
  for (const e of table.entries) sink.u16(e.fileId);
  if (n & 1) sink.u16(0);
  for (const e of table.entries) sink.u32(e.line);
  writeFileTable(sink, names);
  sink.bytes(names.bytes);
  return sink.finish();
}

function emitAsm(table: LineTable): string {
  const names = encodeNames(table.files);
  const n = table.entries.length;
  const asm = new AsmText(ASM_HEADER + '\nLayout v1-flat (module).');
  asm.directive('.section .mod_lineinfo, "a"').blank();
  asm.directive('.balign 4').longs([n, table.files.length, names.bytes.length, 0], 'dec').blank();
  asm.longs(table.entries.map((e) => e.offset), 'hex');
  if (n) asm.blank();
  asm.shorts(table.entries.map((e) => e.fileId));
  if (n & 1) asm.directive('.short 0');
  if (n) asm.blank();
  asm.longs(table.entries.map((e) => e.line), 'dec');
  if (n) asm.blank();
  asm.longs(names.offsets, 'dec');
  if (table.files.length) asm.blank();
  asm.asciz(table.files);
  if (table.files.length) asm.blank();
  return asm.toString();
}

function read(bytes: Uint8Array, endian: Endian, _symbols?: SymbolOffsets, options?: ReadOptions): SectionModel {
  const view = new SectionBytes(bytes, endian);
  const m = new ModelBuilder('v1-flat', endian, bytes.length, options);
  if (bytes.length < HEADER_SIZE) {
    m.find('LI-HDR-001', 'header', 0, bytes.length, `section is ${bytes.length} bytes, smaller than the ${HEADER_SIZE}-byte header`);
    return m.build();
  }
  const n = m.field('num_entries', view.u32(0), 0);
  const f = m.field('num_files', view.u32(4), 4);
  const s = m.field('filenames_size', view.u32(8), 8);
  const reserved = m.field('reserved', view.u32(12), 12);
  m.region('header', 'header', 0, HEADER_SIZE);
  if (reserved !== 0) m.find('LI-HDR-002', 'header.reserved', 12, 4, `reserved is ${hex(reserved)}, not 0`);
  if (n === 0) m.find('LI-HDR-003', 'header.num_entries', 0, 4, 'num_entries is 0: the table annotates nothing');
  if (f > 65535) m.find('LI-HDR-005', 'header.num_files', 4, 4, `num_files is ${f}, above the generator's limit of 65535`);
  const o = flatModuleOffsets(n, f, s);
  if (o.end > bytes.length) {
    const wrapped = add32(add32(add32(align4u32(add32(16, mul32(n, 6))), mul32(n, 4)), mul32(f, 4)), s);
    const note = wrapped <= bytes.length ? ` (in 32-bit arithmetic the end wraps to ${hex(wrapped)}, which a kernel size check accepts)` : '';
    m.find('LI-LAY-001', 'header', 0, HEADER_SIZE,
      `the header describes ${o.end} bytes (${n} entries, ${f} files, ${s} name bytes) but the section has ${bytes.length}${note}`);
    return m.build();
  }
  m.region('index', 'addrs', o.addrs, 4 * n);
  m.region('entries', 'file_ids', o.fileIds, 2 * n);
  m.region('padding', 'pad', o.pad, o.lines - o.pad);
  m.region('entries', 'lines', o.lines, 4 * n);
  m.region('file_table', 'file_offsets', o.fileOffsets, 4 * f);
  m.region('names', 'filenames', o.names, s);
  m.region('trailing', 'trailing', o.end, bytes.length - o.end);
  if (o.lines > o.pad && view.u16(o.pad) !== 0) m.find('LI-LAY-003', 'pad', o.pad, 2, 'the padding after file_ids[] is not zero');
  if (o.end < bytes.length && !isSectionPadding(bytes, o.end)) {
    m.find('LI-LAY-002', 'trailing', o.end, bytes.length - o.end, `${bytes.length - o.end} byte(s) follow the name table`);
  }
  if (m.stop) return m.build(); // a lookup-only read needs no more
  const entries = new Array(n);
  for (let i = 0; i < n; i++) {
    entries[i] = {
      offset: view.u32(o.addrs + 4 * i),
      fileId: view.u16(o.fileIds + 2 * i),
      line: view.u32(o.lines + 4 * i),
      at: o.addrs + 4 * i,
      length: 4,
      fileAt: o.fileIds + 2 * i,
      lineAt: o.lines + 4 * i,
    };
  }
  m.entries = entries;
  m.decoded = true;
  readFileTable(view, m, f, o.fileOffsets, o.names, s);
  checkEntries(m, f, o.fileOffsets);
  checkPaths(m, o.fileOffsets);
  return m.build();
}

/**
 * The kernel's module_lookup_lineinfo() for this layout: u32 offset arithmetic in the size check
 * (it can wrap), binary search for the largest entry <= offset, the symbol-start check, then
 * file id and name-offset bounds. Reads the kernel would make outside the section become faults.
 */
function lookupKernel(bytes: Uint8Array, endian: Endian, q: LookupQuery): LookupAnswer {
  const view = new SectionBytes(bytes, endian);
  try {
    if (bytes.length < HEADER_SIZE) return { kind: 'miss', reason: 'section smaller than the header' };
    const n = view.u32(0);
    const f = view.u32(4);
    const s = view.u32(8);
    if (n === 0) return { kind: 'miss', reason: 'num_entries is 0' };
    const fileIdsOff = add32(HEADER_SIZE, mul32(n, 4));
    const linesOff = align4u32(add32(fileIdsOff, mul32(n, 2)));
    const fileOffsetsOff = add32(linesOff, mul32(n, 4));
    const namesOff = add32(fileOffsetsOff, mul32(f, 4));
    if (bytes.length < add32(namesOff, s)) return { kind: 'miss', reason: 'section smaller than the header says' };
    if (q.offset > 0xffff_ffff) return { kind: 'miss', reason: 'offset beyond 4 GiB' };
    let low = 0;
    let high = n;
    while (low < high) {
      const mid = low + Math.floor((high - low) / 2);
      if (view.u32(HEADER_SIZE + 4 * mid) <= q.offset) low = mid + 1;
      else high = mid;
    }
    if (low === 0) return { kind: 'miss', reason: 'offset before the first entry' };
    low--;
    const entryOffset = view.u32(HEADER_SIZE + 4 * low);
    if (q.symbolStart !== undefined && entryOffset < q.symbolStart) {
      return { kind: 'miss', reason: `nearest entry ${hex(entryOffset)} is before the symbol start ${hex(q.symbolStart)}` };
    }
    const fileId = view.u16(fileIdsOff + 2 * low);
    if (fileId >= f) return { kind: 'miss', reason: `file id ${fileId} >= num_files ${f}` };
    const nameOffset = view.u32(fileOffsetsOff + 4 * fileId);
    if (nameOffset >= s) return { kind: 'miss', reason: `name offset ${nameOffset} >= filenames_size ${s}` };
    const line = view.u32(linesOff + 4 * low);
    return finishLookup(view, namesOff + nameOffset, fileId, line, entryOffset);
  } catch (e) {
    return faultFrom(e);
  }
}

export const moduleV1Flat: Layout = {
  id: 'v1-flat',
  container: 'module',
  traits: LAYOUT_TRAITS['v1-flat'],
  title: 'module .mod_lineinfo, flat arrays (v1 patch 2)',
  origin: '[PATCH 2/3] kallsyms: extend lineinfo to loadable modules (2026-03-03)',
  headerSize: HEADER_SIZE,
  encode,
  emitAsm,
  read,
  lookupKernel,
};

export { OutOfSection };

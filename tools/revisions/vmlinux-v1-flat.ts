/**
 * `vmlinux-v1-flat`: the vmlinux tables of the original series, patch 1/3 — seven symbols, flat
 * arrays. Image layout and lookup: spec/FORMAT.md, "Layout vmlinux-v1-flat".
 */
import { LAYOUT_TRAITS } from './layout-id.js';
import { ByteSink } from '../format/endian.js';
import type { Endian } from '../format/endian.js';
import { SectionBytes } from '../format/section-bytes.js';
import { align4, hex } from '../format/u32-math.js';
import type { LineTable } from '../model/line-table.js';
import { ASM_HEADER, AsmText } from './asm-text.js';
import { checkEntries, checkPaths } from './entry-rules.js';
import type { Layout, LookupAnswer, LookupQuery, ReadOptions, SectionModel, SymbolOffsets } from './layout.js';
import { faultFrom, finishLookup } from './lookup-common.js';
import { ModelBuilder } from './model-builder.js';
import { encodeNames, readFileTable, writeFileTable } from './name-table.js';
import { resolveSymbols } from './vmlinux-symbols.js';

export const SYMBOLS = [
  'lineinfo_num_entries',
  'lineinfo_num_files',
  'lineinfo_addrs',
  'lineinfo_file_ids',
  'lineinfo_lines',
  'lineinfo_file_offsets',
  'lineinfo_filenames',
] as const;

function derive(n: number, f: number): Record<string, number> {
  const lines = align4(8 + 6 * n);
  return {
    lineinfo_num_entries: 0,
    lineinfo_num_files: 4,
    lineinfo_addrs: 8,
    lineinfo_file_ids: 8 + 4 * n,
    lineinfo_lines: lines,
    lineinfo_file_offsets: lines + 4 * n,
    lineinfo_filenames: lines + 4 * n + 4 * f,
  };
}

function encode(table: LineTable, endian: Endian): Uint8Array {
  const names = encodeNames(table.files);
  const n = table.entries.length;
  const sink = new ByteSink(endian, 8 + 10 * n + 4 * table.files.length + names.bytes.length + 4);
  sink.u32(n);
  sink.u32(table.files.length);
  for (const e of table.entries) sink.u32(e.offset);
  for (const e of table.entries) sink.u16(e.fileId);
  sink.align(4);
  for (const e of table.entries) sink.u32(e.line);
  writeFileTable(sink, names);
  sink.bytes(names.bytes);
  return sink.finish();
}

function emitAsm(table: LineTable): string {
  const names = encodeNames(table.files);
  const asm = new AsmText(ASM_HEADER + '\nLayout vmlinux-v1-flat.');
  asm.directive('.section .rodata, "a"').blank();
  asm.globalLabel('lineinfo_num_entries', 4).longs([table.entries.length], 'dec').blank();
  asm.globalLabel('lineinfo_num_files', 4).longs([table.files.length], 'dec').blank();
  asm.globalLabel('lineinfo_addrs', 4).longs(table.entries.map((e) => e.offset), 'hex').blank();
  asm.globalLabel('lineinfo_file_ids', 2).shorts(table.entries.map((e) => e.fileId)).blank();
  asm.globalLabel('lineinfo_lines', 4).longs(table.entries.map((e) => e.line), 'dec').blank();
  asm.globalLabel('lineinfo_file_offsets', 4).longs(names.offsets, 'dec').blank();
  asm.globalLabel('lineinfo_filenames', null).asciz(table.files).blank();
  return asm.toString();
}

function read(bytes: Uint8Array, endian: Endian, given?: SymbolOffsets, options?: ReadOptions): SectionModel {
  const view = new SectionBytes(bytes, endian);
  const m = new ModelBuilder('vmlinux-v1-flat', endian, bytes.length, options);
  if (bytes.length < 8) {
    m.find('LI-HDR-001', 'header', 0, bytes.length, `table image is ${bytes.length} bytes, smaller than the two 4-byte counts`);
    return m.build();
  }
  const n = m.field('lineinfo_num_entries', view.u32(0), 0);
  const numFilesAt = given?.lineinfo_num_files ?? 4;
  if (!view.contains(numFilesAt, 4)) {
    m.find('LI-VML-001', 'lineinfo_num_files', numFilesAt, 4, 'lineinfo_num_files lies outside the table image');
    return m.build();
  }
  const f = m.field('lineinfo_num_files', view.u32(numFilesAt), numFilesAt);
  m.region('header', 'lineinfo_num_entries', 0, 4);
  m.region('header', 'lineinfo_num_files', numFilesAt, 4);
  if (n === 0) m.find('LI-HDR-003', 'lineinfo_num_entries', 0, 4, 'num_entries is 0: the table annotates nothing');
  if (f > 65535) m.find('LI-HDR-005', 'lineinfo_num_files', numFilesAt, 4, `num_files is ${f}, above the generator's limit of 65535`);
  const at = resolveSymbols(m, SYMBOLS, derive(n, f), given);
  const need: [string, number][] = [
    ['lineinfo_addrs', 4 * n],
    ['lineinfo_file_ids', 2 * n],
    ['lineinfo_lines', 4 * n],
    ['lineinfo_file_offsets', 4 * f],
    ['lineinfo_filenames', 0],
  ];
  for (const [name, size] of need) {
    if (!view.contains(at[name]!, size)) {
      m.find('LI-LAY-001', name, 0, 8, `${name} (${size} bytes at image offset ${hex(at[name]!)}) does not fit in the ${bytes.length}-byte image`);
      return m.build();
    }
  }
  const namesOff = at.lineinfo_filenames!;
  const namesSize = bytes.length - namesOff;
  m.region('index', 'lineinfo_addrs', at.lineinfo_addrs!, 4 * n);
  m.region('entries', 'lineinfo_file_ids', at.lineinfo_file_ids!, 2 * n);
  const padAt = at.lineinfo_file_ids! + 2 * n;
  if (at.lineinfo_lines! > padAt && at.lineinfo_lines! - padAt < 4) {
    m.region('padding', 'pad', padAt, at.lineinfo_lines! - padAt);
    if (view.u16(padAt) !== 0) m.find('LI-LAY-003', 'pad', padAt, 2, 'the padding after lineinfo_file_ids is not zero');
  }
  m.region('entries', 'lineinfo_lines', at.lineinfo_lines!, 4 * n);
  m.region('file_table', 'lineinfo_file_offsets', at.lineinfo_file_offsets!, 4 * f);
  m.region('names', 'lineinfo_filenames', namesOff, namesSize);
  if (m.stop) return m.build(); // a lookup-only read needs no more
  const entries = new Array(n);
  for (let i = 0; i < n; i++) {
    entries[i] = {
      offset: view.u32(at.lineinfo_addrs! + 4 * i),
      fileId: view.u16(at.lineinfo_file_ids! + 2 * i),
      line: view.u32(at.lineinfo_lines! + 4 * i),
      at: at.lineinfo_addrs! + 4 * i,
      length: 4,
      fileAt: at.lineinfo_file_ids! + 2 * i,
      lineAt: at.lineinfo_lines! + 4 * i,
    };
  }
  m.entries = entries;
  m.decoded = true;
  readFileTable(view, m, f, at.lineinfo_file_offsets!, namesOff, namesSize, given === undefined);
  checkEntries(m, f, at.lineinfo_file_offsets!);
  checkPaths(m, at.lineinfo_file_offsets!);
  return m.build();
}

/**
 * The kernel's kallsyms_lookup_lineinfo() of patch 1: offset <= 4 GiB, binary search, the
 * symbol-start rule, file id bound, and no bound on file_offsets[] (the vmlinux tables are
 * trusted) — an out-of-image name is a fault here.
 */
function lookupKernel(bytes: Uint8Array, endian: Endian, q: LookupQuery, given?: SymbolOffsets): LookupAnswer {
  const view = new SectionBytes(bytes, endian);
  try {
    const n = view.u32(0);
    if (n === 0) return { kind: 'miss', reason: 'num_entries is 0' };
    const f = view.u32(given?.lineinfo_num_files ?? 4);
    const at = given && SYMBOLS.every((s) => given[s] !== undefined) ? given : derive(n, f);
    if (q.offset > 0xffff_ffff) return { kind: 'miss', reason: 'offset beyond 4 GiB' };
    let low = 0;
    let high = n;
    while (low < high) {
      const mid = low + Math.floor((high - low) / 2);
      if (view.u32(at.lineinfo_addrs! + 4 * mid) <= q.offset) low = mid + 1;
      else high = mid;
    }
    if (low === 0) return { kind: 'miss', reason: 'offset before the first entry' };
    low--;
    const entryOffset = view.u32(at.lineinfo_addrs! + 4 * low);
    if (q.symbolStart !== undefined && entryOffset < q.symbolStart) {
      return { kind: 'miss', reason: `nearest entry ${hex(entryOffset)} is before the symbol start ${hex(q.symbolStart)}` };
    }
    const fileId = view.u16(at.lineinfo_file_ids! + 2 * low);
    if (fileId >= f) return { kind: 'miss', reason: `file id ${fileId} >= num_files ${f}` };
    const nameOffset = view.u32(at.lineinfo_file_offsets! + 4 * fileId);
    const line = view.u32(at.lineinfo_lines! + 4 * low);
    return finishLookup(view, at.lineinfo_filenames! + nameOffset, fileId, line, entryOffset);
  } catch (e) {
    return faultFrom(e);
  }
}

export const vmlinuxV1Flat: Layout = {
  id: 'vmlinux-v1-flat',
  container: 'vmlinux',
  traits: LAYOUT_TRAITS['vmlinux-v1-flat'],
  title: 'vmlinux lineinfo_* symbols, flat arrays (v1 patch 1)',
  origin: '[PATCH 1/3] kallsyms: embed source file:line info in kernel stack traces (2026-03-03)',
  headerSize: 8,
  symbols: SYMBOLS,
  encode,
  emitAsm,
  read,
  lookupKernel,
};

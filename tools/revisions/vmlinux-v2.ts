/**
 * `vmlinux-v2`: the vmlinux tables of revision v2 (2026-03-07) — vmlinux-v1's symbols plus
 * `lineinfo_data_size` (before the stream) and `lineinfo_filenames_size` (between the file
 * table and the names), zigzag delta stream. spec/FORMAT.md, "Layout vmlinux-v2".
 *
 * The later vmlinux revisions keep these symbols and change only the stream coding and the
 * lookup, so this module also holds the shared implementation (`sizedVmlinuxLayout`) that
 * vmlinux-v3.ts and vmlinux-v7.ts instantiate.
 */
import { LAYOUT_TRAITS } from './layout-id.js';
import type { LayoutId } from './layout-id.js';
import { ByteSink } from '../format/endian.js';
import type { Endian } from '../format/endian.js';
import { SectionBytes } from '../format/section-bytes.js';
import { align4 } from '../format/u32-math.js';
import type { LineTable } from '../model/line-table.js';
import { ASM_HEADER, AsmText } from './asm-text.js';
import type { DeltaCoding, EncodeOptions } from './block-stream.js';
import { blockCount, encodeStream, readStream } from './block-stream.js';
import { checkEntries, checkPaths } from './entry-rules.js';
import type { Layout, LookupAnswer, LookupQuery, ReadOptions, SectionModel, SymbolOffsets } from './layout.js';
import { kernelLineinfoSearch } from './lineinfo-search.js';
import { faultFrom } from './lookup-common.js';
import { ModelBuilder } from './model-builder.js';
import { encodeNames, readFileTable, writeFileTable } from './name-table.js';
import { resolveSymbols } from './vmlinux-symbols.js';

export const SIZED_SYMBOLS = [
  'lineinfo_num_entries',
  'lineinfo_num_files',
  'lineinfo_num_blocks',
  'lineinfo_block_addrs',
  'lineinfo_block_offsets',
  'lineinfo_data_size',
  'lineinfo_data',
  'lineinfo_file_offsets',
  'lineinfo_filenames_size',
  'lineinfo_filenames',
] as const;

/** Image offsets of every symbol as the assembler places the generator's output. */
export function sizedVmlinuxOffsets(b: number, d: number, f: number) {
  const dataSize = 12 + 8 * b;
  const data = dataSize + 4;
  const fileOffsets = align4(data + d);
  const namesSize = fileOffsets + 4 * f;
  return {
    lineinfo_num_entries: 0,
    lineinfo_num_files: 4,
    lineinfo_num_blocks: 8,
    lineinfo_block_addrs: 12,
    lineinfo_block_offsets: 12 + 4 * b,
    lineinfo_data_size: dataSize,
    lineinfo_data: data,
    lineinfo_file_offsets: fileOffsets,
    lineinfo_filenames_size: namesSize,
    lineinfo_filenames: namesSize + 4,
  };
}

export interface SizedVmlinuxVariant {
  readonly id: LayoutId;
  readonly coding: DeltaCoding;
  /** v3 on: the shared lineinfo_search() clamps every block's end to lineinfo_data_size */
  readonly clamp: boolean;
  readonly title: string;
  readonly origin: string;
  /** what the lookup's doc comment and FORMAT.md call this revision's lookup */
  readonly asmNote: string;
}

export function sizedVmlinuxLayout(v: SizedVmlinuxVariant): Layout {
  const traits = LAYOUT_TRAITS[v.id];

  function encode(table: LineTable, endian: Endian, options: EncodeOptions = {}): Uint8Array {
    const names = encodeNames(table.files);
    const stream = encodeStream(table.entries, v.coding, options);
    const b = stream.blockAddrs.length;
    const sink = new ByteSink(endian, 24 + 8 * b + stream.data.length + 4 * table.files.length + names.bytes.length);
    sink.u32(table.entries.length);
    sink.u32(table.files.length);
    sink.u32(b);
    for (const a of stream.blockAddrs) sink.u32(a);
    for (const o of stream.blockOffsets) sink.u32(o);
    sink.u32(stream.data.length);
    sink.bytes(stream.data);
    sink.align(4);
    writeFileTable(sink, names);
    sink.u32(names.bytes.length);
    sink.bytes(names.bytes);
    return sink.finish();
  }

  function emitAsm(table: LineTable): string {
    const names = encodeNames(table.files);
    const stream = encodeStream(table.entries, v.coding);
    const asm = new AsmText(ASM_HEADER + `\nLayout ${v.id} (${v.asmNote}).`);
    asm.directive('.section .rodata, "a"').blank();
    asm.globalLabel('lineinfo_num_entries', 4).longs([table.entries.length], 'dec').blank();
    asm.globalLabel('lineinfo_num_files', 4).longs([table.files.length], 'dec').blank();
    asm.globalLabel('lineinfo_num_blocks', 4).longs([stream.blockAddrs.length], 'dec').blank();
    asm.globalLabel('lineinfo_block_addrs', 4).longs(stream.blockAddrs, 'hex').blank();
    if (v.coding === 'zigzag') {
      asm.globalLabel('lineinfo_block_offsets', 4).longs(stream.blockOffsets, 'dec').blank();
      asm.globalLabel('lineinfo_data_size', 4).longs([stream.data.length], 'dec').blank();
      asm.globalLabel('lineinfo_data', null).byteRows(stream.data).blank();
    } else {
      // v3 on: offsets and the size are label differences, the stream is LEB128 directives.
      asm.globalLabel('lineinfo_block_offsets', 4);
      for (let i = 0; i < stream.blockAddrs.length; i++) asm.directive(`.long .Lblock_${i} - lineinfo_data`);
      asm.blank();
      asm.globalLabel('lineinfo_data_size', 4).directive('.long .Ldata_end - lineinfo_data').blank();
      asm.globalLabel('lineinfo_data', null);
      emitLebStream(asm, table);
      asm.label('.Ldata_end').blank();
    }
    asm.globalLabel('lineinfo_file_offsets', 4).longs(names.offsets, 'dec').blank();
    asm.globalLabel('lineinfo_filenames_size', 4).longs([names.bytes.length], 'dec').blank();
    asm.globalLabel('lineinfo_filenames', null).asciz(table.files).blank();
    return asm.toString();
  }

  function read(bytes: Uint8Array, endian: Endian, given?: SymbolOffsets, options?: ReadOptions): SectionModel {
    const view = new SectionBytes(bytes, endian);
    const m = new ModelBuilder(v.id, endian, bytes.length, options);
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
    const dataSizeOff = given?.lineinfo_data_size ?? 12 + 8 * b;
    if (!view.contains(addrsOff, 4 * b) || !view.contains(offsetsOff, 4 * b) || !view.contains(dataSizeOff, 4)) {
      m.find('LI-LAY-001', 'lineinfo_num_blocks', 8, 4, `${b} blocks need a ${8 * b}-byte index and lineinfo_data_size, which do not fit in the ${bytes.length}-byte image`);
      return m.build();
    }
    const d = m.field('lineinfo_data_size', view.u32(dataSizeOff), dataSizeOff);
    const dataOff = given?.lineinfo_data ?? dataSizeOff + 4;
    if (!view.contains(dataOff, d)) {
      m.find('LI-LAY-001', 'lineinfo_data_size', dataSizeOff, 4, `lineinfo_data_size is ${d}, but only ${Math.max(0, bytes.length - dataOff)} byte(s) of the image follow lineinfo_data`);
      return m.build();
    }
    const fileOffsetsOff = given?.lineinfo_file_offsets ?? align4(dataOff + d);
    const namesSizeOff = given?.lineinfo_filenames_size ?? fileOffsetsOff + 4 * f;
    if (!view.contains(fileOffsetsOff, 4 * f) || !view.contains(namesSizeOff, 4)) {
      m.find('LI-LAY-001', 'lineinfo_num_files', 4, 4, `${f} files need ${4 * f} bytes of lineinfo_file_offsets and lineinfo_filenames_size, which do not fit in the image`);
      return m.build();
    }
    const s = m.field('lineinfo_filenames_size', view.u32(namesSizeOff), namesSizeOff);
    const namesOff = given?.lineinfo_filenames ?? namesSizeOff + 4;
    if (!view.contains(namesOff, s)) {
      m.find('LI-LAY-001', 'lineinfo_filenames_size', namesSizeOff, 4, `lineinfo_filenames_size is ${s}, but only ${Math.max(0, bytes.length - namesOff)} byte(s) of the image follow lineinfo_filenames`);
      return m.build();
    }
    const derived = sizedVmlinuxOffsets(b, d, f);
    resolveSymbols(m, SIZED_SYMBOLS, derived, given);

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
    m.region('names', 'lineinfo_filenames', namesOff, s);
    const blockAddrs: number[] = [];
    const blockOffsets: number[] = [];
    for (let i = 0; i < b; i++) {
      blockAddrs.push(view.u32(addrsOff + 4 * i));
      blockOffsets.push(view.u32(offsetsOff + 4 * i));
    }
    readStream(bytes, { dataOff, dataSize: d, blockAddrs, blockOffsets, numEntries: n, addrsOff, offsetsOff }, v.coding, m);
    m.decoded = true;
    readFileTable(view, m, f, fileOffsetsOff, namesOff, s);
    checkEntries(m, f, fileOffsetsOff);
    checkPaths(m, fileOffsetsOff);
    return m.build();
  }

  /**
   * The kernel's kallsyms_lookup_lineinfo(): every array through its symbol (derived positions
   * when only an image is given), the block search, data_end = next block's offset or
   * lineinfo_data_size (v3 on: clamped to it), `pos >= data_end`, the scan, the file-id and
   * name-offset bounds; v7: the min_offset symbol bound.
   */
  function lookupKernel(bytes: Uint8Array, endian: Endian, q: LookupQuery, given?: SymbolOffsets): LookupAnswer {
    const view = new SectionBytes(bytes, endian);
    try {
      const n = view.u32(0);
      const f = view.u32(given?.lineinfo_num_files ?? 4);
      const b = view.u32(given?.lineinfo_num_blocks ?? 8);
      if (n === 0 || b === 0) return { kind: 'miss', reason: 'num_entries or num_blocks is 0' };
      if (q.offset > 0xffff_ffff) return { kind: 'miss', reason: 'offset beyond 4 GiB' };
      const dataSizeOff = given?.lineinfo_data_size ?? 12 + 8 * b;
      const d = view.u32(dataSizeOff);
      const dataOff = given?.lineinfo_data ?? dataSizeOff + 4;
      const fileOffsetsOff = given?.lineinfo_file_offsets ?? align4(dataOff + d);
      const namesSizeOff = given?.lineinfo_filenames_size ?? fileOffsetsOff + 4 * f;
      const tbl = {
        blkAddrs: given?.lineinfo_block_addrs ?? 12,
        blkOffsets: given?.lineinfo_block_offsets ?? 12 + 4 * b,
        data: dataOff,
        dataSize: d,
        fileOffsets: fileOffsetsOff,
        filenames: given?.lineinfo_filenames ?? namesSizeOff + 4,
        numEntries: n,
        numBlocks: b,
        numFiles: f,
        // read only when a lookup gets that far (the kernel reads the symbol there)
        filenamesSize: () => view.u32(namesSizeOff),
      };
      // v7: min_offset only for a symbol that starts at or before the offset, else 0
      const minOffset = traits.symbolBound && q.symbolStart !== undefined && q.symbolStart <= q.offset ? q.symbolStart : 0;
      return kernelLineinfoSearch(view, tbl, q.offset, { coding: v.coding, clamp: v.clamp, minOffset });
    } catch (e) {
      return faultFrom(e);
    }
  }

  return {
    id: v.id,
    container: 'vmlinux',
    traits,
    title: v.title,
    origin: v.origin,
    headerSize: 12,
    symbols: SIZED_SYMBOLS,
    encode,
    emitAsm,
    read,
    lookupKernel,
  };
}

/**
 * The stream as the v3+ generator writes it: a `.Lblock_N:` label per block, then one
 * `.uleb128 %u` / `.sleb128 %d` directive per varint.
 */
export function emitLebStream(asm: AsmText, table: LineTable): void {
  const e = table.entries;
  for (let base = 0, k = 0; base < e.length; base += 64, k++) {
    asm.label(`.Lblock_${k}`);
    asm.directive(`.uleb128 ${e[base]!.fileId >>> 0}`).directive(`.uleb128 ${e[base]!.line >>> 0}`);
    const end = Math.min(base + 64, e.length);
    for (let i = base + 1; i < end; i++) {
      asm.directive(`.uleb128 ${(e[i]!.offset - e[i - 1]!.offset) >>> 0}`);
      asm.directive(`.sleb128 ${(e[i]!.fileId - e[i - 1]!.fileId) | 0}`);
      asm.directive(`.sleb128 ${(e[i]!.line - e[i - 1]!.line) | 0}`);
    }
  }
}

export const vmlinuxV2: Layout = sizedVmlinuxLayout({
  id: 'vmlinux-v2',
  coding: 'zigzag',
  clamp: false,
  title: 'vmlinux lineinfo_* symbols with data and name-table sizes, zigzag delta stream (v2)',
  origin: '[PATCH v2 3/4] kallsyms: delta-compress lineinfo tables for ~2.7x size reduction (2026-03-07)',
  asmNote: 'delta-compressed, with lineinfo_data_size and lineinfo_filenames_size',
});

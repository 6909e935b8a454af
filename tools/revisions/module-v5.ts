/**
 * `v5` (= v6) and `v7`: the sectioned module blobs (`.mod_lineinfo` for `.text`, `.exit.text`
 * and, from v7, `.noinstr.text`; `.init.mod_lineinfo` for `.init.text`). The bytes are the same
 * in both; v7's lookup adds the symbol-start bound (`min_offset`). spec/FORMAT.md, "Layout v5"
 * and "Layout v7"; the codec is in sectioned-blob.ts.
 */
import type { Endian } from '../format/endian.js';
import { newCursor } from '../format/leb128.js';
import { SectionBytes } from '../format/section-bytes.js';
import { hex } from '../format/u32-math.js';
import type { LineTable } from '../model/line-table.js';
import { ASM_HEADER, AsmText } from './asm-text.js';
import { blockCount, encodeStream, kernelBlockEntries, kernelScanBlock, readStream } from './block-stream.js';
import { checkEntries, checkPaths } from './entry-rules.js';
import { LAYOUT_TRAITS } from './layout-id.js';
import type { CoveredTable, Layout, LookupAnswer, LookupQuery, ReadOptions, SectionModel } from './layout.js';
import { faultFrom, finishLookup } from './lookup-common.js';
import { ModelBuilder } from './model-builder.js';
import { encodeNames, readFileTable } from './name-table.js';
import type { SectionedEncodeOptions, TableField } from './sectioned-blob.js';
import { blobFromTable, DESCRIPTOR_SIZE, encodeBlob, ROOT_SIZE, TABLE_FIELDS, TABLE_HEADER_SIZE } from './sectioned-blob.js';
import { entryListCount } from '../model/line-table.js';
import { isSectionPadding } from './trailing-padding.js';

const U32_MAX = 0xffff_ffff;
const U64_MASK = (1n << 64n) - 1n;

function encode(table: LineTable, endian: Endian, options: SectionedEncodeOptions = {}): Uint8Array {
  return encodeBlob(blobFromTable(table), endian, options).bytes;
}

/**
 * The assembly of a blob as the generator lays it out, with the table labels placed after
 * `.balign 4` (the post-v7 fix of W23; for the table of a plain line table there is one table, so
 * the two orders give the same bytes). Anchors are the in-memory values as `.quad` (64-bit
 * targets); a module build emits `.quad <section symbol>` and lets a relocation fill it in.
 */
function emitAsm(table: LineTable, id: 'v5' | 'v7'): string {
  const blob = blobFromTable(table);
  const names = encodeNames(blob.files);
  const asm = new AsmText(`${ASM_HEADER}\nLayout ${id} (module, sectioned; one blob).`);
  asm.directive('.section .mod_lineinfo, "a"').directive('.balign 8').label('.Lroot');
  asm.longs([blob.sections.length, 0], 'dec').blank();
  blob.sections.forEach((s, k) => {
    asm.directive(`.quad 0x${s.anchor.toString(16)}`).longs([s.size], 'dec').directive(`.long .Lhdr_${k} - .Lroot`).blank();
  });
  blob.sections.forEach((s, k) => {
    const stream = encodeStream(s.entries, 'sleb128');
    const h = `.Lhdr_${k}`;
    asm.directive('.balign 4').label(h);
    const rel = (l: string): string => `.long ${l}_${k} - ${h}`;
    asm.longs([entryListCount(s.entries), stream.blockAddrs.length, blob.files.length], 'dec');
    asm.directive(rel('.Lblk')).directive(`.long .Ldata_${k} - .Lblk_${k}`);
    asm.directive(rel('.Ldata')).directive(`.long .Ldata_end_${k} - .Ldata_${k}`);
    asm.directive(rel('.Lfiles')).directive(`.long .Lnames_${k} - .Lfiles_${k}`);
    asm.directive(rel('.Lnames')).directive(`.long .Lnames_end_${k} - .Lnames_${k}`).blank();
    asm.label(`.Lblk_${k}`).longs(stream.blockAddrs, 'hex').longs(stream.blockOffsets, 'dec');
    asm.label(`.Ldata_${k}`).byteRows(stream.data).label(`.Ldata_end_${k}`);
    asm.directive('.balign 4').label(`.Lfiles_${k}`).longs(names.offsets, 'dec');
    asm.label(`.Lnames_${k}`).asciz(blob.files).label(`.Lnames_end_${k}`).blank();
  });
  return asm.toString();
}

// ------------------------------------------------------------------------------------------------
// Structural read

interface Descriptor {
  readonly anchor: bigint;
  readonly size: number;
  readonly tableOffset: number;
  readonly at: number;
}

/**
 * True when `at` holds a header whose (offset, size) pairs, taken from `base`, fit the blob and
 * put the block index right after the header: used to explain misplaced table offsets.
 */
function plausibleHeader(view: SectionBytes, at: number, base: number = at): boolean {
  if (!view.contains(at, TABLE_HEADER_SIZE)) return false;
  const f = (i: number): number => view.u32(at + 4 * i);
  const avail = view.size - base;
  if (f(0) === 0 || f(1) !== blockCount(f(0)) || f(3) !== at - base + TABLE_HEADER_SIZE) return false;
  for (let i = 3; i < 11; i += 2) if (f(i) > avail || f(i + 1) > avail - f(i)) return false;
  return true;
}

function readDescriptors(view: SectionBytes, m: ModelBuilder, count: number): Descriptor[] | null {
  const need = ROOT_SIZE + DESCRIPTOR_SIZE * count;
  if (need > view.size) {
    m.find('LI-LAY-001', 'sections', ROOT_SIZE, view.size - ROOT_SIZE,
      `${count} descriptors need ${need} bytes, the blob has ${view.size}`);
    return null;
  }
  // A blob written from the C struct on a target where u64 is 4-aligned (i386; v5/v6 without
  // __aligned(8)) has its descriptors at offset 4: descriptor 0's table_offset then sits at 16
  // and names the first table right after the descriptors. (Its anchor, 0 in a .ko, may well
  // leave bytes 4-7 zero, so the padding alone does not tell.)
  const at4 = count > 0 && view.u32(16) === 4 + DESCRIPTOR_SIZE * count && view.u32(20) !== ROOT_SIZE + DESCRIPTOR_SIZE * count &&
    plausibleHeader(view, 4 + DESCRIPTOR_SIZE * count);
  const pad = view.u32(4);
  if (at4 || pad !== 0) {
    m.find('LI-SEC-001', 'root.padding', 4, 4, at4
      ? 'the descriptors start at offset 4, not 8: written for a 32-bit struct without __aligned(8) (W22); v7 kernels and 64-bit targets read them at 8'
      : `root padding is ${hex(pad)}, not 0`);
  }
  // Read at 8, such a blob only yields follow-on noise: read it as the 32-bit kernel it was
  // written for does, so that the one finding says what is wrong and the tables still show.
  const first = at4 ? 4 : ROOT_SIZE;
  m.region('header', 'root', 0, first);
  m.region('index', 'sections', first, DESCRIPTOR_SIZE * count);
  const out: Descriptor[] = [];
  for (let k = 0; k < count; k++) {
    const at = first + DESCRIPTOR_SIZE * k;
    const anchor = view.u64(at);
    m.field(`sections[${k}].anchor_lo`, Number(anchor & 0xffff_ffffn), view.littleEndian ? at : at + 4);
    m.field(`sections[${k}].anchor_hi`, Number(anchor >> 32n), view.littleEndian ? at + 4 : at);
    const size = m.field(`sections[${k}].size`, view.u32(at + 8), at + 8);
    const tableOffset = m.field(`sections[${k}].table_offset`, view.u32(at + 12), at + 12);
    out.push({ anchor, size, tableOffset, at });
  }
  return out;
}

function emptyTable(d: Descriptor, index: number): CoveredTable {
  return { index, anchor: d.anchor, size: d.size, tableOffset: d.tableOffset, blocks: null, entries: [], files: [], namesAt: 0, decoded: false };
}

/** Reads the table of descriptor `k` with the shared stream and file-table readers. */
function readTable(bytes: Uint8Array, view: SectionBytes, m: ModelBuilder, d: Descriptor, k: number, tableEnds: number[]): CoveredTable {
  // Table 0's fields and regions carry the names the single-table layouts use (`num_entries`,
  // `block_offsets`, ...), so code written for one table finds them; later tables are prefixed.
  const p = k === 0 ? '' : `sections[${k}].`;
  const d0 = `sections[${k}]`;
  // h: where the header's fields are; base: what its offsets are measured from (the same but
  // in a W23 blob, see below).
  let h = d.tableOffset;
  let base = h;
  if (h % 4 !== 0) {
    // The v5-v7 generator puts a table's label before its `.balign 4` (W23): table_offset and
    // every offset in the header are measured from the label, in the padding, while the header
    // itself starts at the next multiple of 4. (Offsets from the aligned header are accepted
    // too: what a fixed label with an unfixed table_offset would give.)
    const fixed = (h + 3) & ~3;
    const fromLabel = plausibleHeader(view, fixed, h);
    const intended = fromLabel || plausibleHeader(view, fixed);
    m.find('LI-SEC-002', `${d0}.table_offset`, d.at + 12, 4, intended
      ? `table_offset ${hex(h)} points into alignment padding; the header is at ${hex(fixed)} (the generator emitted the label before .balign 4, W23): a kernel reads the header shifted and annotates nothing in this section`
      : `table_offset ${hex(h)} is not a multiple of 4`);
    // Describe the table the generator meant; the MUST finding already marks the blob invalid.
    if (intended) {
      h = fixed;
      if (!fromLabel) base = fixed;
    }
  }
  if (!view.contains(h, TABLE_HEADER_SIZE)) {
    m.find('LI-LAY-001', `${d0}.table_offset`, d.at + 12, 4, `the 44-byte header at ${hex(h)} does not fit in the ${view.size}-byte blob`);
    return emptyTable(d, k);
  }
  m.region('header', `${p}header`, h, TABLE_HEADER_SIZE);
  const f = {} as Record<TableField, number>;
  TABLE_FIELDS.forEach((name, i) => (f[name] = m.field(`${p}${name}`, view.u32(h + 4 * i), h + 4 * i)));
  const n = f.num_entries;
  const b = f.num_blocks;
  if (n === 0) m.find('LI-HDR-003', `${p}num_entries`, h, 4, `table ${k} has num_entries 0: it annotates nothing`);
  if (b !== blockCount(n)) m.find('LI-HDR-004', `${p}num_blocks`, h + 4, 4, `num_blocks is ${b}, but ${n} entries need ${blockCount(n)} block(s) of 64`);
  if (f.num_files > 65535) m.find('LI-HDR-005', `${p}num_files`, h + 8, 4, `num_files is ${f.num_files}, above the generator's limit of 65535`);
  const avail = view.size - base;
  let fits = true;
  for (const [o, s] of [['blocks_offset', 'blocks_size'], ['data_offset', 'data_size'], ['files_offset', 'files_size'], ['filenames_offset', 'filenames_size']] as const) {
    if (f[o] > avail || f[s] > avail - f[o]) {
      m.find('LI-LAY-001', `${p}${o}`, h + 4 * TABLE_FIELDS.indexOf(o), 8,
        `${o} ${f[o]} + ${s} ${f[s]} runs past the blob (${avail} bytes from ${base === h ? 'the header' : 'the table label'})`);
      fits = false;
    }
  }
  if (f.blocks_size / 8 < b) {
    m.find('LI-LAY-001', `${p}blocks_size`, h + 16, 4, `blocks_size ${f.blocks_size} cannot hold ${b} blocks (8 bytes each)`);
    fits = false;
  }
  if (f.files_size / 4 < f.num_files) {
    m.find('LI-LAY-001', `${p}files_size`, h + 32, 4, `files_size ${f.files_size} cannot hold ${f.num_files} file offsets`);
    fits = false;
  }
  if (!fits) return emptyTable(d, k);
  const at = (o: TableField): number => base + f[o];
  m.region('index', `${p}block_addrs`, at('blocks_offset'), 4 * b);
  m.region('index', `${p}block_offsets`, at('blocks_offset') + 4 * b, 4 * b);
  m.region('stream', `${p}data`, at('data_offset'), f.data_size);
  m.region('file_table', `${p}file_offsets`, at('files_offset'), 4 * f.num_files);
  m.region('names', `${p}filenames`, at('filenames_offset'), f.filenames_size);
  const expected = { blocks: h - base + TABLE_HEADER_SIZE, data: h - base + TABLE_HEADER_SIZE + 8 * b };
  const filesAt = (base + expected.data + f.data_size + 3) & ~3;
  if (f.blocks_offset !== expected.blocks || f.data_offset !== expected.data || at('files_offset') !== filesAt ||
      f.filenames_offset !== f.files_offset + 4 * f.num_files || f.blocks_size !== 8 * b || f.files_size !== 4 * f.num_files) {
    m.find('LI-SEC-003', `${p}header`, h, TABLE_HEADER_SIZE,
      `table ${k}'s arrays are not where the generator puts them (header, block index, stream, 4-aligned file table, names, each right after the previous)`);
  }
  const padFrom = base + expected.data + f.data_size;
  if (at('files_offset') === filesAt) m.region('padding', `${p}pad`, padFrom, filesAt - padFrom);
  if (at('files_offset') === filesAt && !isZero(bytes, padFrom, filesAt)) {
    m.find('LI-LAY-003', `${p}padding`, padFrom, filesAt - padFrom, 'padding before file_offsets[] is not zero');
  }
  tableEnds.push(at('filenames_offset') + f.filenames_size);

  const addrsOff = at('blocks_offset');
  const offsetsOff = addrsOff + 4 * b;
  const blockAddrs: number[] = [];
  const blockOffsets: number[] = [];
  for (let i = 0; i < b; i++) {
    blockAddrs.push(view.u32(addrsOff + 4 * i));
    blockOffsets.push(view.u32(offsetsOff + 4 * i));
  }
  m.entries = [];
  m.files = [];
  m.blocks = null;
  readStream(bytes, { dataOff: at('data_offset'), dataSize: f.data_size, blockAddrs, blockOffsets, numEntries: n, addrsOff, offsetsOff }, 'sleb128', m);
  m.decoded = true;
  readFileTable(view, m, f.num_files, at('files_offset'), at('filenames_offset'), f.filenames_size);
  // (a table without entries annotates nothing anyway: LI-HDR-003 says so)
  if (n > 0 && (f.filenames_size === 0 || bytes[at('filenames_offset') + f.filenames_size - 1] !== 0)) {
    m.find('LI-SEC-008', `${p}filenames`, at('filenames_offset'), f.filenames_size,
      f.filenames_size === 0 ? `table ${k} has an empty name table` : `table ${k}'s name table does not end with a NUL byte: a kernel annotates nothing in this section`);
  }
  checkEntries(m, f.num_files, at('files_offset'), false);
  checkPaths(m, at('files_offset'));
  const outside = m.entries.find((e) => e.offset >= d.size);
  if (outside) {
    m.find('LI-SEC-004', `${p}entries`, outside.at, outside.length,
      `entry at ${hex(outside.offset)} lies past the end of the ${d.size}-byte covered section: no lookup can reach it`);
  }
  const t: CoveredTable = { index: k, anchor: d.anchor, size: d.size, tableOffset: h, blocks: m.blocks, entries: m.entries, files: m.files, namesAt: at('filenames_offset'), decoded: true };
  return t;
}

function isZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

function overlapFindings(m: ModelBuilder, ds: readonly Descriptor[]): void {
  for (let i = 0; i < ds.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = ds[i]!;
      const b = ds[j]!;
      if (a.anchor === 0n || b.anchor === 0n) continue;
      if (a.anchor < b.anchor + BigInt(b.size) && b.anchor < a.anchor + BigInt(a.size)) {
        m.find('LI-SEC-005', `sections[${i}]`, a.at, DESCRIPTOR_SIZE,
          `descriptor ${i}'s range overlaps descriptor ${j}'s: addresses in the overlap always resolve through descriptor ${j}`);
      }
    }
  }
}

function read(bytes: Uint8Array, endian: Endian, id: 'v5' | 'v7', options?: ReadOptions): SectionModel {
  const view = new SectionBytes(bytes, endian);
  const m = new ModelBuilder(id, endian, bytes.length, options);
  if (bytes.length < ROOT_SIZE) {
    m.find('LI-HDR-001', 'root', 0, bytes.length, `blob is ${bytes.length} bytes, smaller than the ${ROOT_SIZE}-byte root`);
    return m.build();
  }
  const count = m.field('num_sections', view.u32(0), 0);
  if (count === 0) m.find('LI-HDR-003', 'root.num_sections', 0, 4, 'num_sections is 0: the blob annotates nothing');
  const ds = readDescriptors(view, m, count);
  if (ds === null) return m.build();
  overlapFindings(m, ds);
  const tableEnds: number[] = [];
  const tables = ds.map((d, k) => readTable(bytes, view, m, d, k, tableEnds));
  const end = Math.max(ROOT_SIZE + DESCRIPTOR_SIZE * count, ...tableEnds);
  if (end < bytes.length && !isSectionPadding(bytes, end, 8)) {
    m.find('LI-LAY-002', 'trailing', end, bytes.length - end, `${bytes.length - end} byte(s) follow the last table`);
  }
  m.decoded = tables.every((t) => t.decoded);
  return m.build(tables);
}

// ------------------------------------------------------------------------------------------------
// The kernel's lookup

/**
 * module_lookup_lineinfo() for one blob as v5/v6 (and, with `bound`, v7) do it: root and
 * descriptor checks, the first descriptor whose range covers the address answers, the
 * overflow-safe per-section header checks, then lineinfo_search() with the data_end clamp.
 */
function lookupKernel(bytes: Uint8Array, endian: Endian, q: LookupQuery, bound: boolean): LookupAnswer {
  const view = new SectionBytes(bytes, endian);
  try {
    if (bytes.length < ROOT_SIZE) return { kind: 'miss', reason: 'blob smaller than the root' };
    const count = view.u32(0);
    if (count === 0) return { kind: 'miss', reason: 'num_sections is 0' };
    if (count > Math.floor(U32_MAX / DESCRIPTOR_SIZE) || ROOT_SIZE + DESCRIPTOR_SIZE * count > bytes.length) {
      return { kind: 'miss', reason: 'descriptors do not fit in the blob' };
    }
    const base = view.u64(ROOT_SIZE);
    const address = q.address ?? (base + BigInt(q.offset)) & U64_MASK;
    const symbol = q.symbolAddress ?? (q.symbolStart === undefined ? undefined : (base + BigInt(q.symbolStart)) & U64_MASK);
    for (let k = 0; k < count; k++) {
      const at = ROOT_SIZE + DESCRIPTOR_SIZE * k;
      const anchor = view.u64(at);
      if (anchor === 0n || address < anchor) continue;
      const off = address - anchor;
      if (off >= BigInt(view.u32(at + 8)) || off > BigInt(U32_MAX)) continue;
      let minOffset = 0;
      if (bound && symbol !== undefined && symbol > anchor && symbol - anchor <= off) minOffset = Number(symbol - anchor);
      return searchTable(view, bytes, view.u32(at + 12), Number(off), minOffset);
    }
    return { kind: 'miss', reason: 'no descriptor covers the address' };
  } catch (e) {
    return faultFrom(e);
  }
}

function searchTable(view: SectionBytes, bytes: Uint8Array, h: number, offset: number, minOffset: number): LookupAnswer {
  if (h > bytes.length || bytes.length - h < TABLE_HEADER_SIZE) return { kind: 'miss', reason: 'table header does not fit' };
  const f = (i: number): number => view.u32(h + 4 * i);
  const n = f(0);
  const b = f(1);
  const nf = f(2);
  if (n === 0 || b === 0) return { kind: 'miss', reason: 'num_entries or num_blocks is 0' };
  const avail = bytes.length - h;
  for (let i = 3; i < 11; i += 2) if (f(i) > avail || f(i + 1) > avail - f(i)) return { kind: 'miss', reason: 'an (offset, size) pair runs past the blob' };
  if (b > Math.floor(f(4) / 8) || nf > Math.floor(f(8) / 4)) return { kind: 'miss', reason: 'blocks_size or files_size too small for the counts' };
  const namesSize = f(10);
  const names = h + f(9);
  if (namesSize === 0 || view.u8(names + namesSize - 1) !== 0) return { kind: 'miss', reason: 'name table empty or not NUL-terminated' };
  const addrs = h + f(3);
  const offsets = addrs + 4 * b;
  const dataSize = f(6);
  let low = 0;
  let high = b;
  while (low < high) {
    const mid = low + Math.floor((high - low) / 2);
    if (view.u32(addrs + 4 * mid) <= offset) low = mid + 1;
    else high = mid;
  }
  if (low === 0) return { kind: 'miss', reason: 'offset before the first block' };
  const block = low - 1;
  const count = kernelBlockEntries(block, b, n);
  let dataEnd = block + 1 < b ? view.u32(offsets + 4 * (block + 1)) : dataSize;
  if (dataEnd > dataSize) dataEnd = dataSize;
  const pos = view.u32(offsets + 4 * block);
  if (pos >= dataEnd) return { kind: 'miss', reason: `block ${block} starts at or after its end` };
  const r = kernelScanBlock(newCursor(bytes, h + f(5), pos, dataEnd), view.u32(addrs + 4 * block), count, offset, undefined, 'sleb128');
  if (!r.found) return { kind: 'miss', reason: 'no entry of the block at or before the offset' };
  if (r.addr < minOffset) return { kind: 'miss', reason: `nearest entry ${hex(r.addr)} is before the symbol start ${hex(minOffset)}` };
  if (r.fileId >= nf) return { kind: 'miss', reason: `file id ${r.fileId} >= num_files ${nf}` };
  const nameOffset = view.u32(h + f(7) + 4 * r.fileId);
  if (nameOffset >= namesSize) return { kind: 'miss', reason: `name offset ${nameOffset} >= filenames_size ${namesSize}` };
  return finishLookup(view, names + nameOffset, r.fileId, r.line, r.addr);
}

function sectionedLayout(id: 'v5' | 'v7', title: string, origin: string): Layout {
  const bound = LAYOUT_TRAITS[id].symbolBound;
  return {
    id,
    container: 'module',
    traits: LAYOUT_TRAITS[id],
    title,
    origin,
    headerSize: ROOT_SIZE,
    encode,
    emitAsm: (table) => emitAsm(table, id),
    read: (bytes, endian, _symbols, options) => read(bytes, endian, id, options),
    lookupKernel: (bytes, endian, q) => lookupKernel(bytes, endian, q, bound),
  };
}

export const moduleV5 = sectionedLayout('v5',
  'module .mod_lineinfo / .init.mod_lineinfo, root of relocated per-section descriptors (v5, v6)',
  '[PATCH v5 2/4, 3/4] kallsyms: per-section lineinfo with relocated anchors (2026-05-04); v6 (2026-07-06) unchanged');

export const moduleV7 = sectionedLayout('v7',
  'module .mod_lineinfo / .init.mod_lineinfo as v5, looked up with the symbol-start bound (v7)',
  '[PATCH v7] kallsyms: address Sashiko AI review comments (2026-07-09): __aligned(8) root, min_offset bound, .noinstr.text');

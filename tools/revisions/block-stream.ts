/**
 * The block-indexed, delta-compressed entry stream (v1 patch 3 and every later revision).
 * Entries are cut into blocks of 64. The index stores each block's first offset and where its
 * bytes start in the stream. Inside a block, entry 0 is ULEB128(file id), ULEB128(line) (its
 * offset is the index's); entries 1.. are ULEB128(offset delta), then the file-id and line
 * deltas, zigzag+ULEB128 in v1/v2 and SLEB128 from v3 on. Deltas restart in every block.
 */
import { newCursor, newVarint, putSleb128, putUleb128, readSleb128, readSleb128Strict, readUleb128, readUleb128Strict, sleb128Size, uleb128Size, zigzagDecode, zigzagEncode } from '../format/leb128.js';
import type { StreamCursor } from '../format/leb128.js';
import { entriesFromColumns } from '../model/line-table.js';
import type { Entry, EntryArrays } from '../model/line-table.js';
import { hex } from '../format/u32-math.js';
import type { BlockInfo, LocatedEntry } from './layout.js';
import type { ModelBuilder } from './model-builder.js';

export const BLOCK_ENTRIES = 64;

export type DeltaCoding = 'zigzag' | 'sleb128';

export interface EncodedStream {
  readonly blockAddrs: number[];
  readonly blockOffsets: number[];
  readonly data: Uint8Array;
}

export function blockCount(numEntries: number): number {
  return Math.ceil(numEntries / BLOCK_ENTRIES);
}

/** Which varint of the stream is being written: block, entry in the block, field. */
export type StreamField = 'file_id' | 'line' | 'addr_delta' | 'file_delta' | 'line_delta';

/**
 * Replaces the encoding of one varint: returns the bytes to write instead, or null to keep the
 * normal encoding. Used to build deliberately malformed sections (fuzz mutators, vectors).
 */
export type VarintHook = ((block: number, entry: number, field: StreamField, normal: readonly number[]) => readonly number[] | null) & {
  /** the one varint the hook can replace, when it says so (the encoder then asks it about that one only) */
  readonly only?: { readonly block: number; readonly entry: number; readonly field: StreamField };
};

/** A hook that replaces one varint (block, entry in the block, field) with `replace(normal)`. */
export function replaceVarint(block: number, entry: number, field: StreamField, replace: (normal: readonly number[]) => readonly number[]): VarintHook {
  const hook = (b: number, e: number, f: StreamField, normal: readonly number[]): readonly number[] | null => (b === block && e === entry && f === field ? replace(normal) : null);
  return Object.assign(hook, { only: { block, entry, field } });
}

export interface EncodeOptions {
  readonly varintHook?: VarintHook;
}

/**
 * The stream of `entries`, given as Entry objects or as columns (EntryArrays: the DWARF
 * generator's tables, encoded without an object per entry). Both give the same bytes.
 */
export function encodeStream(input: readonly Entry[] | EntryArrays, coding: DeltaCoding, options: EncodeOptions = {}): EncodedStream {
  const columnar = !Array.isArray(input);
  if (!options.varintHook) return columnar ? encodeColumnsPlain(input as EntryArrays, coding) : encodeStreamPlain(input as readonly Entry[], coding);
  return encodeStreamHooked(columnar ? entriesFromColumns(input as EntryArrays) : (input as readonly Entry[]), coding, options.varintHook);
}

/**
 * encodeStream with a hook: every varint's normal bytes are offered to it, and what it returns is
 * written instead. The same growing buffer as encodeStreamPlain; the `normal` array handed to
 * the hook is reused from varint to varint (hooks return new arrays, never keep it).
 */
function encodeStreamHooked(entries: readonly Entry[], coding: DeltaCoding, hook: VarintHook): EncodedStream {
  let buf = new Uint8Array(Math.min(15 * entries.length + 16, 1 << 16));
  let n = 0;
  const scratch = new Uint8Array(5);
  const normal: number[] = [];
  const zigzag = coding === 'zigzag';
  let block = 0;
  let entry = 0;
  const only = hook.only;
  /** writes one varint (its normal bytes scratch[0, k)) or what the hook puts in its place */
  const emit = (field: StreamField, k: number): void => {
    if (only !== undefined && (only.block !== block || only.entry !== entry || only.field !== field)) {
      if (n + k > buf.length) {
        const grown = new Uint8Array(Math.max(buf.length * 2, n + k));
        grown.set(buf);
        buf = grown;
      }
      for (let i = 0; i < k; i++) buf[n++] = scratch[i]!;
      return;
    }
    normal.length = 0;
    for (let i = 0; i < k; i++) normal.push(scratch[i]!);
    const bytes = hook(block, entry, field, normal) ?? normal;
    if (n + bytes.length > buf.length) {
      const grown = new Uint8Array(Math.max(buf.length * 2, n + bytes.length));
      grown.set(buf);
      buf = grown;
    }
    // (values are stored modulo 256, as Uint8Array.from stored a hook's numbers)
    for (let i = 0; i < bytes.length; i++) buf[n++] = bytes[i]!;
  };
  const blockAddrs: number[] = [];
  const blockOffsets: number[] = [];
  for (let base = 0; base < entries.length; base += BLOCK_ENTRIES) {
    const first = entries[base]!;
    blockAddrs.push(first.offset);
    blockOffsets.push(n);
    block = base / BLOCK_ENTRIES;
    entry = 0;
    emit('file_id', putUleb128(scratch, 0, first.fileId));
    emit('line', putUleb128(scratch, 0, first.line));
    let prev = first;
    const end = Math.min(base + BLOCK_ENTRIES, entries.length);
    for (let i = base + 1; i < end; i++) {
      const e = entries[i]!;
      entry = i - base;
      emit('addr_delta', putUleb128(scratch, 0, (e.offset - prev.offset) >>> 0));
      // The generator subtracts as int32: the difference is taken modulo 2^32.
      emit('file_delta', putDelta(scratch, 0, (e.fileId - prev.fileId) | 0, zigzag));
      emit('line_delta', putDelta(scratch, 0, (e.line - prev.line) | 0, zigzag));
      prev = e;
    }
  }
  return { blockAddrs, blockOffsets, data: buf.slice(0, n) };
}

/** encodeStream without a hook: the same bytes, written straight into a growing buffer. */
function encodeStreamPlain(entries: readonly Entry[], coding: DeltaCoding): EncodedStream {
  // at most 5 bytes per varint, 3 varints per entry
  let buf = new Uint8Array(Math.min(15 * entries.length + 16, 1 << 16));
  let n = 0;
  /** room for one entry's three varints */
  const reserve = (): void => {
    if (n + 15 <= buf.length) return;
    const grown = new Uint8Array(buf.length * 2);
    grown.set(buf);
    buf = grown;
  };
  const zigzag = coding === 'zigzag';
  const blockAddrs: number[] = [];
  const blockOffsets: number[] = [];
  for (let base = 0; base < entries.length; base += BLOCK_ENTRIES) {
    const first = entries[base]!;
    blockAddrs.push(first.offset);
    blockOffsets.push(n);
    reserve();
    n = putUleb128(buf, n, first.fileId);
    n = putUleb128(buf, n, first.line);
    let prev = first;
    const end = Math.min(base + BLOCK_ENTRIES, entries.length);
    for (let i = base + 1; i < end; i++) {
      const e = entries[i]!;
      reserve();
      n = putUleb128(buf, n, (e.offset - prev.offset) >>> 0);
      // The generator subtracts as int32: the difference is taken modulo 2^32.
      n = putDelta(buf, n, (e.fileId - prev.fileId) | 0, zigzag);
      n = putDelta(buf, n, (e.line - prev.line) | 0, zigzag);
      prev = e;
    }
  }
  return { blockAddrs, blockOffsets, data: buf.slice(0, n) };
}

/** A signed delta as the revision stores it: zigzag + ULEB128 (v1, v2) or SLEB128 (v3 on). */
function putDelta(buf: Uint8Array, at: number, delta: number, zigzag: boolean): number {
  return zigzag ? putUleb128(buf, at, zigzagEncode(delta)) : putSleb128(buf, at, delta);
}

function deltaSize(delta: number, zigzag: boolean): number {
  return zigzag ? uleb128Size(zigzagEncode(delta)) : sleb128Size(delta);
}

/**
 * encodeStreamPlain for columns (the DWARF generator's tables): the same bytes. A first pass sizes
 * the stream exactly, so the buffer is allocated once, at its final size (no growth copies and no
 * trimming copy: the stream of a kernel is megabytes).
 */
function encodeColumnsPlain(c: EntryArrays, coding: DeltaCoding): EncodedStream {
  const { offsets, fileIds, lines } = c;
  const length = offsets.length;
  const zigzag = coding === 'zigzag';
  const blocks = blockCount(length);
  const blockAddrs = new Array<number>(blocks);
  const blockOffsets = new Array<number>(blocks);
  let size = 0;
  for (let base = 0, k = 0; base < length; base += BLOCK_ENTRIES, k++) {
    blockAddrs[k] = offsets[base]!;
    blockOffsets[k] = size;
    size += uleb128Size(fileIds[base]!) + uleb128Size(lines[base]!);
    const end = Math.min(base + BLOCK_ENTRIES, length);
    for (let i = base + 1; i < end; i++) {
      size += uleb128Size(offsets[i]! - offsets[i - 1]!);
      // The generator subtracts as int32: the difference is taken modulo 2^32.
      size += deltaSize((fileIds[i]! - fileIds[i - 1]!) | 0, zigzag) + deltaSize((lines[i]! - lines[i - 1]!) | 0, zigzag);
    }
  }
  const buf = new Uint8Array(size);
  let n = 0;
  for (let base = 0; base < length; base += BLOCK_ENTRIES) {
    n = putUleb128(buf, n, fileIds[base]!);
    n = putUleb128(buf, n, lines[base]!);
    const end = Math.min(base + BLOCK_ENTRIES, length);
    for (let i = base + 1; i < end; i++) {
      n = putUleb128(buf, n, offsets[i]! - offsets[i - 1]!);
      n = putDelta(buf, n, (fileIds[i]! - fileIds[i - 1]!) | 0, zigzag);
      n = putDelta(buf, n, (lines[i]! - lines[i - 1]!) | 0, zigzag);
    }
  }
  if (n !== size) throw new Error(`internal error: stream sized ${size} bytes, written ${n}`);
  return { blockAddrs, blockOffsets, data: buf };
}

/** Entry count of block `block` as the kernel computes it (u32 arithmetic, capped at 64). */
export function kernelBlockEntries(block: number, numBlocks: number, numEntries: number): number {
  if (block !== numBlocks - 1) return BLOCK_ENTRIES;
  const remaining = (numEntries - block * BLOCK_ENTRIES) >>> 0;
  return remaining < BLOCK_ENTRIES ? remaining : BLOCK_ENTRIES;
}

export interface StreamGeometry {
  /** section offset where the stream starts */
  readonly dataOff: number;
  /** stream bytes that belong to it (data_size, or the space up to file_offsets[] in vmlinux v1) */
  readonly dataSize: number;
  readonly blockAddrs: readonly number[];
  readonly blockOffsets: readonly number[];
  readonly numEntries: number;
  /** section offsets of the index arrays, for locating findings */
  readonly addrsOff: number;
  readonly offsetsOff: number;
}

/** varint names in stream order: entry 0's two, then every later entry's three */
const FIELD_NAMES = ['file_id', 'line', 'addr_delta', 'file_delta', 'line_delta'] as const;

/**
 * Strict structural decode of every block with findings (LI-BLK-*, LI-STR-*); the entries'
 * offsets, file ids and lines are exact (no 32-bit wrap) except lines, which the generator
 * itself encodes modulo 2^32. Work and memory are bounded by the stream's size.
 */
export function readStream(bytes: Uint8Array, g: StreamGeometry, coding: DeltaCoding, m: ModelBuilder): void {
  const numBlocks = g.blockAddrs.length;
  const blocks: BlockInfo[] = [];
  const entries: LocatedEntry[] = [];

  if (numBlocks > 0 && g.blockOffsets[0] !== 0) {
    m.find('LI-BLK-001', 'block_offsets[0]', g.offsetsOff, 4,
      `block 0 starts at stream offset ${g.blockOffsets[0]}, not 0: stream bytes before it belong to no block`);
  }
  for (let i = 0; i < numBlocks; i++) {
    const off = g.blockOffsets[i]!;
    if (off >= g.dataSize) {
      m.find('LI-BLK-002', `block_offsets[${i}]`, g.offsetsOff + i * 4, 4,
        `block ${i} starts at stream offset ${off}, not below the stream size ${g.dataSize}`);
    } else if (i > 0 && off <= g.blockOffsets[i - 1]!) {
      m.find('LI-BLK-002', `block_offsets[${i}]`, g.offsetsOff + i * 4, 4,
        `block ${i} starts at stream offset ${off}, not after block ${i - 1} (${g.blockOffsets[i - 1]})`);
    }
    if (i > 0 && g.blockAddrs[i]! <= g.blockAddrs[i - 1]!) {
      m.find('LI-BLK-003', `block_addrs[${i}]`, g.addrsOff + i * 4, 4,
        `block ${i} starts at ${hex(g.blockAddrs[i]!)}, not above block ${i - 1}'s ${hex(g.blockAddrs[i - 1]!)}`);
    }
  }

  const scratch = newVarint();
  const sleb = coding === 'sleb128';
  const fields = FIELD_NAMES;
  // a lookup-only read (m.mustOnly) skips the block list and the SHOULD-only checks (LI-STR-003/004)
  const full = !m.mustOnly;
  for (let i = 0; i < numBlocks; i++) {
    const start = g.blockOffsets[i]!;
    const nominalEnd = i + 1 < numBlocks ? g.blockOffsets[i + 1]! : g.dataSize;
    const end = Math.min(nominalEnd, g.dataSize);
    const count = kernelBlockEntries(i, numBlocks, g.numEntries);
    if (m.stop) break; // a lookup-only read that found a MUST rule broken needs no more
    if (full) blocks.push({ index: i, addr: g.blockAddrs[i]!, streamStart: start, streamEnd: nominalEnd, entryCount: count });
    if (start >= end) continue; // reported above (LI-BLK-002), or an empty range
    let pos = g.dataOff + start;
    const limit = g.dataOff + end;
    // Varints in stream order: entry 0 has file_id, line; entries 1.. addr_delta, file_delta,
    // line_delta (the deltas signed). One loop, no closures: this runs for every entry.
    let addr = g.blockAddrs[i]!;
    let file = 0;
    let line = 0;
    let at = pos;
    let complete = true;
    // entry 0 is read even when the kernel's count for the block is 0
    const total = count > 0 ? count : 1;
    for (let k = 0; k < total && complete; k++) {
      at = pos;
      const first = k === 0;
      const n = first ? 2 : 3;
      for (let j = 0; j < n; j++) {
        const f = first ? j : j + 2;
        const signed = f >= 3;
        const v = signed && sleb ? readSleb128Strict(bytes, pos, limit, scratch) : readUleb128Strict(bytes, pos, limit, scratch);
        if (!v.terminated) {
          const what = fields[f]!;
          m.find('LI-STR-001', `block[${i}].entry[${k}].${what}`, pos, v.length || 1,
            `${what} of entry ${k} in block ${i} runs past the end of the block's bytes (stream offset ${end})`);
          complete = false;
          break;
        }
        if (v.overlong) {
          const what = fields[f]!;
          m.find('LI-STR-002', `block[${i}].entry[${k}].${what}`, pos, v.length,
            `${what} of entry ${k} in block ${i} is a ${v.length}-byte varint or exceeds 32 bits`);
        } else if (v.nonMinimal && full) {
          const what = fields[f]!;
          m.find('LI-STR-003', `block[${i}].entry[${k}].${what}`, pos, v.length,
            `${what} of entry ${k} in block ${i} is not in its shortest encoding (${v.length} bytes)`);
        }
        pos += v.length;
        const value = signed && !sleb ? zigzagDecode(v.value) : v.value;
        switch (f) {
          case 0:
            file = value;
            break;
          case 1:
            line = value;
            break;
          case 2:
            addr += value;
            break;
          case 3:
            file += value;
            break;
          default:
            line = (line + value) >>> 0;
        }
      }
      if (complete) entries.push({ offset: addr, fileId: file, line, at, length: pos - at });
    }
    if (full && complete && pos < limit && end === nominalEnd) {
      m.find('LI-STR-004', `block[${i}]`, pos, limit - pos,
        `block ${i} has ${limit - pos} byte(s) left over after its ${count} entries`);
    }
  }
  m.blocks = blocks;
  m.entries = entries;
}

/**
 * The kernel's in-block scan: decode the chosen block from its first entry, keep the last entry
 * whose offset is <= `offset` (and >= `symbolStart` when given), stop at the first one past it.
 * `cursor` reads relative to the stream start and throws OutOfSection on reads the kernel would
 * make outside the section.
 */
export interface BlockScanResult {
  found: boolean;
  fileId: number;
  line: number;
  addr: number;
}

export function kernelScanBlock(
  cursor: StreamCursor,
  blockAddr: number,
  blockEntries: number,
  offset: number,
  symbolStart: number | undefined,
  coding: DeltaCoding,
): BlockScanResult {
  const res: BlockScanResult = { found: false, fileId: 0, line: 0, addr: 0 };
  let curAddr = blockAddr;
  let curFile = readUleb128(cursor);
  let curLine = readUleb128(cursor);
  if (curAddr <= offset && (symbolStart === undefined || curAddr >= symbolStart)) {
    res.found = true;
    res.fileId = curFile;
    res.line = curLine;
    res.addr = curAddr;
  }
  for (let i = 1; i < blockEntries; i++) {
    const addrDelta = readUleb128(cursor);
    const fileDelta = coding === 'zigzag' ? zigzagDecode(readUleb128(cursor)) : readSleb128(cursor);
    const lineDelta = coding === 'zigzag' ? zigzagDecode(readUleb128(cursor)) : readSleb128(cursor);
    curAddr = (curAddr + addrDelta) >>> 0;
    curFile = (curFile + fileDelta) >>> 0;
    curLine = (curLine + lineDelta) >>> 0;
    if (curAddr > offset) break;
    if (symbolStart === undefined || curAddr >= symbolStart) {
      res.found = true;
      res.fileId = curFile;
      res.line = curLine;
      res.addr = curAddr;
    }
  }
  return res;
}

export { newCursor };

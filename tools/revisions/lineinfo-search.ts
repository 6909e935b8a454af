/**
 * The block search and scan every compressed kernel lookup from v2 on shares: in v3 it became
 * one function, `lineinfo_search()` in mod_lineinfo.h, called by the vmlinux and the module
 * lookups with a `struct lineinfo_table` of pointers and counts. Positions here are offsets in
 * the section (or table image); every read is bounds-checked and throws OutOfSection where the
 * kernel would read outside (the caller turns that into a fault).
 */
import { newCursor } from '../format/leb128.js';
import type { SectionBytes } from '../format/section-bytes.js';
import { hex } from '../format/u32-math.js';
import type { DeltaCoding } from './block-stream.js';
import { kernelBlockEntries, kernelScanBlock } from './block-stream.js';
import type { LookupAnswer } from './layout.js';
import { finishLookup } from './lookup-common.js';

/** `struct lineinfo_table`: where each array starts, and the counts and sizes. */
export interface KernelTable {
  readonly blkAddrs: number;
  readonly blkOffsets: number;
  readonly data: number;
  readonly dataSize: number;
  readonly fileOffsets: number;
  readonly filenames: number;
  readonly numEntries: number;
  readonly numBlocks: number;
  readonly numFiles: number;
  /** a value, or a read of the vmlinux symbol done only when the lookup gets that far */
  readonly filenamesSize: number | (() => number);
}

export interface SearchOptions {
  readonly coding: DeltaCoding;
  /** v3 on: `data_end` is clamped to `data_size` (v2 uses the next block's offset as is) */
  readonly clamp: boolean;
  /** v7: the found entry must not lie below this offset (the enclosing symbol's start); 0 = none */
  readonly minOffset: number;
}

export function kernelLineinfoSearch(view: SectionBytes, tbl: KernelTable, offset: number, opts: SearchOptions): LookupAnswer {
  const b = tbl.numBlocks;
  if (tbl.numEntries === 0 || b === 0) return { kind: 'miss', reason: 'num_entries or num_blocks is 0' };
  let low = 0;
  let high = b;
  while (low < high) {
    const mid = low + Math.floor((high - low) / 2);
    if (view.u32(tbl.blkAddrs + 4 * mid) <= offset) low = mid + 1;
    else high = mid;
  }
  if (low === 0) return { kind: 'miss', reason: 'offset before the first block' };
  const block = low - 1;
  const count = kernelBlockEntries(block, b, tbl.numEntries);
  let dataEnd = block + 1 < b ? view.u32(tbl.blkOffsets + 4 * (block + 1)) : tbl.dataSize;
  if (opts.clamp && dataEnd > tbl.dataSize) dataEnd = tbl.dataSize;
  const pos = view.u32(tbl.blkOffsets + 4 * block);
  if (pos >= dataEnd) return { kind: 'miss', reason: `block ${block} starts at or after its end` };
  const cursor = newCursor(view.bytes, tbl.data, pos, dataEnd);
  const r = kernelScanBlock(cursor, view.u32(tbl.blkAddrs + 4 * block), count, offset, undefined, opts.coding);
  if (!r.found) return { kind: 'miss', reason: 'no entry of the block at or before the offset' };
  if (r.addr < opts.minOffset) {
    return { kind: 'miss', reason: `nearest entry ${hex(r.addr)} is before the symbol start ${hex(opts.minOffset)} (min_offset)` };
  }
  if (r.fileId >= tbl.numFiles) return { kind: 'miss', reason: `file id ${r.fileId} >= num_files ${tbl.numFiles}` };
  const nameOffset = view.u32(tbl.fileOffsets + 4 * r.fileId);
  const s = typeof tbl.filenamesSize === 'function' ? tbl.filenamesSize() : tbl.filenamesSize;
  if (nameOffset >= s) return { kind: 'miss', reason: `name offset ${nameOffset} >= filenames_size ${s}` };
  return finishLookup(view, tbl.filenames + nameOffset, r.fileId, r.line, r.addr);
}

/**
 * The sectioned module blob of v5 on (`.mod_lineinfo` and `.init.mod_lineinfo`): a root
 * `{u32 num_sections; 4 bytes of padding}`, then one 16-byte descriptor per covered section
 * `{u64 anchor; u32 size; u32 table_offset}`, then one table per descriptor: a 44-byte header of
 * counts and (offset, size) pairs relative to that header, the block index, the SLEB128 delta
 * stream, 4-byte padding, `file_offsets[]` and the names. spec/FORMAT.md, "Layout v5".
 *
 * This module is the byte-level codec shared by the `v5` and `v7` layouts (same bytes, different
 * lookups) and by the ELF side, which needs to know where each anchor lies to write relocations.
 */
import type { Endian } from '../format/endian.js';
import type { Entry, EntryList } from '../model/line-table.js';
import { entryListCount } from '../model/line-table.js';
import type { EncodeOptions } from './block-stream.js';
import { encodeStream } from './block-stream.js';
import { encodeNames } from './name-table.js';

export const ROOT_SIZE = 8;
export const DESCRIPTOR_SIZE = 16;
export const TABLE_HEADER_SIZE = 44;

/**
 * Where a table encoded from a plain line table (no ELF around it) pretends its section was
 * loaded: a kernel-half address with room for a covered section of the largest size a descriptor
 * can state (2^32 - 1 bytes) below 2^64. Conformance vectors and fuzz cases are such in-memory
 * images, so their anchors must be non-zero (the kernel skips a zero anchor).
 */
export const DEFAULT_ANCHOR = 0xffff_ffff_0000_0000n;

/** The header fields of one table, in order; offsets are relative to the header. */
export const TABLE_FIELDS = [
  'num_entries', 'num_blocks', 'num_files',
  'blocks_offset', 'blocks_size', 'data_offset', 'data_size',
  'files_offset', 'files_size', 'filenames_offset', 'filenames_size',
] as const;
export type TableField = (typeof TABLE_FIELDS)[number];

/** One covered section's entries, offsets relative to the section start. */
export interface CoveredSection {
  /** `.text`, `.exit.text`, `.init.text`, `.noinstr.text` */
  readonly name: string;
  /** the section's size in bytes (the descriptor's `size`) */
  readonly size: number;
  /** the descriptor's anchor: 0 in a `.ko` (a relocation fills it in), the address in memory */
  readonly anchor: bigint;
  /** as Entry objects, or as columns (a module's DWARF, sorted and de-duplicated) */
  readonly entries: EntryList;
}

/** What one blob holds: the module's file list (repeated in every table) and its sections. */
export interface BlobInput {
  readonly files: readonly string[];
  readonly sections: readonly CoveredSection[];
}

export interface SectionedEncodeOptions extends EncodeOptions {
  /**
   * Reproduce the v5-v7 generator's label-before-`.balign` defect (W23): a table that follows
   * one whose names end unaligned gets its label at that end, in the padding, and `table_offset`
   * and every offset in its header are measured from the label (the generator writes them as
   * label differences), while the header itself starts at the next multiple of 4.
   */
  readonly labelBeforeAlign?: boolean;
  /**
   * Lay the blob out as a 32-bit build of the v5/v6 struct without `__aligned(8)` would read it
   * (W22): descriptors right after `num_sections`, at offset 4.
   */
  readonly descriptorsAt4?: boolean;
}

export interface EncodedBlob {
  readonly bytes: Uint8Array;
  /** blob offset of each descriptor's u64 anchor, for the relocations that fill it in */
  readonly anchorOffsets: readonly number[];
  /** blob offset of each table's header (after any padding) */
  readonly headerOffsets: readonly number[];
}

const align4 = (x: number): number => (x + 3) & ~3;

interface PlannedTable {
  readonly labelAt: number;
  readonly headerAt: number;
  readonly base: number;
  readonly fields: Record<TableField, number>;
  readonly blockAddrs: readonly number[];
  readonly blockOffsets: readonly number[];
  readonly data: Uint8Array;
}

export function encodeBlob(blob: BlobInput, endian: Endian, options: SectionedEncodeOptions = {}): EncodedBlob {
  const names = encodeNames(blob.files);
  const descriptorsAt = options.descriptorsAt4 ? 4 : ROOT_SIZE;
  let pos = descriptorsAt + DESCRIPTOR_SIZE * blob.sections.length;
  const tables: PlannedTable[] = [];
  for (const s of blob.sections) {
    const stream = encodeStream(s.entries, 'sleb128', options);
    const labelAt = pos;
    const headerAt = align4(pos);
    // what the header's offsets are measured from
    const base = options.labelBeforeAlign ? labelAt : headerAt;
    const b = stream.blockAddrs.length;
    const blocksOffset = headerAt + TABLE_HEADER_SIZE - base;
    const dataOffset = blocksOffset + 8 * b;
    const filesOffset = align4(base + dataOffset + stream.data.length) - base;
    const filenamesOffset = filesOffset + 4 * blob.files.length;
    const fields: Record<TableField, number> = {
      num_entries: entryListCount(s.entries), num_blocks: b, num_files: blob.files.length,
      blocks_offset: blocksOffset, blocks_size: 8 * b,
      data_offset: dataOffset, data_size: stream.data.length,
      files_offset: filesOffset, files_size: 4 * blob.files.length,
      filenames_offset: filenamesOffset, filenames_size: names.bytes.length,
    };
    tables.push({ labelAt, headerAt, base, fields, blockAddrs: stream.blockAddrs, blockOffsets: stream.blockOffsets, data: stream.data });
    pos = base + filenamesOffset + names.bytes.length;
  }
  const bytes = new Uint8Array(pos);
  const view = new DataView(bytes.buffer);
  const le = endian === 'le';
  const u32 = (at: number, v: number): void => view.setUint32(at, v >>> 0, le);
  u32(0, blob.sections.length);
  const anchorOffsets: number[] = [];
  blob.sections.forEach((s, k) => {
    const at = descriptorsAt + DESCRIPTOR_SIZE * k;
    view.setBigUint64(at, s.anchor, le);
    u32(at + 8, s.size);
    const t = tables[k]!;
    u32(at + 12, options.labelBeforeAlign ? t.labelAt : t.headerAt);
    anchorOffsets.push(at);
  });
  for (const t of tables) {
    TABLE_FIELDS.forEach((f, i) => u32(t.headerAt + 4 * i, t.fields[f]));
    const addrsAt = t.base + t.fields.blocks_offset;
    t.blockAddrs.forEach((a, i) => u32(addrsAt + 4 * i, a));
    t.blockOffsets.forEach((o, i) => u32(addrsAt + 4 * (t.blockAddrs.length + i), o));
    bytes.set(t.data, t.base + t.fields.data_offset);
    names.offsets.forEach((o, i) => u32(t.base + t.fields.files_offset + 4 * i, o));
    bytes.set(names.bytes, t.base + t.fields.filenames_offset);
  }
  return { bytes, anchorOffsets, headerOffsets: tables.map((t) => t.headerAt) };
}

/**
 * A plain line table as a blob: one `.text` table loaded at DEFAULT_ANCHOR whose size covers
 * every u32 offset but the last (sizes are u32), so it answers like the single-table layouts.
 * An empty table keeps its descriptor and file list (N = 0: it annotates nothing), where the
 * generator would emit no blob at all.
 */
export function blobFromTable(table: { readonly files: readonly string[]; readonly entries: readonly Entry[] }): BlobInput {
  return { files: table.files, sections: [{ name: '.text', size: PLAIN_TABLE_SIZE, anchor: DEFAULT_ANCHOR, entries: table.entries }] };
}

/** The covered size of a plain table's `.text`: 2^32 - 1, the largest a descriptor holds. */
export const PLAIN_TABLE_SIZE = 0xffff_ffff;

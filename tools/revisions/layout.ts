/**
 * What every layout (a revision in a container) provides. Generic code (CLI, validator, fuzzer,
 * conformance) only talks to this interface, so adding a revision does not touch it.
 */
import type { Endian } from '../format/endian.js';
import type { Entry, LineTable } from '../model/line-table.js';
import type { LayoutId } from './layout-id.js';
import type { EncodeOptions } from './block-stream.js';

export type Container = 'module' | 'vmlinux';

/** A kind of byte range, used for the hex map and for locating diagnostics. */
export type RegionKind = 'header' | 'index' | 'entries' | 'stream' | 'file_table' | 'names' | 'padding' | 'trailing';

export interface Region {
  readonly kind: RegionKind;
  /** field path, e.g. `block_offsets` or `header.num_entries` */
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}

export interface HeaderField {
  readonly name: string;
  readonly value: number;
  readonly offset: number;
  readonly size: number;
}

/** A broken rule found while reading a section structurally. */
export interface Finding {
  readonly rule: string;
  /** field path, e.g. `block_offsets[17]` */
  readonly field: string;
  /** byte range in the section */
  readonly offset: number;
  readonly length: number;
  /** one line, plain English */
  readonly message: string;
}

export interface BlockInfo {
  readonly index: number;
  readonly addr: number;
  /** stream range [start, end) relative to the start of the stream */
  readonly streamStart: number;
  readonly streamEnd: number;
  readonly entryCount: number;
}

/** A decoded entry with where its encoding lives in the section. */
export interface LocatedEntry extends Entry {
  readonly at: number;
  readonly length: number;
  /** flat layouts keep file ids and lines in their own arrays: where this entry's are */
  readonly fileAt?: number;
  readonly lineAt?: number;
}

export interface FileRef {
  readonly id: number;
  /** offset of the name inside the name table */
  readonly nameOffset: number;
  /** null when the offset is out of range or the name unterminated */
  readonly name: string | null;
}

/** The result of a structural read: as much of the section as could be decoded, plus findings. */
export interface SectionModel {
  readonly layout: LayoutId;
  readonly endian: Endian;
  readonly size: number;
  readonly header: readonly HeaderField[];
  readonly regions: readonly Region[];
  readonly blocks: readonly BlockInfo[] | null;
  readonly entries: readonly LocatedEntry[];
  readonly files: readonly FileRef[];
  readonly findings: readonly Finding[];
  /** true when the arrays could be located inside the section and were decoded */
  readonly decoded: boolean;
}

/**
 * For vmlinux tables: offsets of the `lineinfo_*` symbols relative to `lineinfo_num_entries`
 * (the start of the table image). Missing when only an image file is given; the layout then
 * derives them the way the assembler lays the generator's output out.
 */
export type SymbolOffsets = Readonly<Record<string, number>>;

export interface LookupQuery {
  /** offset from the table base (module `.text`, vmlinux `_text`) */
  readonly offset: number;
  /** offset of the enclosing symbol's start, for the v1 symbol-start rule; omitted = no check */
  readonly symbolStart?: number;
}

export type LookupAnswer =
  | { readonly kind: 'hit'; readonly file: string; readonly line: number; readonly fileId: number; readonly entryOffset: number; /** section offset of the name */ readonly nameAt: number }
  | { readonly kind: 'miss'; readonly reason: string }
  /** the kernel's algorithm would read outside the section: a decoder defect on this input */
  | { readonly kind: 'fault'; readonly offset: number; readonly reason: string };

export interface Layout {
  readonly id: LayoutId;
  readonly container: Container;
  readonly title: string;
  /** which patch/revision of the kernel series defined it */
  readonly origin: string;
  readonly headerSize: number;
  /** symbol names in generator order (vmlinux layouts only) */
  readonly symbols?: readonly string[];
  /**
   * Section bytes (module) or table image (vmlinux) for an already normalised table. Options
   * (compressed layouts) let test and fuzz code replace single varints.
   */
  encode(table: LineTable, endian: Endian, options?: EncodeOptions): Uint8Array;
  /** The assembly the kernel build would assemble for this table. */
  emitAsm(table: LineTable): string;
  /** Structural read with findings; never throws on malformed bytes. */
  read(bytes: Uint8Array, endian: Endian, symbols?: SymbolOffsets): SectionModel;
  /** The kernel's lookup algorithm for this layout, every read bounds-checked. */
  lookupKernel(bytes: Uint8Array, endian: Endian, query: LookupQuery, symbols?: SymbolOffsets): LookupAnswer;
}

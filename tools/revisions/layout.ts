/**
 * What every layout (a revision in a container) provides. Generic code (CLI, validator, fuzzer,
 * conformance) only talks to this interface, so adding a revision does not touch it.
 */
import type { Endian } from '../format/endian.js';
import type { Entry, LineTable } from '../model/line-table.js';
import type { LayoutId, LayoutTraits } from './layout-id.js';
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

/**
 * One per-section line table of a `sectioned` layout (v5 on): descriptor `index` of the root
 * covers `size` bytes from `anchor` (the covered section's run-time address, filled in by an ELF
 * relocation; 0 in an unrelocated `.ko`) with the table whose header is at `tableOffset`.
 * Entry offsets are relative to the anchor; file ids index this table's own `files`.
 */
export interface CoveredTable {
  readonly index: number;
  readonly anchor: bigint;
  readonly size: number;
  readonly tableOffset: number;
  readonly blocks: readonly BlockInfo[] | null;
  readonly entries: readonly LocatedEntry[];
  readonly files: readonly FileRef[];
  /** section offset of this table's name table */
  readonly namesAt: number;
  /** true when this table's arrays could be located and decoded */
  readonly decoded: boolean;
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
  /**
   * `sectioned` layouts: every descriptor's table, in root order. `blocks`, `entries` and `files`
   * above are then those of the first table that covers offsets (descriptor 0), so code that
   * shows one table still works; lookups and checks go through this list.
   */
  readonly tables?: readonly CoveredTable[];
}

/**
 * Where a section's fields and arrays are: the header fields and regions of its structural read,
 * without the decoded entries and files. What mutators and rule breakers locate bytes by; the
 * fuzzer keeps this, not the whole model, for every section it caches.
 */
export type SectionStructure = Pick<SectionModel, 'layout' | 'endian' | 'size' | 'header' | 'regions'>;

/** The structure of a model (a new object, so the model's entries can be collected). */
export function structureOf(model: SectionModel): SectionStructure {
  return { layout: model.layout, endian: model.endian, size: model.size, header: model.header, regions: model.regions };
}

/**
 * For vmlinux tables: offsets of the `lineinfo_*` symbols relative to `lineinfo_num_entries`
 * (the start of the table image). Missing when only an image file is given; the layout then
 * derives them the way the assembler lays the generator's output out.
 */
export type SymbolOffsets = Readonly<Record<string, number>>;

export interface LookupQuery {
  /**
   * offset from the table base (module `.text`, vmlinux `_text`). For `sectioned` layouts the
   * base is descriptor 0's anchor: the run-time address asked about is anchor0 + offset, unless
   * `address` is given.
   */
  readonly offset: number;
  /**
   * offset of the enclosing symbol's start (same base as `offset`), for layouts with a symbol
   * bound (traits.symbolBound); omitted = no check. Layouts without the bound ignore it.
   */
  readonly symbolStart?: number;
  /** `sectioned` layouts: the run-time address itself (u64), e.g. from a relocated module */
  readonly address?: bigint;
  /** `sectioned` layouts with a symbol bound: the enclosing symbol's run-time address */
  readonly symbolAddress?: bigint;
}

export type LookupAnswer =
  | { readonly kind: 'hit'; readonly file: string; readonly line: number; readonly fileId: number; readonly entryOffset: number; /** section offset of the name */ readonly nameAt: number }
  | { readonly kind: 'miss'; readonly reason: string }
  /** the kernel's algorithm would read outside the section: a decoder defect on this input */
  | { readonly kind: 'fault'; readonly offset: number; readonly reason: string };

/** Options of Layout.read. */
export interface ReadOptions {
  /**
   * Read only what a strict lookup needs: keep only the first MUST finding (and skip reading what
   * follows it where that is cheap to tell), skip checks that can only find SHOULD rules, keep no
   * header fields. The model breaks a MUST rule exactly when the full read's does, and when it
   * does not, has the same entries, files, tables and name regions. Use through readForLookup
   * (tools/lookup/strict-lookup.ts), which also covers layouts that ignore the option.
   */
  readonly mustOnly?: boolean;
}

export interface Layout {
  readonly id: LayoutId;
  readonly container: Container;
  /** what generic code may rely on (LAYOUT_TRAITS[id]) */
  readonly traits: LayoutTraits;
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
  /** Structural read with findings; never throws on malformed bytes (but see ReadOptions.mustOnly). */
  read(bytes: Uint8Array, endian: Endian, symbols?: SymbolOffsets, options?: ReadOptions): SectionModel;
  /** The kernel's lookup algorithm for this layout, every read bounds-checked. */
  lookupKernel(bytes: Uint8Array, endian: Endian, query: LookupQuery, symbols?: SymbolOffsets): LookupAnswer;
}

/**
 * Every byte layout lineinfo-kit knows, and the traits that generic code (the rule catalogue, the
 * fuzzer's mutators, the conformance vectors, the Kaitai bridge) keys on instead of on ids.
 * A "layout" is one revision of the format in one container: the `.mod_lineinfo` section of a
 * module, or the `lineinfo_*` symbol tables of vmlinux. Adding a revision adds one row to
 * LAYOUT_TRAITS and a module under tools/revisions/ (docs/adding-a-revision.md).
 *
 * This module imports nothing, so that the catalogue and the schemas' tests can use it without
 * pulling in the layouts themselves.
 */

export interface LayoutTraits {
  readonly container: 'module' | 'vmlinux';
  /** `flat`: parallel address/file/line arrays; `blocks`: block index plus delta stream */
  readonly entries: 'flat' | 'blocks';
  /** how signed deltas are stored in the stream (null for flat layouts) */
  readonly deltas: 'zigzag' | 'sleb128' | null;
  /**
   * How the arrays are located. `counts`: at offsets derived from counts in the header;
   * `offset-size`: the header stores an (offset, size) pair per array; `sectioned`: a root of
   * per-section descriptors, each pointing to an `offset-size` header of its own; `symbols`:
   * vmlinux symbols.
   */
  readonly locate: 'counts' | 'offset-size' | 'sectioned' | 'symbols';
  /** the header has a `reserved` field that must be 0 */
  readonly reserved: boolean;
  /** the stream's size is stored (`data_size` field or symbol); v1 vmlinux has none */
  readonly streamSize: boolean;
  /** the size of the name table is stored (v1 vmlinux has none) */
  readonly namesSize: boolean;
  /** zero padding aligns `file_offsets[]` to 4 after the stream */
  readonly filesAligned: boolean;
  /** the kernel's lookup drops an entry that lies before the enclosing symbol's start */
  readonly symbolBound: boolean;
  /**
   * sleb128 layouts whose kernel reader shifts a signed int32 (`(int32_t)(byte & 0x7f) << shift`,
   * v3 to v6): a 5th byte whose low 7 bits are 8 or more overflows, which C leaves undefined
   * (W21; GCC with the kernel's -fno-strict-overflow gives the two's-complement bits, the value
   * v7's u32 shift gives). Absent: no such shift.
   */
  readonly signedShiftOverflow?: boolean;
  /**
   * The earlier layout whose bytes this one shares exactly (only the kernel's lookup differs):
   * detection cannot tell them apart, picks the earlier one and lists this one as also fitting.
   */
  readonly sameBytesAs?: string;
  /**
   * The symbol bound is v7's `min_offset`: it applies only when the enclosing symbol starts at or
   * before the queried address (v1's per-entry rule also rejects a start above it).
   */
  readonly minOffsetBound?: boolean;
}

const TRAITS = {
  'v1-flat': { container: 'module', entries: 'flat', deltas: null, locate: 'counts', reserved: true, streamSize: false, namesSize: true, filesAligned: true, symbolBound: true },
  'v1': { container: 'module', entries: 'blocks', deltas: 'zigzag', locate: 'counts', reserved: true, streamSize: true, namesSize: true, filesAligned: false, symbolBound: true },
  'v2': { container: 'module', entries: 'blocks', deltas: 'zigzag', locate: 'counts', reserved: true, streamSize: true, namesSize: true, filesAligned: true, symbolBound: false },
  'v3': { container: 'module', entries: 'blocks', deltas: 'sleb128', locate: 'offset-size', reserved: true, streamSize: true, namesSize: true, filesAligned: true, symbolBound: false, signedShiftOverflow: true },
  'v5': { container: 'module', entries: 'blocks', deltas: 'sleb128', locate: 'sectioned', reserved: false, streamSize: true, namesSize: true, filesAligned: true, symbolBound: false },
  'v7': { container: 'module', entries: 'blocks', deltas: 'sleb128', locate: 'sectioned', reserved: false, streamSize: true, namesSize: true, filesAligned: true, symbolBound: true, sameBytesAs: 'v5', minOffsetBound: true },
  'vmlinux-v1-flat': { container: 'vmlinux', entries: 'flat', deltas: null, locate: 'symbols', reserved: false, streamSize: false, namesSize: false, filesAligned: true, symbolBound: true },
  'vmlinux-v1': { container: 'vmlinux', entries: 'blocks', deltas: 'zigzag', locate: 'symbols', reserved: false, streamSize: false, namesSize: false, filesAligned: true, symbolBound: true },
  'vmlinux-v2': { container: 'vmlinux', entries: 'blocks', deltas: 'zigzag', locate: 'symbols', reserved: false, streamSize: true, namesSize: true, filesAligned: true, symbolBound: false },
  'vmlinux-v3': { container: 'vmlinux', entries: 'blocks', deltas: 'sleb128', locate: 'symbols', reserved: false, streamSize: true, namesSize: true, filesAligned: true, symbolBound: false, signedShiftOverflow: true },
  'vmlinux-v7': { container: 'vmlinux', entries: 'blocks', deltas: 'sleb128', locate: 'symbols', reserved: false, streamSize: true, namesSize: true, filesAligned: true, symbolBound: true, sameBytesAs: 'vmlinux-v3', minOffsetBound: true },
} as const satisfies Record<string, LayoutTraits>;

/** Registry order: detection prefers earlier layouts when several fit. */
export const LAYOUT_IDS = Object.keys(TRAITS) as (keyof typeof TRAITS)[];
export type LayoutId = keyof typeof TRAITS;

export const LAYOUT_TRAITS: Readonly<Record<LayoutId, LayoutTraits>> = TRAITS;

export function isLayoutId(value: string): value is LayoutId {
  return Object.hasOwn(TRAITS, value);
}

/** The layout ids whose traits satisfy `test`, in registry order. */
export function layoutsWhere(test: (t: LayoutTraits, id: LayoutId) => boolean): LayoutId[] {
  return LAYOUT_IDS.filter((id) => test(TRAITS[id], id));
}

/**
 * Names of revisions that share a layout with an earlier one (the series changed code, not
 * bytes): accepted wherever a layout id is, e.g. `--revision v4`.
 */
export const LAYOUT_ALIASES: Readonly<Record<string, LayoutId>> = {
  v4: 'v3',
  v6: 'v5',
  'vmlinux-v4': 'vmlinux-v3',
  'vmlinux-v5': 'vmlinux-v3',
  'vmlinux-v6': 'vmlinux-v3',
};

export function resolveLayoutName(value: string): LayoutId | null {
  if (isLayoutId(value)) return value;
  return LAYOUT_ALIASES[value] ?? null;
}

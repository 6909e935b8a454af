/**
 * The rule catalogue: every rule a valid lineinfo section satisfies, with the stable id used in
 * spec/FORMAT.md, validator diagnostics, fuzz mutators and conformance vectors. A test checks
 * that FORMAT.md lists exactly these ids with the same level and layouts, so the two cannot drift.
 */
import { layoutsWhere } from '../revisions/layout-id.js';
import type { LayoutId } from '../revisions/layout-id.js';

export type RuleLevel = 'MUST' | 'SHOULD';
export type Severity = 'error' | 'warning' | 'note';

export interface Rule {
  readonly id: string;
  readonly level: RuleLevel;
  /** Default severity of a violation: MUST rules are errors; SHOULD rules warnings or notes. */
  readonly severity: Severity;
  readonly layouts: readonly LayoutId[];
  /** One line, plain English, what a valid section satisfies. */
  readonly summary: string;
  /** Rules that can only be checked with the ELF object around the section. */
  readonly needsElf?: boolean;
}

/**
 * Named groups of layouts, derived from their traits so that a new revision joins the rules that
 * apply to it without editing them. spec/FORMAT.md's rule table may name a group instead of
 * listing its layouts.
 */
export const LAYOUT_GROUPS = {
  all: layoutsWhere(() => true),
  module: layoutsWhere((t) => t.container === 'module'),
  vmlinux: layoutsWhere((t) => t.container === 'vmlinux'),
  compressed: layoutsWhere((t) => t.entries === 'blocks'),
  flat: layoutsWhere((t) => t.entries === 'flat'),
  reserved: layoutsWhere((t) => t.reserved),
  sectioned: layoutsWhere((t) => t.locate === 'sectioned'),
  'offset-size': layoutsWhere((t) => t.locate === 'offset-size' || t.locate === 'sectioned'),
  /** one table per section, located by the section header's (offset, size) pairs (v3, v4) */
  'offset-size-header': layoutsWhere((t) => t.locate === 'offset-size'),
  padded: layoutsWhere((t) => t.filesAligned),
  'single-table': layoutsWhere((t) => t.locate !== 'sectioned'),
  'unaligned-files': layoutsWhere((t) => !t.filesAligned),
} as const satisfies Record<string, readonly LayoutId[]>;

const MODULE = LAYOUT_GROUPS.module;
const VMLINUX = LAYOUT_GROUPS.vmlinux;
const ALL = LAYOUT_GROUPS.all;
const COMPRESSED = LAYOUT_GROUPS.compressed;

export const RULES: readonly Rule[] = [
  { id: 'LI-HDR-001', level: 'MUST', severity: 'error', layouts: ALL,
    summary: 'The section (or vmlinux table image) is at least as large as its fixed header.' },
  { id: 'LI-HDR-002', level: 'MUST', severity: 'error', layouts: LAYOUT_GROUPS.reserved,
    summary: 'The header field `reserved` is 0.' },
  { id: 'LI-HDR-003', level: 'SHOULD', severity: 'warning', layouts: ALL,
    summary: '`num_entries` is at least 1; an empty table never annotates anything.' },
  { id: 'LI-HDR-004', level: 'MUST', severity: 'error', layouts: COMPRESSED,
    summary: '`num_blocks` equals ceil(`num_entries` / 64).' },
  { id: 'LI-HDR-005', level: 'SHOULD', severity: 'warning', layouts: ALL,
    summary: '`num_files` is at most 65535 (the generator\'s limit; flat layouts store ids as u16).' },
  { id: 'LI-LAY-001', level: 'MUST', severity: 'error', layouts: ALL,
    summary: 'Every array and the name table, at the offsets the layout defines (computed exactly, without 32-bit wrap-around), lies inside the section.' },
  { id: 'LI-LAY-002', level: 'SHOULD', severity: 'warning', layouts: MODULE,
    summary: 'No bytes follow the (last) name table, except zero bytes of section padding, fewer than the section\'s alignment (4; 8 for sectioned blobs).' },
  { id: 'LI-LAY-003', level: 'SHOULD', severity: 'warning', layouts: LAYOUT_GROUPS.padded,
    summary: 'Alignment padding bytes are zero.' },
  { id: 'LI-ALN-001', level: 'SHOULD', severity: 'warning', layouts: LAYOUT_GROUPS['unaligned-files'],
    summary: '`file_offsets[]` starts at a multiple of 4 (v1 places it right after the stream, so a kernel loads it misaligned when `data_size` is not a multiple of 4).' },
  { id: 'LI-ALN-002', level: 'SHOULD', severity: 'warning', layouts: MODULE, needsElf: true,
    summary: 'The `.mod_lineinfo` section header asks for an alignment of at least 4 (objcopy --add-section gives 1).' },
  { id: 'LI-ELF-001', level: 'MUST', severity: 'error', layouts: MODULE, needsElf: true,
    summary: '`.mod_lineinfo` has SHF_ALLOC, so the module loader copies it into memory.' },
  { id: 'LI-ELF-002', level: 'SHOULD', severity: 'warning', layouts: MODULE, needsElf: true,
    summary: 'Every entry offset lies inside the module\'s `.text` section.' },
  { id: 'LI-ENT-001', level: 'MUST', severity: 'error', layouts: ALL,
    summary: 'Entry offsets are strictly increasing (computed exactly, without 32-bit wrap-around).' },
  { id: 'LI-ENT-002', level: 'MUST', severity: 'error', layouts: ALL,
    summary: 'Every entry\'s file id is below `num_files`.' },
  { id: 'LI-ENT-003', level: 'SHOULD', severity: 'warning', layouts: ALL,
    summary: 'Every entry\'s line is at least 1 (DWARF line 0 means "no source line").' },
  { id: 'LI-ENT-004', level: 'SHOULD', severity: 'note', layouts: ALL,
    summary: 'No entry repeats the (file, line) of the entry before it (such entries are redundant).' },
  { id: 'LI-BLK-001', level: 'MUST', severity: 'error', layouts: COMPRESSED,
    summary: '`block_offsets[0]` is 0.' },
  { id: 'LI-BLK-002', level: 'MUST', severity: 'error', layouts: COMPRESSED,
    summary: '`block_offsets[]` is strictly increasing and every entry is below the stream size.' },
  { id: 'LI-BLK-003', level: 'MUST', severity: 'error', layouts: COMPRESSED,
    summary: '`block_addrs[]` is strictly increasing.' },
  { id: 'LI-STR-001', level: 'MUST', severity: 'error', layouts: COMPRESSED,
    summary: 'Every varint of a block ends inside that block\'s byte range.' },
  { id: 'LI-STR-002', level: 'MUST', severity: 'error', layouts: COMPRESSED,
    summary: 'No varint is longer than 5 bytes or encodes a value of 2^32 or more.' },
  { id: 'LI-STR-003', level: 'SHOULD', severity: 'warning', layouts: COMPRESSED,
    summary: 'Varints use their shortest encoding.' },
  { id: 'LI-STR-004', level: 'SHOULD', severity: 'warning', layouts: COMPRESSED,
    summary: 'A block\'s entries use its byte range exactly, with no bytes left over.' },
  { id: 'LI-FIL-001', level: 'MUST', severity: 'error', layouts: ALL,
    summary: 'Every `file_offsets[i]` is below the name-table size.' },
  { id: 'LI-FIL-002', level: 'MUST', severity: 'error', layouts: ALL,
    summary: 'Every file name is NUL-terminated inside the name table.' },
  { id: 'LI-FIL-003', level: 'SHOULD', severity: 'warning', layouts: ALL,
    summary: 'Names are packed in file-id order from offset 0, each right after the previous terminator, filling the name table exactly.' },
  { id: 'LI-FIL-004', level: 'SHOULD', severity: 'note', layouts: LAYOUT_GROUPS['single-table'],
    summary: 'Every file is named by at least one entry.' },
  { id: 'LI-FIL-005', level: 'SHOULD', severity: 'warning', layouts: ALL,
    summary: 'File names are non-empty and distinct.' },
  { id: 'LI-PTH-001', level: 'SHOULD', severity: 'warning', layouts: ALL,
    summary: 'File names are relative to the source tree, not absolute.' },
  { id: 'LI-PTH-002', level: 'SHOULD', severity: 'warning', layouts: ALL,
    summary: 'File names do not start with `../` (a symptom of O= builds).' },
  { id: 'LI-PTH-003', level: 'SHOULD', severity: 'warning', layouts: ALL,
    summary: 'File names are not doubled (`a/b.c/a/b.c`).' },
  { id: 'LI-PTH-004', level: 'SHOULD', severity: 'note', layouts: ALL,
    summary: 'No bare basename while the table\'s other files carry directories.' },
  { id: 'LI-DWF-001', level: 'SHOULD', severity: 'warning', layouts: ALL, needsElf: true,
    summary: 'The entries and file names equal what the kernel generator derives from the object\'s own DWARF (checked by validate --dwarf).' },
  { id: 'LI-OFS-001', level: 'MUST', severity: 'error', layouts: LAYOUT_GROUPS['offset-size-header'],
    summary: '`blocks_size` is at least 8 · `num_blocks` and `files_size` at least 4 · `num_files` (computed exactly): the pairs hold the arrays the counts describe.' },
  { id: 'LI-OFS-002', level: 'SHOULD', severity: 'warning', layouts: LAYOUT_GROUPS['offset-size-header'],
    summary: '`blocks_size` equals 8 · `num_blocks` and `files_size` equals 4 · `num_files`.' },
  { id: 'LI-OFS-003', level: 'SHOULD', severity: 'warning', layouts: LAYOUT_GROUPS['offset-size-header'],
    summary: 'The arrays follow the header in the generator\'s order without overlapping: block index at the header\'s end, stream right after it, file table at the next multiple of 4, names right after it.' },
  { id: 'LI-OFS-004', level: 'SHOULD', severity: 'warning', layouts: LAYOUT_GROUPS['offset-size-header'],
    summary: '`blocks_offset` and `files_offset` are multiples of 4 (the kernel loads u32s there without checking, W28).' },
  { id: 'LI-SEC-001', level: 'MUST', severity: 'error', layouts: LAYOUT_GROUPS.sectioned,
    summary: 'The descriptors start at offset 8: the root\'s bytes 4-7 are zero padding (a 32-bit build of the v5/v6 struct without `__aligned(8)` places them at 4).' },
  { id: 'LI-SEC-002', level: 'MUST', severity: 'error', layouts: LAYOUT_GROUPS.sectioned,
    summary: 'Every `table_offset` is a multiple of 4 and points at its table\'s header, not at the alignment padding before it.' },
  { id: 'LI-SEC-003', level: 'SHOULD', severity: 'warning', layouts: LAYOUT_GROUPS.sectioned,
    summary: 'Each table\'s arrays follow its header in the generator\'s order, each right after the previous one (file table 4-aligned), with sizes exactly what the counts need.' },
  { id: 'LI-SEC-004', level: 'SHOULD', severity: 'warning', layouts: LAYOUT_GROUPS.sectioned,
    summary: 'Every entry offset lies below its descriptor\'s `size` (entries past it can never be looked up).' },
  { id: 'LI-SEC-005', level: 'SHOULD', severity: 'warning', layouts: LAYOUT_GROUPS.sectioned,
    summary: 'The address ranges of descriptors with non-zero anchors do not overlap.' },
  { id: 'LI-SEC-008', level: 'MUST', severity: 'error', layouts: LAYOUT_GROUPS.sectioned,
    summary: 'The name table of each table with entries is non-empty and ends with a NUL byte (the v5 kernel checks its last byte instead of each name).' },
  { id: 'LI-SEC-006', level: 'MUST', severity: 'error', layouts: LAYOUT_GROUPS.sectioned, needsElf: true,
    summary: 'In a module file, every descriptor\'s anchor has exactly one absolute relocation (R_*_64, or abs32 on the low word on 32-bit targets) against the start of a section its blob covers, and the descriptor\'s `size` equals that section\'s size.' },
  { id: 'LI-SEC-007', level: 'SHOULD', severity: 'warning', layouts: ['v5'], needsElf: true,
    summary: 'A 32-bit (ELFCLASS32) module uses v7 rather than v5/v6: where u64 is 4-aligned (i386; m68k 2) a v5/v6 kernel reads the descriptors at offset 4.' },
  { id: 'LI-VML-001', level: 'MUST', severity: 'error', layouts: VMLINUX, needsElf: true,
    summary: 'Every `lineinfo_*` symbol of the layout is defined, in one section, in the generator\'s order and alignment.' },
];

const BY_ID = new Map(RULES.map((r) => [r.id, r]));

export function ruleById(id: string): Rule {
  const rule = BY_ID.get(id);
  if (!rule) throw new Error(`unknown rule id ${id}`);
  return rule;
}

export function rulesFor(layout: LayoutId): Rule[] {
  return RULES.filter((r) => r.layouts.includes(layout));
}

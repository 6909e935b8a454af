/**
 * One "breaker" per rule: from a valid table it builds a section that breaks that rule, keeping
 * everything else as consistent as the layout allows. The same breakers drive the validator's
 * completeness test, the fuzzer's structure-aware mutators and the conformance vectors, so a
 * rule without a breaker is a rule nobody checks (a test enforces full coverage).
 */
import type { Endian } from '../format/endian.js';
import type { Entry, LineTable } from '../model/line-table.js';
import type { StreamField, VarintHook } from '../revisions/block-stream.js';
import { replaceVarint } from '../revisions/block-stream.js';
import type { Layout, SectionStructure, SymbolOffsets } from '../revisions/layout.js';
import { LAYOUT_GROUPS } from '../rules/catalogue.js';
import type { LayoutId } from '../revisions/layout-id.js';
import type { ModuleContainerFacts } from '../validate/container-rules.js';
import { blobFromTable, encodeBlob } from '../revisions/sectioned-blob.js';
import type { BlobInput, EncodedBlob } from '../revisions/sectioned-blob.js';

export interface BreakContext {
  readonly layout: Layout;
  readonly endian: Endian;
  /** a valid, normalised table with at least 3 entries and 2 files */
  readonly table: LineTable;
  /** deterministic randomness in [0, 1) */
  readonly random: () => number;
  /**
   * The structure of `bytes` when the caller already knows it (the fuzzer's cached sections), or
   * null: the breaker reads them. Breakers only locate fields and arrays through it.
   */
  readonly knownStructure?: (bytes: Uint8Array) => SectionStructure | null;
}

export interface BrokenSection {
  readonly bytes: Uint8Array;
  readonly symbols?: SymbolOffsets;
  /** for rules about the ELF container of a module section */
  readonly container?: ModuleContainerFacts;
  /** for LI-DWF-001: the table the object's DWARF gives */
  readonly dwarfTable?: LineTable;
  readonly description: string;
}

export interface RuleBreaker {
  readonly rule: string;
  readonly layouts: readonly LayoutId[];
  /** null when this table cannot break the rule (e.g. it needs two blocks); try another table */
  make(ctx: BreakContext): BrokenSection | null;
}

const MODULE: readonly LayoutId[] = LAYOUT_GROUPS.module;
const VMLINUX: readonly LayoutId[] = LAYOUT_GROUPS.vmlinux;
const ALL: readonly LayoutId[] = LAYOUT_GROUPS.all;
const COMPRESSED: readonly LayoutId[] = LAYOUT_GROUPS.compressed;
const FLAT: readonly LayoutId[] = LAYOUT_GROUPS.flat;
const SECTIONED: readonly LayoutId[] = LAYOUT_GROUPS.sectioned;
const OFFSET_SIZE_HEADER: readonly LayoutId[] = LAYOUT_GROUPS['offset-size-header'];

const VALID_CONTAINER: ModuleContainerFacts = { sectionFlags: 0x2n, addralign: 4n, textSize: null };

function encodeWith(ctx: BreakContext, table: LineTable, hook?: VarintHook): Uint8Array {
  return ctx.layout.encode(table, ctx.endian, hook ? { varintHook: hook } : {});
}

function model(ctx: BreakContext, bytes: Uint8Array): SectionStructure {
  return ctx.knownStructure?.(bytes) ?? ctx.layout.read(bytes, ctx.endian);
}

function setU32(ctx: BreakContext, bytes: Uint8Array, at: number, value: number): Uint8Array {
  const out = new Uint8Array(bytes);
  new DataView(out.buffer).setUint32(at, value >>> 0, ctx.endian === 'le');
  return out;
}

function setU16(ctx: BreakContext, bytes: Uint8Array, at: number, value: number): Uint8Array {
  const out = new Uint8Array(bytes);
  new DataView(out.buffer).setUint16(at, value & 0xffff, ctx.endian === 'le');
  return out;
}

function headerField(m: SectionStructure, ...names: string[]): { offset: number; value: number } {
  for (const n of names) {
    const f = m.header.find((h) => h.name === n || h.name === `lineinfo_${n}`);
    if (f) return f;
  }
  throw new Error(`layout ${m.layout} has no header field ${names.join('/')}`);
}

function region(m: SectionStructure, name: string): { offset: number; size: number } | null {
  return m.regions.find((r) => r.name === name || r.name === `lineinfo_${name}`) ?? null;
}

function withEntries(table: LineTable, entries: Entry[]): LineTable {
  return { files: table.files, entries };
}

function withFiles(table: LineTable, files: string[]): LineTable {
  return { files, entries: table.entries };
}

/** Flat layouts: patch one array element. */
function patchFlat(ctx: BreakContext, array: 'addrs' | 'file_ids' | 'lines', index: number, value: number): Uint8Array | null {
  const bytes = encodeWith(ctx, ctx.table);
  const r = region(model(ctx, bytes), array);
  if (!r) return null;
  return array === 'file_ids' ? setU16(ctx, bytes, r.offset + 2 * index, value) : setU32(ctx, bytes, r.offset + 4 * index, value);
}

const ok = (bytes: Uint8Array | null, description: string, extra: Partial<BrokenSection> = {}): BrokenSection | null =>
  bytes === null ? null : { bytes, description, ...extra };

export const RULE_BREAKERS: readonly RuleBreaker[] = [
  {
    rule: 'LI-HDR-001', layouts: ALL,
    make: (ctx) => ok(encodeWith(ctx, ctx.table).subarray(0, Math.floor(ctx.random() * ctx.layout.headerSize)), 'section cut inside its header'),
  },
  {
    rule: 'LI-HDR-002', layouts: LAYOUT_GROUPS.reserved,
    make: (ctx) => {
      const b = encodeWith(ctx, ctx.table);
      return ok(setU32(ctx, b, headerField(model(ctx, b), 'reserved').offset, 1 + Math.floor(ctx.random() * 0xffff)), 'reserved header field not 0');
    },
  },
  {
    rule: 'LI-HDR-003', layouts: ALL,
    make: (ctx) => ok(encodeWith(ctx, withEntries(ctx.table, [])), 'table with no entries'),
  },
  {
    rule: 'LI-HDR-004', layouts: COMPRESSED,
    make: (ctx) => {
      const b = encodeWith(ctx, ctx.table);
      const f = headerField(model(ctx, b), 'num_blocks');
      return ok(setU32(ctx, b, f.offset, f.value + 1), 'num_blocks one more than ceil(num_entries / 64)');
    },
  },
  {
    rule: 'LI-HDR-005', layouts: ALL,
    make: (ctx) => {
      const files = Array.from({ length: 65536 }, (_, i) => ctx.table.files[i] ?? `gen/f${i}.c`);
      return ok(encodeWith(ctx, withFiles(ctx.table, files)), '65536 files, one above the generator limit');
    },
  },
  {
    rule: 'LI-LAY-001', layouts: ALL,
    make: (ctx) => {
      const b = encodeWith(ctx, ctx.table);
      const m = model(ctx, b);
      const flat = FLAT.includes(ctx.layout.id);
      const pick = Math.floor(ctx.random() * 3);
      if (pick === 0) {
        // A count whose u32 products wrap: 0x40000000 files need 4 GiB of offsets (4 * F wraps to 0).
        return ok(setU32(ctx, b, headerField(m, 'num_files').offset, 0x4000_0000 + (ctx.table.files.length >>> 0)), 'num_files so large that 4 * num_files wraps in 32 bits');
      }
      if (pick === 1 && ctx.layout.traits.namesSize) {
        const f = headerField(m, 'filenames_size');
        return ok(setU32(ctx, b, f.offset, (f.value + b.length + 1) >>> 0), 'filenames_size past the end of the section');
      }
      const f = headerField(m, 'num_entries');
      if (flat) return ok(setU32(ctx, b, f.offset, 0xffff_ffff - Math.floor(ctx.random() * 8)), 'num_entries near 2^32: the arrays cannot fit');
      // Cut inside file_offsets[]: no layout can place the file table then.
      const fo = region(m, 'file_offsets')!;
      return ok(b.subarray(0, fo.offset + 1 + Math.floor(ctx.random() * Math.max(1, fo.size - 1))), 'section truncated inside file_offsets[]');
    },
  },
  {
    rule: 'LI-LAY-002', layouts: MODULE,
    make: (ctx) => {
      const b = encodeWith(ctx, ctx.table);
      const out = new Uint8Array(b.length + 1 + Math.floor(ctx.random() * 7));
      out.set(b);
      out[b.length] = 0x5a; // non-zero: not mere section padding
      return ok(out, 'bytes after the name table');
    },
  },
  {
    rule: 'LI-LAY-003', layouts: LAYOUT_GROUPS.padded,
    make: (ctx) => {
      const b = encodeWith(ctx, ctx.table);
      const pad = region(model(ctx, b), 'pad');
      if (!pad) return null;
      const out = new Uint8Array(b);
      out[pad.offset] = 0xa5;
      return ok(out, 'alignment padding not zero');
    },
  },
  {
    rule: 'LI-ALN-001', layouts: LAYOUT_GROUPS['unaligned-files'],
    make: (ctx) => {
      const b = encodeWith(ctx, ctx.table);
      const fo = region(model(ctx, b), 'file_offsets');
      return fo && fo.offset % 4 !== 0 ? ok(b, 'file_offsets[] misaligned after a stream whose size is not a multiple of 4') : null;
    },
  },
  {
    rule: 'LI-ALN-002', layouts: MODULE,
    make: (ctx) => ok(encodeWith(ctx, ctx.table), 'section header alignment 1 (objcopy --add-section)', { container: { ...VALID_CONTAINER, addralign: 1n } }),
  },
  {
    rule: 'LI-ELF-001', layouts: MODULE,
    make: (ctx) => ok(encodeWith(ctx, ctx.table), 'section without SHF_ALLOC', { container: { ...VALID_CONTAINER, sectionFlags: 0n } }),
  },
  {
    rule: 'LI-ELF-002', layouts: MODULE,
    make: (ctx) => {
      const last = ctx.table.entries[ctx.table.entries.length - 1]!;
      return ok(encodeWith(ctx, ctx.table), 'last entry at the end of a shorter .text', { container: { ...VALID_CONTAINER, textSize: last.offset } });
    },
  },
  {
    rule: 'LI-ENT-001', layouts: ALL,
    make: (ctx) => {
      const i = 1 + Math.floor(ctx.random() * (ctx.table.entries.length - 1));
      if (FLAT.includes(ctx.layout.id)) return ok(patchFlat(ctx, 'addrs', i, ctx.table.entries[i - 1]!.offset), `addrs[${i}] equal to addrs[${i - 1}]`);
      if (i % 64 === 0) return null; // first entries of blocks take their offset from the index
      return ok(encodeWith(ctx, ctx.table, replaceVarint(Math.floor(i / 64), i % 64, 'addr_delta', () => [0])), `address delta of entry ${i} is 0`);
    },
  },
  {
    rule: 'LI-ENT-002', layouts: ALL,
    make: (ctx) => {
      const f = ctx.table.files.length;
      if (FLAT.includes(ctx.layout.id)) return ok(patchFlat(ctx, 'file_ids', 0, f), 'file_ids[0] equal to num_files');
      if (f >= 128) return null;
      return ok(encodeWith(ctx, ctx.table, replaceVarint(0, 0, 'file_id', () => [f])), 'first entry names file num_files');
    },
  },
  {
    rule: 'LI-ENT-003', layouts: ALL,
    make: (ctx) => {
      if (FLAT.includes(ctx.layout.id)) return ok(patchFlat(ctx, 'lines', 0, 0), 'lines[0] is 0');
      return ok(encodeWith(ctx, ctx.table, replaceVarint(0, 0, 'line', () => [0])), 'first entry has line 0');
    },
  },
  {
    rule: 'LI-ENT-004', layouts: ALL,
    make: (ctx) => {
      const e = [...ctx.table.entries];
      e[1] = { ...e[1]!, fileId: e[0]!.fileId, line: e[0]!.line };
      return ok(encodeWith(ctx, withEntries(ctx.table, e)), 'entry 1 repeats entry 0\'s file and line');
    },
  },
  {
    rule: 'LI-BLK-001', layouts: COMPRESSED,
    make: (ctx) => {
      const b = encodeWith(ctx, ctx.table);
      const r = region(model(ctx, b), 'block_offsets');
      return r ? ok(setU32(ctx, b, r.offset, 1), 'block_offsets[0] is 1') : null;
    },
  },
  {
    rule: 'LI-BLK-002', layouts: COMPRESSED,
    make: (ctx) => {
      if (ctx.table.entries.length <= 64) return null;
      const b = encodeWith(ctx, ctx.table);
      const r = region(model(ctx, b), 'block_offsets')!;
      const past = ctx.random() < 0.5;
      return ok(setU32(ctx, b, r.offset + 4, past ? 0xffff_fff0 : 0), past ? 'block_offsets[1] far past the stream' : 'block_offsets[1] not after block_offsets[0]');
    },
  },
  {
    rule: 'LI-BLK-003', layouts: COMPRESSED,
    make: (ctx) => {
      if (ctx.table.entries.length <= 64) return null;
      const b = encodeWith(ctx, ctx.table);
      const r = region(model(ctx, b), 'block_addrs')!;
      return ok(setU32(ctx, b, r.offset + 4, ctx.table.entries[0]!.offset), 'block_addrs[1] equal to block_addrs[0]');
    },
  },
  {
    rule: 'LI-STR-001', layouts: COMPRESSED,
    make: (ctx) => {
      const n = ctx.table.entries.length;
      const lastBlock = Math.floor((n - 1) / 64);
      const lastEntry = (n - 1) % 64;
      const field: StreamField = lastEntry === 0 ? 'line' : 'line_delta';
      const b = encodeWith(ctx, ctx.table, replaceVarint(lastBlock, lastEntry, field, (normal) => normal.map((x) => x | 0x80)));
      if (!ctx.layout.traits.streamSize) {
        // No stream size here: the stream only ends where the image does.
        const data = region(model(ctx, encodeWith(ctx, ctx.table)), 'data')!;
        return ok(b.subarray(0, data.offset + data.size), 'the image ends inside the last varint of the stream');
      }
      return ok(b, 'the last varint of the stream has its continuation bit set (truncated LEB128)');
    },
  },
  {
    rule: 'LI-STR-002', layouts: COMPRESSED,
    make: (ctx) => ok(encodeWith(ctx, ctx.table, replaceVarint(0, 0, 'line', (normal) => [...padVarint(normal, 6)])), 'a 6-byte varint'),
  },
  {
    rule: 'LI-STR-003', layouts: COMPRESSED,
    make: (ctx) => ok(encodeWith(ctx, ctx.table, replaceVarint(0, 0, 'file_id', (normal) => [...padVarint(normal, normal.length + 1)])), 'a varint one byte longer than needed'),
  },
  {
    rule: 'LI-STR-004', layouts: COMPRESSED,
    make: (ctx) => {
      const n = ctx.table.entries.length;
      if (n <= 64 && !ctx.layout.traits.streamSize) return null; // the last block has no end but its entries
      const entry = Math.min(63, n - 1);
      const field: StreamField = entry === 0 ? 'line' : 'line_delta';
      return ok(encodeWith(ctx, ctx.table, replaceVarint(0, entry, field, (normal) => [...normal, 0])), 'a spare byte after block 0\'s entries');
    },
  },
  {
    rule: 'LI-FIL-001', layouts: ALL,
    make: (ctx) => {
      const b = encodeWith(ctx, ctx.table);
      const m = model(ctx, b);
      const r = region(m, 'file_offsets')!;
      const names = region(m, 'filenames')!;
      return ok(setU32(ctx, b, r.offset, names.size + Math.floor(ctx.random() * 16)), 'file_offsets[0] past the name table');
    },
  },
  {
    rule: 'LI-FIL-002', layouts: ALL,
    make: (ctx) => {
      const b = new Uint8Array(encodeWith(ctx, ctx.table));
      if (ctx.layout.traits.namesSize) {
        b[b.length - 1] = 0x78; // the last name loses its terminator
        return ok(b, 'the last file name is not NUL-terminated');
      }
      return ok(b.subarray(0, b.length - 1), 'the image ends before the last name\'s NUL');
    },
  },
  {
    rule: 'LI-FIL-003', layouts: ALL,
    make: (ctx) => {
      const b = encodeWith(ctx, ctx.table);
      const r = region(model(ctx, b), 'file_offsets')!;
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const le = ctx.endian === 'le';
      const a = view.getUint32(r.offset, le);
      const c = view.getUint32(r.offset + 4, le);
      return ok(setU32(ctx, setU32(ctx, b, r.offset, c), r.offset + 4, a), 'file_offsets[0] and [1] swapped');
    },
  },
  {
    rule: 'LI-FIL-004', layouts: LAYOUT_GROUPS['single-table'],
    make: (ctx) => ok(encodeWith(ctx, withFiles(ctx.table, [...ctx.table.files, 'unused/never.c'])), 'a file no entry names'),
  },
  {
    rule: 'LI-FIL-005', layouts: ALL,
    make: (ctx) => ok(encodeWith(ctx, withFiles(ctx.table, [ctx.table.files[0]!, ctx.table.files[0]!, ...ctx.table.files.slice(2)])), 'two files with the same name'),
  },
  pathBreaker('LI-PTH-001', (n) => `/home/build/linux/${n}`, 'an absolute path'),
  pathBreaker('LI-PTH-002', (n) => `../${n}`, 'a path starting with ../'),
  pathBreaker('LI-PTH-003', (n) => `${n}/${n}`, 'a doubled path'),
  {
    rule: 'LI-PTH-004', layouts: ALL,
    make: (ctx) => {
      const files = ctx.table.files.map((f, i) => (i === 0 ? 'bare.c' : f.includes('/') ? f : `dir/${f}`));
      return ok(encodeWith(ctx, withFiles(ctx.table, files)), 'a bare basename among paths with directories');
    },
  },
  {
    rule: 'LI-DWF-001', layouts: ALL,
    make: (ctx) => {
      const e = [...ctx.table.entries];
      const i = Math.floor(ctx.random() * e.length);
      e[i] = { ...e[i]!, line: e[i]!.line + 1 };
      return ok(encodeWith(ctx, withEntries(ctx.table, e)), `entry ${i}'s line one above what the DWARF gives`, { dwarfTable: ctx.table });
    },
  },
  {
    rule: 'LI-VML-001', layouts: VMLINUX,
    make: (ctx) => {
      const b = encodeWith(ctx, ctx.table);
      const m = model(ctx, b);
      const symbols: Record<string, number> = {};
      for (const name of ctx.layout.symbols ?? []) {
        const r = m.regions.find((x) => x.name === name) ?? m.header.find((h) => h.name === name);
        if (r) symbols[name] = r.offset;
      }
      symbols.lineinfo_num_entries = 0;
      symbols.lineinfo_num_files = 4;
      const fo = region(m, 'file_offsets')!;
      symbols.lineinfo_file_offsets = fo.offset;
      symbols.lineinfo_filenames = region(m, 'filenames')!.offset;
      delete symbols[ctx.random() < 0.5 ? 'lineinfo_filenames' : 'lineinfo_file_offsets'];
      return ok(b, 'a lineinfo_* symbol missing', { symbols });
    },
  },
  {
    rule: 'LI-OFS-001', layouts: OFFSET_SIZE_HEADER,
    make: (ctx) => {
      const b = encodeWith(ctx, ctx.table);
      const f = headerField(model(ctx, b), ctx.random() < 0.5 ? 'blocks_size' : 'files_size');
      return ok(setU32(ctx, b, f.offset, f.value - 4), 'blocks_size or files_size 4 bytes short of what the counts need');
    },
  },
  {
    rule: 'LI-OFS-002', layouts: OFFSET_SIZE_HEADER,
    make: (ctx) => {
      const b = encodeWith(ctx, ctx.table);
      const f = headerField(model(ctx, b), ctx.random() < 0.5 ? 'blocks_size' : 'files_size');
      return ok(setU32(ctx, b, f.offset, f.value + 4), 'blocks_size or files_size 4 bytes larger than the counts need');
    },
  },
  {
    rule: 'LI-OFS-003', layouts: OFFSET_SIZE_HEADER,
    make: (ctx) => ok(gapBeforeFiles(ctx, 4), '4 spare bytes between the stream\'s padding and the file table'),
  },
  {
    rule: 'LI-OFS-004', layouts: OFFSET_SIZE_HEADER,
    make: (ctx) => ok(gapBeforeFiles(ctx, 1 + Math.floor(ctx.random() * 3)), 'file table moved to an offset that is not a multiple of 4'),
  },
  {
    rule: 'LI-SEC-001', layouts: SECTIONED,
    make: (ctx) => {
      if (ctx.random() < 0.5) return ok(encodeBlob(blobFromTable(ctx.table), ctx.endian, { descriptorsAt4: true }).bytes, 'descriptors at offset 4, as a 32-bit struct without __aligned(8) lays them out (W22)');
      const b = encodeWith(ctx, ctx.table);
      return ok(setU32(ctx, b, 4, 1 + Math.floor(ctx.random() * 0xffff)), 'root padding not zero');
    },
  },
  {
    rule: 'LI-SEC-002', layouts: SECTIONED,
    make: (ctx) => {
      // W23: two tables, the first ending unaligned, the second's label before its .balign
      const blob = twoSectionBlob(ctx);
      for (let extra = 0; extra < 4; extra++) {
        // lengthen the first name until the first table ends unaligned
        const files = blob.files.map((f, i) => (i === 0 ? f + 'x'.repeat(extra) : f));
        const e = encodeBlob({ ...blob, files }, ctx.endian, { labelBeforeAlign: true });
        if (e.headerOffsets.length > 1 && tableOffsetOf(ctx, e, 1) % 4 !== 0) {
          return ok(e.bytes, 'second table_offset points into the padding before its header (W23)');
        }
      }
      return null;
    },
  },
  {
    rule: 'LI-SEC-003', layouts: SECTIONED,
    make: (ctx) => {
      const b = encodeWith(ctx, ctx.table);
      const f = headerField(model(ctx, b), 'blocks_size');
      return ok(setU32(ctx, b, f.offset, f.value + 4), 'blocks_size 4 bytes larger than the block index');
    },
  },
  {
    rule: 'LI-SEC-004', layouts: SECTIONED,
    make: (ctx) => {
      const b = encodeWith(ctx, ctx.table);
      const last = ctx.table.entries[ctx.table.entries.length - 1]!.offset;
      const at = headerField(model(ctx, b), 'sections[0].size').offset;
      return ok(setU32(ctx, b, at, Math.max(1, Math.floor(last * ctx.random()))), 'covered section size below the last entry offset');
    },
  },
  {
    rule: 'LI-SEC-005', layouts: SECTIONED,
    make: (ctx) => {
      const blob = twoSectionBlob(ctx);
      const first = blob.sections[0]!;
      const overlapping = { ...blob, sections: [first, { ...blob.sections[1]!, anchor: first.anchor + BigInt(Math.floor(first.size / 2)) }] };
      return ok(encodeBlob(overlapping, ctx.endian).bytes, 'second covered range starts inside the first');
    },
  },
  {
    rule: 'LI-SEC-008', layouts: SECTIONED,
    make: (ctx) => {
      // every name stays terminated; one more non-NUL byte ends the name table
      const b = encodeWith(ctx, ctx.table);
      const m = model(ctx, b);
      const names = region(m, 'filenames')!;
      const size = headerField(m, 'filenames_size');
      const out = new Uint8Array(b.length + 1);
      out.set(b);
      out[names.offset + names.size] = 0x41;
      return ok(setU32(ctx, out, size.offset, size.value + 1), 'a non-NUL byte after the last name, inside filenames_size');
    },
  },
  {
    rule: 'LI-SEC-006', layouts: SECTIONED,
    make: (ctx) => {
      const blob = blobFromTable(ctx.table);
      const size = blob.sections[0]!.size;
      const rel = { offset: 8, type: 'R_X86_64_64', absolute: true, width: 8, section: '.text', sectionSize: size, target: 0n };
      const pick = Math.floor(ctx.random() * 3);
      const relocations = pick === 0 ? [] : pick === 1 ? [{ ...rel, section: '.data' }] : [{ ...rel, sectionSize: size + 16 }];
      const why = ['anchor without a relocation', 'anchor relocated against .data', 'descriptor size differs from .text\'s size'][pick]!;
      return ok(encodeWith(ctx, ctx.table), why, { container: { ...VALID_CONTAINER, blob: { name: '.mod_lineinfo', covers: ['.text', '.exit.text', '.noinstr.text'], relocations } } });
    },
  },
  {
    rule: 'LI-SEC-007', layouts: ['v5'],
    make: (ctx) => ok(encodeWith(ctx, ctx.table), 'a 32-bit module with a v5 blob (W22)', { container: { ...VALID_CONTAINER, elfClass: 32 } }),
  },
];

/** Offset/size header layouts: `k` zero bytes inserted before the file table, the header following it. */
function gapBeforeFiles(ctx: BreakContext, k: number): Uint8Array {
  const b = encodeWith(ctx, ctx.table);
  const m = model(ctx, b);
  const files = headerField(m, 'files_offset');
  const names = headerField(m, 'filenames_offset');
  const out = new Uint8Array(b.length + k);
  out.set(b.subarray(0, files.value));
  out.set(b.subarray(files.value), files.value + k);
  return setU32(ctx, setU32(ctx, out, files.offset, files.value + k), names.offset, names.value + k);
}

/** The table split in two covered sections (`.text`, `.exit.text`) of one blob. */
function twoSectionBlob(ctx: BreakContext): BlobInput {
  const one = blobFromTable(ctx.table).sections[0]!;
  const half = Math.max(1, Math.floor(ctx.table.entries.length / 2));
  const second = ctx.table.entries.slice(half);
  const base = second[0]!.offset;
  return {
    files: ctx.table.files,
    sections: [
      { ...one, entries: ctx.table.entries.slice(0, half), size: base },
      { name: '.exit.text', anchor: one.anchor + 0x10_0000n, size: one.size - base, entries: second.map((e) => ({ ...e, offset: e.offset - base })) },
    ],
  };
}

function tableOffsetOf(ctx: BreakContext, e: EncodedBlob, k: number): number {
  return new DataView(e.bytes.buffer, e.bytes.byteOffset).getUint32(e.anchorOffsets[k]! + 12, ctx.endian === 'le');
}

function pathBreaker(rule: string, rewrite: (name: string) => string, description: string): RuleBreaker {
  return {
    rule,
    layouts: ALL,
    make: (ctx) => ok(encodeWith(ctx, withFiles(ctx.table, ctx.table.files.map((f, i) => (i === 0 ? rewrite(f) : f)))), description),
  };
}

/** The same value as a longer (non-minimal) LEB128 run: continuation bits plus zero groups. */
function padVarint(normal: readonly number[], length: number): number[] {
  const out = normal.map((b) => b | 0x80);
  while (out.length < length) out.push(0x80);
  out[out.length - 1] = 0;
  return out;
}

export function breakerFor(rule: string): RuleBreaker | undefined {
  return RULE_BREAKERS.find((b) => b.rule === rule);
}

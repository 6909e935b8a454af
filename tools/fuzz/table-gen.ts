/**
 * Random but realistic valid line tables, drawn from a decision stream: sorted sparse offsets
 * (small steps, occasional large jumps, sometimes close to 4 GiB), many files with kernel-like
 * paths, runs of entries in one file, small line deltas with occasional large jumps. Sizes run
 * from 0 to 10^6 entries, heavily biased to small tables so that most cases are fast.
 */
import type { Entry, LineTable } from '../model/line-table.js';
import type { Decisions } from './decisions.js';

export interface SizeClass {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** relative frequency among cases (integer) */
  readonly weight: number;
  /** distinct cached tables per seed; cases pick one */
  readonly slots: number;
  /**
   * What is kept between cases: `sections`, the tables and their encodings and structures per
   * layout, byte order and shape; `tables`, the tables only (each encoding of a table this big
   * would take more memory than hundreds of small ones, and big cases are rare; generating the
   * table is the dearest step that does not depend on the layout).
   */
  readonly keep: 'sections' | 'tables';
}

/** Ordered from the simplest: the decision 0 picks `tiny`. */
export const SIZE_CLASSES: readonly SizeClass[] = [
  { name: 'tiny', min: 1, max: 4, weight: 560_000, slots: 64, keep: 'sections' },
  { name: 'small', min: 5, max: 64, weight: 350_000, slots: 64, keep: 'sections' },
  { name: 'medium', min: 65, max: 200, weight: 80_000, slots: 32, keep: 'sections' },
  { name: 'large', min: 201, max: 5_000, weight: 800, slots: 8, keep: 'sections' },
  { name: 'huge', min: 5_001, max: 100_000, weight: 10, slots: 2, keep: 'tables' },
  { name: 'giant', min: 100_001, max: 1_000_000, weight: 1, slots: 1, keep: 'tables' },
];

const DIRS = [
  'kernel', 'kernel/sched', 'kernel/time', 'mm', 'fs', 'fs/ext4', 'fs/btrfs', 'lib', 'net/core', 'net/ipv4',
  'drivers/net/ethernet/intel/e1000e', 'drivers/gpu/drm/i915', 'drivers/usb/core', 'arch/x86/kernel',
  'arch/arm64/mm', 'include/linux', 'include/asm-generic', 'block', 'security/selinux', 'sound/core',
];
const BASES = ['core', 'main', 'alloc', 'util', 'init', 'irq', 'page', 'slab', 'inode', 'super', 'dev', 'ops', 'hash', 'list', 'timer', 'sched', 'fair', 'file', 'ioctl', 'probe'];
const ODD_NAMES = ['main.c', 'drivers/ünïcode/fïle.c', 'fs/"quoted"\\path.c', 'x', 'a/b.c/a/b.c', '../drivers/out_of_tree.c', '/usr/src/linux/init/main.c'];

/** The shape a mutator needs (e.g. two blocks, two files); tables are adapted to it. */
export interface TableShape {
  readonly minEntries?: number;
  readonly minFiles?: number;
  readonly maxFiles?: number;
}

function fileName(d: Decisions, i: number): string {
  if (d.chance(0.01)) return ODD_NAMES[d.below(ODD_NAMES.length)]! + (i ? `.${i}` : '');
  const dir = d.pick(DIRS);
  const base = d.pick(BASES);
  const ext = d.chance(0.25) ? 'h' : 'c';
  const long = d.chance(0.005) ? '_' + 'x'.repeat(d.int(50, 300)) : '';
  return `${dir}/${base}${long}_${i}.${ext}`;
}

/**
 * A valid, normalised table with an entry count in the class's range (fewer when offsets would
 * pass 4 GiB). File names are distinct and non-empty except for rare odd ones.
 */
export function generateTable(d: Decisions, cls: SizeClass, maxEntries = 1_000_000): LineTable {
  const hi = Math.max(0, Math.min(cls.max, maxEntries));
  const lo = Math.min(cls.min, hi);
  let n = d.int(lo, hi);
  if (cls.name === 'tiny' && d.chance(0.03)) n = 0;

  // Files: a few for small tables, thousands for vmlinux-sized ones.
  let numFiles: number;
  if (n === 0) numFiles = d.chance(0.5) ? 0 : d.int(1, 3);
  else {
    const cap = Math.max(1, Math.min(65_535, Math.ceil(n / 3)));
    numFiles = d.chance(0.7) ? d.int(1, Math.min(cap, 8)) : d.int(1, Math.min(cap, n > 10_000 ? 20_000 : 400));
  }
  const seen = new Set<string>();
  const files: string[] = [];
  for (let i = 0; i < numFiles; i++) {
    let name = fileName(d, i);
    if (seen.has(name)) name = `${name}.${i}`;
    seen.add(name);
    files.push(name);
  }

  const entries: Entry[] = [];
  if (n > 0) {
    const start = n <= 1000 && d.chance(0.04) ? 0xffff_ffff - n * 40 - d.below(4096) : d.chance(0.2) ? 0 : d.below(4096);
    let offset = Math.max(0, start);
    // jumps scale with the room left, so that big tables fit below 4 GiB
    const room = 0xffff_ffff - offset;
    const jumpCap = Math.max(16, Math.min(1 << 20, Math.floor(room / (n * 8))));
    const hugeJumps = room / n > 1 << 24;
    let file = d.below(numFiles);
    let line = d.chance(0.002) ? 0xffff_ffff - d.below(200) : d.int(1, 2000);
    const recent: number[] = [file];
    for (let i = 0; i < n; i++) {
      if (i > 0) {
        let step: number;
        if (d.chance(0.03)) step = 1 + d.below(jumpCap);
        else if (hugeJumps && d.chance(0.002)) step = 1 + d.below(1 << 28);
        else step = 1 + d.below(16);
        if (offset + step > 0xffff_ffff) {
          if (offset + 1 > 0xffff_ffff) break;
          step = 1;
        }
        offset += step;
        if (d.chance(0.15)) {
          file = d.chance(0.5) ? recent[d.below(recent.length)]! : d.below(numFiles);
          if (recent.length < 8) recent.push(file);
          else recent[d.below(8)] = file;
        }
        if (d.chance(0.04)) line = d.chance(0.02) ? 0xffff_ffff - d.below(1000) : d.int(1, 100_000);
        else line = line + d.below(12) - 3;
        if (line < 1 || line > 0xffff_ffff) line = 1;
        const prev = entries[entries.length - 1]!;
        if (prev.fileId === file && prev.line === line) line = line === 0xffff_ffff ? 1 : line + 1;
      }
      entries.push({ offset, fileId: file, line });
    }
  }
  return { files, entries };
}

/**
 * Adapts a table to a shape without drawing decisions: adds files, caps the file count, and
 * appends (or, near 4 GiB, prepends) entries. The result is still valid and normalised.
 */
export function ensureShape(table: LineTable, shape: TableShape): LineTable {
  let files = table.files;
  let entries = table.entries;
  const minFiles = shape.minFiles ?? 0;
  if (files.length < minFiles) {
    const extra = Array.from({ length: minFiles - files.length }, (_, i) => `gen/extra_${files.length + i}.c`);
    files = [...files, ...extra];
  }
  if (shape.maxFiles !== undefined && files.length > shape.maxFiles) {
    const max = Math.max(1, shape.maxFiles);
    files = files.slice(0, max);
    entries = dedupe(entries.map((e) => (e.fileId < max ? e : { ...e, fileId: e.fileId % max })));
  }
  const minEntries = shape.minEntries ?? 0;
  if (entries.length < minEntries) {
    const f = Math.max(1, files.length);
    if (files.length === 0) files = ['gen/only.c'];
    const need = minEntries - entries.length;
    const last = entries[entries.length - 1];
    const out = [...entries];
    if (!last || last.offset + 5 * need < 0xffff_ffff) {
      let offset = last ? last.offset : 0x100;
      let line = last ? last.line : 10;
      for (let k = 0; k < need; k++) {
        offset += 1 + (k % 5);
        line = line >= 0xffff_fff0 ? 1 : line + 1 + (k % 3);
        out.push({ offset, fileId: (k * 7 + 1) % f, line });
      }
    } else {
      const first = entries[0]!;
      const room = first.offset;
      if (room < need) {
        // no space either side: rebuild offsets from 0 keeping files and lines
        return { files, entries: dedupe(out.concat(Array.from({ length: need }, (_, k) => ({ offset: 0, fileId: k % f, line: 1 + k }))).map((e, i) => ({ ...e, offset: i * 2 }))) };
      }
      const pre: Entry[] = [];
      for (let k = 0; k < need; k++) pre.push({ offset: first.offset - need + k, fileId: (k * 7 + 1) % f, line: 1 + k });
      return { files, entries: dedupe([...pre, ...out]) };
    }
    entries = dedupe(out);
  }
  return files === table.files && entries === table.entries ? table : { files, entries };
}

/** breaks runs of equal (file, line) by bumping the line (keeps the table free of notes) */
function dedupe(entries: readonly Entry[]): Entry[] {
  const out: Entry[] = [];
  for (const e of entries) {
    const prev = out[out.length - 1];
    if (prev && prev.fileId === e.fileId && prev.line === e.line) out.push({ ...e, line: e.line === 0xffff_ffff ? 1 : e.line + 1 });
    else out.push(e);
  }
  return out;
}

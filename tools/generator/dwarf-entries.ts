/**
 * The line table of an ELF object, from its own DWARF: `.debug_line` rows (relocations applied
 * in ET_REL objects) fed through the kernel generator's rules (collect-entries.ts).
 */
import type { ElfFile } from '../elf/elf-file.js';
import { readLineTables } from '../dwarf/index.js';
import type { LineUnit } from '../dwarf/index.js';
import { InputError } from '../errors.js';
import type { LineTable } from '../model/line-table.js';
import { collectEntries, TooManyFilesError } from './collect-entries.js';
import type { CollectStats, Selection, SourceUnit } from './collect-entries.js';

export type GeneratorMode = 'module' | 'vmlinux';

export interface DwarfTable {
  readonly mode: GeneratorMode;
  readonly table: LineTable;
  readonly stats: CollectStats;
  readonly warnings: readonly string[];
  /** the DWARF rows at each kept offset, as "path:line" (end-of-sequence rows marked) */
  rowsAt(offset: number): string[];
}

/** Relocatable objects (.ko, .o) are modules; linked files with `_text` are vmlinux. */
export function defaultMode(elf: ElfFile): GeneratorMode {
  return elf.isRelocatable ? 'module' : 'vmlinux';
}

/** DWARF line units as generator input; the rows are used as they are (no copies). */
export function sourceUnits(units: readonly LineUnit[]): SourceUnit[] {
  return units.map((u) => {
    const paths = new Map(u.fileNames.map((f) => [f.index, f.path]));
    return { compDir: u.compDir, rows: u.rows, pathOf: (file: number) => paths.get(file) ?? null };
  });
}

export function selection(elf: ElfFile, mode: GeneratorMode): Selection {
  if (mode === 'module') {
    const text = elf.sectionByName('.text');
    if (!text) throw new InputError(elf.fileName, 0, 'no .text section: module mode covers .text only');
    return { mode, textIndex: text.index, textAddr: text.addr, textSize: BigInt(text.size) };
  }
  const text = elf.findSymbol('_text');
  if (!text) throw new InputError(elf.fileName, 0, 'no _text symbol: vmlinux mode measures offsets from _text (use --module for relocatable objects)');
  return { mode, textAddr: text.value };
}

export function tableFromDwarf(elf: ElfFile, mode: GeneratorMode = defaultMode(elf)): DwarfTable {
  const sel = selection(elf, mode);
  const { units, warnings } = readLineTables(elf, { sectionsByAddress: true });
  if (units.length === 0) throw new InputError(elf.fileName, 0, 'no DWARF line tables (.debug_line): build with -g');
  const source = sourceUnits(units);
  try {
    const { table, stats } = collectEntries(source, sel);
    let index: Map<number, string[]> | null = null;
    const rowsAt = (offset: number): string[] => {
      index ??= rowIndex(source, sel);
      return index.get(offset) ?? [];
    };
    return { mode, table, stats, warnings, rowsAt };
  } catch (e) {
    if (e instanceof TooManyFilesError) throw new InputError(elf.fileName, null, e.message);
    throw e;
  }
}

/** Rows by table offset, for explaining differences (at most 6 per offset). */
function rowIndex(units: readonly SourceUnit[], sel: Selection): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const u of units) {
    for (const r of u.rows) {
      if (sel.mode === 'module' && r.sectionIndex !== null && r.sectionIndex !== sel.textIndex) continue;
      const off = r.address - sel.textAddr;
      if (off < 0n || off > 0xffff_ffffn) continue;
      const list = out.get(Number(off)) ?? [];
      if (list.length < 6) list.push(`${u.pathOf(r.file) ?? '?'}:${r.line}${r.endSequence ? ' (end of sequence)' : ''}`);
      out.set(Number(off), list);
    }
  }
  return out;
}

/**
 * The line table of an ELF object, from its own DWARF: `.debug_line` rows (relocations applied
 * in ET_REL objects) fed through the kernel generator's rules (collect-entries.ts).
 *
 * The rows stream from the DWARF reader into the generator unit by unit and are not kept (see
 * readLineUnits), so the memory needed is about that of the entries, not of the rows.
 * columnsFromDwarf gives the entries as columns (ColumnarLineTable), which the encoders of the
 * usual layouts take as they are (generator/columnar-encode.ts); tableFromDwarf as a LineTable
 * (an Entry object per entry, for everything else).
 */
import type { ElfFile } from '../elf/elf-file.js';
import { readLineTables, readLineUnits } from '../dwarf/index.js';
import type { LineUnitSink, ReadLineTablesOptions } from '../dwarf/index.js';
import { InputError } from '../errors.js';
import { lineTableFromColumns } from '../model/line-table.js';
import type { ColumnarLineTable, LineTable } from '../model/line-table.js';
import { EntryCollector, TooManyFilesError } from './collect-entries.js';
import type { CollectStats, Selection } from './collect-entries.js';
import { V1_RULES } from './generator-rules.js';
import type { GeneratorRules } from './generator-rules.js';

export type GeneratorMode = 'module' | 'vmlinux';

export interface DwarfTable {
  readonly mode: GeneratorMode;
  readonly table: LineTable;
  readonly stats: CollectStats;
  readonly warnings: readonly string[];
  /** the DWARF rows at each kept offset, as "path:line" (end-of-sequence rows marked) */
  rowsAt(offset: number): string[];
}

/** DwarfTable with the entries in columns. */
export interface DwarfColumns extends Omit<DwarfTable, 'table'> {
  readonly table: ColumnarLineTable;
}

/** Relocatable objects (.ko, .o) are modules; linked files with `_text` are vmlinux. */
export function defaultMode(elf: ElfFile): GeneratorMode {
  return elf.isRelocatable ? 'module' : 'vmlinux';
}

export function selection(elf: ElfFile, mode: GeneratorMode, rules: GeneratorRules = V1_RULES): Selection {
  if (mode === 'module') {
    const text = elf.sectionByName('.text');
    if (!text) throw new InputError(elf.fileName, 0, 'no .text section: module mode covers .text only');
    return { mode, textIndex: text.index, textAddr: text.addr, textSize: BigInt(text.size) };
  }
  const text = elf.findSymbol('_text');
  if (!text) throw new InputError(elf.fileName, 0, 'no _text symbol: vmlinux mode measures offsets from _text (use --module for relocatable objects)');
  // From v5 the generator stops at `_etext` when the symbol exists (later sections move in the
  // final link); without it, no cap.
  const end = rules.etextCap ? elf.findSymbol('_etext') : undefined;
  return end ? { mode, textAddr: text.value, endAddr: end.value } : { mode, textAddr: text.value };
}

export function tableFromDwarf(elf: ElfFile, mode: GeneratorMode = defaultMode(elf), rules: GeneratorRules = V1_RULES): DwarfTable {
  const d = columnsFromDwarf(elf, mode, rules);
  return { ...d, table: lineTableFromColumns(d.table) };
}

/**
 * readLineUnits for a generator's collector: a collector that meets more than MAX_FILES files
 * throws TooManyFilesError, reported as an input error of the file, as is a file without any
 * line table. Returns the reader's warnings.
 */
export function readGeneratorUnits(elf: ElfFile, options: ReadLineTablesOptions, sink: LineUnitSink): { warnings: string[] } {
  let units = 0;
  let warnings: string[];
  try {
    ({ warnings } = readLineUnits(elf, options, {
      beginUnit(unit) {
        units++;
        sink.beginUnit(unit);
      },
      row: sink.row.bind(sink),
      endUnit: sink.endUnit.bind(sink),
    }));
  } catch (e) {
    if (e instanceof TooManyFilesError) throw new InputError(elf.fileName, null, e.message);
    throw e;
  }
  if (units === 0) throw new InputError(elf.fileName, 0, 'no DWARF line tables (.debug_line): build with -g');
  return { warnings };
}

/** tableFromDwarf with the entries in columns (no Entry objects). `rules`: the revision's generator. */
export function columnsFromDwarf(elf: ElfFile, mode: GeneratorMode = defaultMode(elf), rules: GeneratorRules = V1_RULES): DwarfColumns {
  const sel = selection(elf, mode, rules);
  const collector = new EntryCollector(sel, rules);
  const { warnings } = readGeneratorUnits(elf, { sectionsByAddress: true }, collector);
  const { table, stats } = collector.finish();
  let index: Map<number, string[]> | null = null;
  const rowsAt = (offset: number): string[] => {
    index ??= rowIndex(elf, sel);
    return index.get(offset) ?? [];
  };
  return { mode, table, stats, warnings, rowsAt };
}

/**
 * Rows by table offset, for explaining differences (at most 6 per offset). Only asked for when a
 * table differs from its DWARF, so it reads the DWARF again, as row objects.
 */
function rowIndex(elf: ElfFile, sel: Selection): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const u of readLineTables(elf, { sectionsByAddress: true }).units) {
    const paths = new Map(u.fileNames.map((f) => [f.index, f.path]));
    for (const r of u.rows) {
      if (sel.mode === 'module' && r.sectionIndex !== null && r.sectionIndex !== sel.textIndex) continue;
      if (sel.mode === 'vmlinux' && sel.endAddr !== undefined && r.address >= sel.endAddr) continue;
      const off = r.address - sel.textAddr;
      if (off < 0n || off > 0xffff_ffffn) continue;
      const list = out.get(Number(off)) ?? [];
      if (list.length < 6) list.push(`${paths.get(r.file) ?? '?'}:${r.line}${r.endSequence ? ' (end of sequence)' : ''}`);
      out.set(Number(off), list);
    }
  }
  return out;
}

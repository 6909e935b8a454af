/**
 * The line tables of an ELF file, unit by unit in .debug_info order, with file names resolved.
 *
 * Path composition (fileNamePath) - what is implemented, exactly:
 *  1. the file entry is looked up by the DWARF index (0-based in DWARF 5, 1-based before);
 *  2. a name starting with '/' is returned alone;
 *  3. otherwise its directory is looked up: DWARF 5: directories[dirIndex], where directory 0 is
 *     the header's own compilation-directory entry; DWARF 2-4: dirIndex 0 is the unit's
 *     DW_AT_comp_dir, dirIndex n > 0 is include_directories[n - 1];
 *  4. a directory that is relative (does not start with '/') and came from the directory table
 *     (DWARF 5 any index but 0, DWARF 2-4 any index but 0) is prefixed with DW_AT_comp_dir + '/'
 *     when the unit has one;
 *  5. the result is directory + '/' + name ('/' not doubled when the directory ends with one);
 *     when there is no directory (DWARF 2-4 index 0 without DW_AT_comp_dir, an index outside the
 *     table, or an empty directory string) the name is returned as it is (relative).
 * This is the composition of libdw's dwarf_linesrc and of LLVM's "absolute file path" kind
 * (llvm-symbolizer, llvm-dwarfdump --lookup), except that libdw writes '//' after a directory that
 * ends with '/' and does not prefix relative include directories in old versions.
 */
import { ET_REL, SHF_ALLOC, SHF_EXECINSTR, SHT_NOBITS } from '../elf/elf-constants.js';
import type { ElfFile } from '../elf/elf-file.js';
import { DebugInfoReader } from './debug-info.js';
import { lineFileEntry, readLineProgram, type LineFileEntry, type LineProgram, type LineProgramHeader, type LineRow } from './debug-line.js';
import * as C from './dwarf-constants.js';
import { DwarfSections } from './dwarf-sections.js';

export interface LineFileName {
  /** The DWARF file index (what a row's `file` holds). */
  readonly index: number;
  /** The entry's name as stored. */
  readonly name: string;
  readonly dirIndex: number;
  /** The directory string dirIndex resolves to (DW_AT_comp_dir for index 0 before DWARF 5), or null. */
  readonly directory: string | null;
  /** The composed path (see fileNamePath). */
  readonly path: string;
  readonly md5: string | null;
  /** Added by DW_LNE_define_file. */
  readonly defined: boolean;
}

export interface LineUnit {
  /** Offset of the unit in its .debug_info section, and that section's index. */
  readonly cuOffset: number;
  readonly cuSectionIndex: number;
  /** DW_UT_* of the unit, and its .debug_info version. */
  readonly unitType: number;
  readonly cuVersion: number;
  readonly name: string | null;
  readonly compDir: string | null;
  /** Line table version (2..5). */
  readonly version: number;
  /** DW_AT_stmt_list: offset of the line program in the .debug_line section lineSectionIndex. */
  readonly lineProgramOffset: number;
  readonly lineSectionIndex: number;
  readonly header: LineProgramHeader;
  /** Every file entry (header entries, then DW_LNE_define_file ones) with its resolved directory and path. */
  readonly fileNames: readonly LineFileName[];
  readonly rows: readonly LineRow[];
}

export interface ReadLineTablesOptions {
  /**
   * For files other than ET_REL: fill each row's null sectionIndex with the allocated section
   * containing its address (sectionIndexForAddress). Default false: rows carry only what
   * relocations say.
   */
  readonly sectionsByAddress?: boolean;
}

export interface LineTables {
  readonly units: LineUnit[];
  readonly warnings: string[];
}

/**
 * Read every unit's line table. Units come from the .debug_info sections in section order, then
 * in unit order; type units (DW_UT_type, DW_UT_split_type) and units without DW_AT_stmt_list are
 * left out. A file without .debug_info has its .debug_line programs read in section order, with
 * null names. Throws ElfFormatError on malformed DWARF or relocation data.
 */
export function readLineTables(elf: ElfFile, options: ReadLineTablesOptions = {}): LineTables {
  const ds = new DwarfSections(elf);
  const warnings: string[] = [];
  const units: LineUnit[] = [];
  const programs = new Map<string, LineProgram>();
  const infos = ds.allByName('.debug_info');
  const addressMap = options.sectionsByAddress && elf.type !== ET_REL ? new SectionAddressMap(elf) : null;
  const finish = (p: LineProgram): LineRow[] => (addressMap === null ? p.rows : addressMap.fillRows(p.rows));

  if (infos.length === 0) {
    const lines = ds.allByName('.debug_line');
    if (lines.length > 0) warnings.push(`${elf.fileName}: no .debug_info section; .debug_line programs read in section order without unit names`);
    for (const line of lines) {
      let offset = 0;
      while (offset < line.data.length) {
        const p = readLineProgram(ds, line, offset, { warnings });
        units.push(makeUnit(null, null, -1, -1, 0, 0, line.section.index, offset, p, finish(p)));
        offset = p.header.end;
      }
    }
    return { units, warnings: [...ds.warnings, ...warnings] };
  }

  const info = new DebugInfoReader(ds, warnings);
  const lineBudgets = new Map<number, number>();
  for (const section of infos) {
    for (const cu of info.units(section)) {
      const h = cu.header;
      if (h.unitType === C.DW_UT_type || h.unitType === C.DW_UT_split_type) continue;
      const die = cu.die;
      if (die === null || die.stmtList === null) continue;
      const line = ds.refSection(die.stmtList, '.debug_line');
      if (line === null) {
        throw ds.cursor(section).error(die.stmtList.pos, 'DW_AT_stmt_list, but the file has no .debug_line section');
      }
      if (die.stmtList.offset >= line.data.length) {
        throw ds.cursor(section).error(
          die.stmtList.pos,
          `DW_AT_stmt_list 0x${die.stmtList.offset.toString(16)} is outside section ${line.section.index} (${line.section.name}, size 0x${line.data.length.toString(16)})`,
        );
      }
      const base = die.strOffsetsBase === null ? 'none' : String(die.strOffsetsBase);
      const key = `${line.section.index}:${die.stmtList.offset}:${base}:${h.addressSize}`;
      let p = programs.get(key);
      if (p === undefined) {
        // Valid line programs do not overlap, so decoding them all reads each byte once (twice
        // for a program shared by units with different string bases). Refuse more: hostile
        // DW_AT_stmt_list values pointing into one huge program would cost units x section size.
        const peek = ds.cursor(line, die.stmtList.offset);
        const { length } = peek.initialLength('line program unit_length');
        let budget = lineBudgets.get(line.section.index) ?? 2 * line.data.length + 65536;
        budget -= Math.min(length, line.data.length) + 12;
        if (budget < 0) {
          throw ds.cursor(section).error(die.stmtList.pos, `line programs overlap too much (DW_AT_stmt_list 0x${die.stmtList.offset.toString(16)}: more bytes than twice the section holds)`);
        }
        lineBudgets.set(line.section.index, budget);
        p = readLineProgram(ds, line, die.stmtList.offset, {
          warnings,
          addressSize: h.addressSize,
          strOffsetsBase: die.strOffsetsBaseRef,
        });
        programs.set(key, p);
      }
      units.push(makeUnit(die.name, die.compDir, h.offset, section.section.index, h.unitType, h.version, line.section.index, die.stmtList.offset, p, finish(p)));
    }
  }
  return { units, warnings: [...ds.warnings, ...warnings] };
}

function makeUnit(
  name: string | null,
  compDir: string | null,
  cuOffset: number,
  cuSectionIndex: number,
  unitType: number,
  cuVersion: number,
  lineSectionIndex: number,
  lineProgramOffset: number,
  p: LineProgram,
  rows: LineRow[],
): LineUnit {
  const header = p.header;
  const partial = { header, compDir };
  const fileNames: LineFileName[] = header.files.map((f: LineFileEntry, i: number) => {
    const index = i + header.fileIndexBase;
    return {
      index,
      name: f.name,
      dirIndex: f.dirIndex,
      directory: directoryOf(partial, f.dirIndex),
      path: composePath(partial, f),
      md5: f.md5,
      defined: f.defined,
    };
  });
  return {
    cuOffset,
    cuSectionIndex,
    unitType,
    cuVersion,
    name,
    compDir,
    version: header.version,
    lineProgramOffset,
    lineSectionIndex,
    header,
    fileNames,
    rows,
  };
}

type PathContext = { readonly header: LineProgramHeader; readonly compDir: string | null };

/** The directory string `dirIndex` names (see the module comment), or null. */
export function directoryOf(unit: PathContext, dirIndex: number): string | null {
  const h = unit.header;
  if (h.directoryIndexBase === 1 && dirIndex === 0) return unit.compDir;
  return h.directories[dirIndex - h.directoryIndexBase] ?? null;
}

function composePath(unit: PathContext, f: LineFileEntry): string {
  if (f.name.startsWith('/')) return f.name;
  let dir = directoryOf(unit, f.dirIndex);
  if (dir === null || dir === '') return f.name;
  const fromTable = f.dirIndex !== 0;
  if (fromTable && !dir.startsWith('/') && unit.compDir !== null && unit.compDir !== '') dir = join(unit.compDir, dir);
  return join(dir, f.name);
}

function join(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

/** The path of file `fileIndex` of a unit (a row's `file` register), composed as the module comment says; null when there is no such file. */
export function fileNamePath(unit: PathContext, fileIndex: number): string | null {
  const f = lineFileEntry(unit.header, fileIndex);
  return f === undefined ? null : composePath(unit, f);
}

/**
 * The allocated section whose [sh_addr, sh_addr + sh_size) contains `address` (for linked files,
 * whose line tables hold virtual addresses): among SHF_ALLOC sections of non-zero size, executable
 * ones first, then ones with file bytes, then the lowest index. Null when none contains it.
 * In ET_REL objects every section starts at 0, so this says little; use rows' sectionIndex there.
 */
export function sectionIndexForAddress(elf: ElfFile, address: bigint): number | null {
  return new SectionAddressMap(elf).find(address);
}

/** sectionIndexForAddress for many addresses (sorted intervals, binary search). */
export class SectionAddressMap {
  private readonly starts: bigint[] = [];
  private readonly ends: bigint[] = [];
  private readonly indices: number[] = [];
  /** For overlapping sections: all candidates, checked linearly (rare). */
  private readonly overlapping: boolean;

  constructor(readonly elf: ElfFile) {
    const cands = elf.sections
      .filter((s) => s.index !== 0 && (s.flags & SHF_ALLOC) !== 0n && s.size > 0)
      .sort((a, b) => rank(a) - rank(b) || (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : a.index - b.index));
    function rank(s: { flags: bigint; type: number }): number {
      return ((s.flags & SHF_EXECINSTR) !== 0n ? 0 : 2) + (s.type === SHT_NOBITS ? 1 : 0);
    }
    // Keep rank order for lookup priority: a linear scan over ranked candidates when sections overlap,
    // else a binary search over address order.
    const byAddr = [...cands].sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
    let overlap = false;
    for (let i = 1; i < byAddr.length; i++) {
      if (byAddr[i]!.addr < byAddr[i - 1]!.addr + BigInt(byAddr[i - 1]!.size)) overlap = true;
    }
    this.overlapping = overlap;
    const list = overlap ? cands : byAddr;
    for (const s of list) {
      this.starts.push(s.addr);
      this.ends.push(s.addr + BigInt(s.size));
      this.indices.push(s.index);
    }
  }

  find(address: bigint): number | null {
    if (this.overlapping) {
      for (let i = 0; i < this.starts.length; i++) {
        if (address >= this.starts[i]! && address < this.ends[i]!) return this.indices[i]!;
      }
      return null;
    }
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! <= address) lo = mid + 1;
      else hi = mid;
    }
    const i = lo - 1;
    return i >= 0 && address < this.ends[i]! ? this.indices[i]! : null;
  }

  /**
   * Rows with null sectionIndex filled by address (new row objects where changed). An
   * end_sequence row (whose address is just past the sequence) takes its sequence's previous row's
   * section.
   */
  fillRows(rows: readonly LineRow[]): LineRow[] {
    const out: LineRow[] = new Array<LineRow>(rows.length);
    let prev: LineRow | null = null;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      let filled = r;
      if (r.sectionIndex === null) {
        const sectionIndex = r.endSequence && prev !== null ? prev.sectionIndex : this.find(r.address);
        filled = { ...r, sectionIndex };
      }
      out[i] = filled;
      prev = r.endSequence ? null : filled;
    }
    return out;
  }
}

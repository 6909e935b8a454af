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
import { DebugInfoReader, type CompilationUnit, type SectionRef, type UnitDie } from './debug-info.js';
import { lineFileEntry, newRowsFor, readLineProgramHeader, runLineProgram, type LineFileEntry, type LineProgramHeader, type LineRow, type LineRowSink } from './debug-line.js';
import { LineRows, NO_SECTION, ROW_END_SEQUENCE } from './line-rows.js';
import * as C from './dwarf-constants.js';
import { DwarfSections, type DwarfSection } from './dwarf-sections.js';

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

/** A unit and its line program header: everything about a unit but its rows and file names. */
export interface LineUnitInfo {
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
  /** header.files grows while the program runs (DW_LNE_define_file). */
  readonly header: LineProgramHeader;
}

export interface LineUnit extends LineUnitInfo {
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
 * What readLineUnits hands units to, in order: beginUnit, the unit's rows (LineRowSink.row), then
 * endUnit. Nothing is kept between units, so a consumer that does not store rows reads a file of
 * any size in the memory of its own results.
 */
export interface LineUnitSink extends LineRowSink {
  beginUnit(unit: LineUnitInfo): void;
  /** `fileNames` is complete only now: DW_LNE_define_file entries are added while rows are read. */
  endUnit(unit: LineUnitInfo, fileNames: readonly LineFileName[]): void;
}

/**
 * Read every unit's line table, all rows as LineRow objects (readLineUnits streams them instead).
 * Units come from the .debug_info sections in section order, then in unit order; type units
 * (DW_UT_type, DW_UT_split_type) and units without DW_AT_stmt_list are left out. A file without
 * .debug_info has its .debug_line programs read in section order, with null names. Throws
 * ElfFormatError on malformed DWARF or relocation data.
 */
export function readLineTables(elf: ElfFile, options: ReadLineTablesOptions = {}): LineTables {
  const units: LineUnit[] = [];
  let rows: LineRows | null = null;
  const { warnings } = readLineUnits(elf, options, {
    beginUnit(unit) {
      rows = newRowsFor(unit.header, true);
    },
    row(addrHi, addrLo, file, line, flags, sectionIndex, opIndex, column, isa, discriminator) {
      rows!.row(addrHi, addrLo, file, line, flags, sectionIndex, opIndex, column, isa, discriminator);
    },
    endUnit(unit, fileNames) {
      units.push({ ...unit, fileNames, rows: rows!.toRows() });
      rows = null;
    },
  });
  return { units, warnings };
}

/** A unit found in .debug_info whose line program is still to be read. */
interface PendingUnit {
  readonly section: DwarfSection;
  readonly cu: CompilationUnit;
  readonly die: UnitDie & { readonly stmtList: SectionRef };
  /** Identifies the decoded program (see programKey); null when its section is missing. */
  readonly key: string | null;
}

/**
 * readLineTables without keeping anything: each unit's rows go to `sink` as they are decoded, in
 * the order readLineTables gives them. Returns the warnings.
 */
export function readLineUnits(elf: ElfFile, options: ReadLineTablesOptions, target: LineUnitSink): { warnings: string[] } {
  const ds = new DwarfSections(elf);
  const warnings: string[] = [];
  const infos = ds.allByName('.debug_info');
  const addressMap = options.sectionsByAddress && elf.type !== ET_REL ? new SectionAddressMap(elf) : null;
  const sink = addressMap === null ? target : new AddressFillingSink(addressMap, target);

  if (infos.length === 0) {
    const lines = ds.allByName('.debug_line');
    if (lines.length > 0) warnings.push(`${elf.fileName}: no .debug_info section; .debug_line programs read in section order without unit names`);
    for (const line of lines) {
      let offset = 0;
      while (offset < line.data.length) {
        const { header, cursor } = readLineProgramHeader(ds, line, offset, { warnings });
        const unit = unitInfo(null, null, -1, -1, 0, 0, line.section.index, offset, header);
        sink.beginUnit(unit);
        runLineProgram(ds, line, header, cursor, { warnings }, sink);
        sink.endUnit(unit, fileNamesOf(unit));
        offset = header.end;
      }
    }
    return { warnings };
  }

  // Pass 1: the units and how many of them share each line program, so that a shared program is
  // decoded once and kept only until its last unit has been given its rows.
  const info = new DebugInfoReader(ds, warnings);
  const pending: PendingUnit[] = [];
  const sharers = new Map<string, number>();
  for (const section of infos) {
    for (const cu of info.units(section)) {
      const h = cu.header;
      if (h.unitType === C.DW_UT_type || h.unitType === C.DW_UT_split_type) continue;
      const die = cu.die;
      if (die === null || die.stmtList === null) continue;
      // The section's index only: loading it (relocations...) could fail, and must fail in pass 2.
      const lineIndex = ds.refSectionIndex(die.stmtList, '.debug_line');
      const key = lineIndex === null ? null : programKey(lineIndex, die.stmtList.offset, die.strOffsetsBase, h.addressSize);
      if (key !== null) sharers.set(key, (sharers.get(key) ?? 0) + 1);
      pending.push({ section, cu, die: die as PendingUnit['die'], key });
    }
  }

  // Pass 2: each unit's program, in unit order.
  const shared = new Map<string, { header: LineProgramHeader; rows: LineRows }>();
  const lineBudgets = new Map<number, number>();
  for (const { section, cu, die, key } of pending) {
    const h = cu.header;
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
    const left = sharers.get(key!)!;
    sharers.set(key!, left - 1);
    const unitOf = (header: LineProgramHeader): LineUnitInfo =>
      unitInfo(die.name, die.compDir, h.offset, section.section.index, h.unitType, h.version, line.section.index, die.stmtList.offset, header);
    const kept = shared.get(key!);
    if (kept !== undefined) {
      const unit = unitOf(kept.header);
      sink.beginUnit(unit);
      kept.rows.replay(sink);
      sink.endUnit(unit, fileNamesOf(unit));
      if (left === 1) shared.delete(key!);
      continue;
    }
    // Valid line programs do not overlap, so decoding them all reads each byte once (twice for a
    // program shared by units with different string bases). Refuse more: hostile
    // DW_AT_stmt_list values pointing into one huge program would cost units x section size.
    const peek = ds.cursor(line, die.stmtList.offset);
    const { length } = peek.initialLength('line program unit_length');
    let budget = lineBudgets.get(line.section.index) ?? 2 * line.data.length + 65536;
    budget -= Math.min(length, line.data.length) + 12;
    if (budget < 0) {
      throw ds.cursor(section).error(die.stmtList.pos, `line programs overlap too much (DW_AT_stmt_list 0x${die.stmtList.offset.toString(16)}: more bytes than twice the section holds)`);
    }
    lineBudgets.set(line.section.index, budget);
    const opts = { warnings, addressSize: h.addressSize, strOffsetsBase: die.strOffsetsBaseRef };
    const { header, cursor } = readLineProgramHeader(ds, line, die.stmtList.offset, opts);
    const unit = unitOf(header);
    if (left > 1) {
      // Later units read the same program: store its rows (before the address fill, which the
      // replay goes through again).
      const rows = newRowsFor(header, true);
      runLineProgram(ds, line, header, cursor, opts, rows);
      shared.set(key!, { header, rows });
      sink.beginUnit(unit);
      rows.replay(sink);
    } else {
      sink.beginUnit(unit);
      runLineProgram(ds, line, header, cursor, opts, sink);
    }
    sink.endUnit(unit, fileNamesOf(unit));
  }
  return { warnings };
}

/** Units with the same key decode to the same rows and file entries. */
function programKey(lineSectionIndex: number, offset: number, strOffsetsBase: number | null, addressSize: number): string {
  return `${lineSectionIndex}:${offset}:${strOffsetsBase === null ? 'none' : String(strOffsetsBase)}:${addressSize}`;
}

function unitInfo(
  name: string | null,
  compDir: string | null,
  cuOffset: number,
  cuSectionIndex: number,
  unitType: number,
  cuVersion: number,
  lineSectionIndex: number,
  lineProgramOffset: number,
  header: LineProgramHeader,
): LineUnitInfo {
  return { cuOffset, cuSectionIndex, unitType, cuVersion, name, compDir, version: header.version, lineProgramOffset, lineSectionIndex, header };
}

/** The unit's file entries with directories and paths resolved: once per file index, not per row. */
export function fileNamesOf(unit: LineUnitInfo): LineFileName[] {
  const header = unit.header;
  return header.files.map((f: LineFileEntry, i: number) => ({
    index: i + header.fileIndexBase,
    name: f.name,
    dirIndex: f.dirIndex,
    directory: directoryOf(unit, f.dirIndex),
    path: composePath(unit, f),
    md5: f.md5,
    defined: f.defined,
  }));
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
  // Interval bounds as u32 halves (an end may be 2^64: its high half is then 2^32), so that a
  // row's address, kept in halves, is looked up without making a bigint.
  private readonly startHi: number[] = [];
  private readonly startLo: number[] = [];
  private readonly endHi: number[] = [];
  private readonly endLo: number[] = [];
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
      const end = s.addr + BigInt(s.size);
      this.startHi.push(Number(s.addr >> 32n));
      this.startLo.push(Number(s.addr & 0xffff_ffffn));
      this.endHi.push(Number(end >> 32n));
      this.endLo.push(Number(end & 0xffff_ffffn));
      this.indices.push(s.index);
    }
  }

  find(address: bigint): number | null {
    const i = this.findParts(Number((address >> 32n) & 0xffff_ffffn), Number(address & 0xffff_ffffn));
    return i === NO_SECTION ? null : i;
  }

  /** find() for the address hi * 2^32 + lo; NO_SECTION when no section contains it. */
  findParts(hi: number, lo: number): number {
    const below = (i: number): boolean => hi < this.endHi[i]! || (hi === this.endHi[i]! && lo < this.endLo[i]!);
    const atOrAbove = (i: number): boolean => hi > this.startHi[i]! || (hi === this.startHi[i]! && lo >= this.startLo[i]!);
    if (this.overlapping) {
      for (let i = 0; i < this.indices.length; i++) {
        if (atOrAbove(i) && below(i)) return this.indices[i]!;
      }
      return NO_SECTION;
    }
    let a = 0;
    let b = this.indices.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (atOrAbove(mid)) a = mid + 1;
      else b = mid;
    }
    const i = a - 1;
    return i >= 0 && below(i) ? this.indices[i]! : NO_SECTION;
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

/**
 * SectionAddressMap.fillRows on rows as they stream past: a row without a section gets the one
 * containing its address, an end_sequence row its sequence's previous row's section.
 */
class AddressFillingSink implements LineUnitSink {
  /** Section of the previous row of the current sequence; undefined at a sequence's start. */
  private prev: number | undefined = undefined;

  constructor(
    private readonly map: SectionAddressMap,
    private readonly next: LineUnitSink,
  ) {}

  beginUnit(unit: LineUnitInfo): void {
    this.prev = undefined;
    this.next.beginUnit(unit);
  }

  row(addrHi: number, addrLo: number, file: number, line: number, flags: number, sectionIndex: number, opIndex: number, column: number, isa: number, discriminator: number): void {
    const end = (flags & ROW_END_SEQUENCE) !== 0;
    if (sectionIndex === NO_SECTION) sectionIndex = end && this.prev !== undefined ? this.prev : this.map.findParts(addrHi, addrLo);
    this.prev = end ? undefined : sectionIndex;
    this.next.row(addrHi, addrLo, file, line, flags, sectionIndex, opIndex, column, isa, discriminator);
  }

  endUnit(unit: LineUnitInfo, fileNames: readonly LineFileName[]): void {
    this.next.endUnit(unit, fileNames);
  }
}

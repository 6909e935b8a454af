/**
 * .debug_line line-number programs, DWARF versions 2 to 5, 32- and 64-bit DWARF, written from the
 * DWARF 5 specification section 6.2 (and 6.2 of DWARF 2, 3, 4 for the older headers).
 *
 * Header: DWARF 2-4 include_directories / file_names lists; DWARF 5 directory and file name entry
 * formats with DW_LNCT_path, DW_LNCT_directory_index, DW_LNCT_timestamp, DW_LNCT_size, DW_LNCT_MD5
 * (other content types are read and ignored) in any form (DW_FORM_string, line_strp, strp,
 * strx*, udata, data1/2/4/8/16, block...).
 *
 * Program: every standard opcode of DWARF 5 (DW_LNS_copy ... DW_LNS_set_isa), standard opcodes
 * unknown here skipped by their standard_opcode_lengths count of ULEB128 operands, special
 * opcodes, extended opcodes DW_LNE_end_sequence, set_address, define_file (DWARF 2-4),
 * set_discriminator, others skipped by their length. Address advances follow 6.2.5.1 with
 * minimum_instruction_length and maximum_operations_per_instruction (op_index for VLIW; with
 * max_ops 1, op_index stays 0 and the address advances by min_inst_length x operation advance).
 *
 * Safety: every read is bounded by the unit (and, inside an extended opcode, by its length);
 * entry counts are checked against the bytes left before anything is allocated for them; every
 * opcode consumes at least one byte, so a program always advances and ends at its unit's end.
 * Rows are at most one per program byte.
 *
 * Rows are decoded into columns (line-rows.ts); readLineProgram turns them into LineRow objects.
 */
import { printableName } from '../elf/elf-bytes.js';
import type { DwarfCursor } from './dwarf-cursor.js';
import * as C from './dwarf-constants.js';
import { formName } from './dwarf-constants.js';
import { minFormSize, readForm, type FormContext, type FormValue } from './dwarf-forms.js';
import { StringResolver, type SectionRef } from './debug-info.js';
import type { DwarfSection, DwarfSections } from './dwarf-sections.js';
import { LineRows, NO_SECTION, ROW_BASIC_BLOCK, ROW_END_SEQUENCE, ROW_EPILOGUE_BEGIN, ROW_IS_STMT, ROW_PROLOGUE_END } from './line-rows.js';

export interface LineFileEntry {
  /** DW_LNCT_path: the file name as stored (relative or absolute). */
  readonly name: string;
  /** DW_LNCT_directory_index (0 when the entry has none). */
  readonly dirIndex: number;
  /** DW_LNCT_timestamp / DWARF 2-4 modification time (null when absent or a block). */
  readonly mtime: bigint | null;
  /** DW_LNCT_size / DWARF 2-4 file length (null when absent). */
  readonly size: bigint | null;
  /** DW_LNCT_MD5 as 32 lowercase hex digits (null when absent). */
  readonly md5: string | null;
  /** True for entries added by DW_LNE_define_file while running the program. */
  readonly defined: boolean;
}

export interface LineEntryFormat {
  readonly contentType: number;
  readonly form: number;
}

export interface LineProgramHeader {
  /** The .debug_line section and the unit's offset in it. */
  readonly sectionIndex: number;
  readonly offset: number;
  /** Section offset just past the unit. */
  readonly end: number;
  readonly unitLength: number;
  readonly offsetSize: 4 | 8;
  readonly version: number;
  /** DWARF 5 address_size and segment_selector_size; null before DWARF 5. */
  readonly addressSize: number | null;
  readonly segmentSelectorSize: number | null;
  readonly headerLength: number;
  readonly minInstLength: number;
  /** maximum_operations_per_instruction (1 before DWARF 4, where the field does not exist). */
  readonly maxOpsPerInst: number;
  readonly defaultIsStmt: boolean;
  readonly lineBase: number;
  readonly lineRange: number;
  readonly opcodeBase: number;
  /** standard_opcode_lengths[i] is the operand count of opcode i + 1. */
  readonly standardOpcodeLengths: readonly number[];
  /** DWARF 5 entry formats; null before DWARF 5. */
  readonly directoryEntryFormat: readonly LineEntryFormat[] | null;
  readonly fileNameEntryFormat: readonly LineEntryFormat[] | null;
  /**
   * Directory index of directories[0]: 0 in DWARF 5 (directory 0 is the compilation directory
   * entry), 1 before (index 0 means the unit's DW_AT_comp_dir and is not stored).
   */
  readonly directoryIndexBase: 0 | 1;
  readonly directories: readonly string[];
  /** File index of files[0]: 0 in DWARF 5, 1 before. */
  readonly fileIndexBase: 0 | 1;
  /** The header's file entries, then those of DW_LNE_define_file in program order. */
  readonly files: readonly LineFileEntry[];
  /** Section offset of the first opcode. */
  readonly programOffset: number;
}

/** One row of the line-number matrix (DWARF 5 6.2.2), plus the section of its address. */
export interface LineRow {
  readonly address: bigint;
  readonly opIndex: number;
  readonly file: number;
  readonly line: number;
  readonly column: number;
  readonly isStmt: boolean;
  readonly basicBlock: boolean;
  readonly endSequence: boolean;
  readonly prologueEnd: boolean;
  readonly epilogueBegin: boolean;
  readonly isa: number;
  readonly discriminator: number;
  /**
   * The section of the sequence's DW_LNE_set_address operand relocation (ET_REL objects: the
   * section of the relocation's symbol); null when the operand was not relocated or there was no
   * DW_LNE_set_address in the sequence so far. For linked files see sectionIndexForAddress().
   */
  readonly sectionIndex: number | null;
}

export interface LineProgram {
  readonly header: LineProgramHeader;
  readonly rows: LineRow[];
}

export interface LineProgramOptions {
  /** The referring unit's address size (DWARF 2-4 headers do not say); used only to warn about odd DW_LNE_set_address sizes. */
  readonly addressSize?: number | null;
  /** The referring unit's DW_AT_str_offsets_base, for DW_FORM_strx* in DWARF 5 headers. */
  readonly strOffsetsBase?: SectionRef | null;
  /** Non-fatal problems are appended here. */
  readonly warnings: string[];
}

const MASK64 = (1n << 64n) - 1n;

function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}

/** Read the header of the line program at `offset` of `line`; the cursor is left at the first opcode, limited to the unit. */
export function readLineProgramHeader(
  ds: DwarfSections,
  line: DwarfSection,
  offset: number,
  opts: LineProgramOptions,
): { header: LineProgramHeader; cursor: DwarfCursor } {
  const c = ds.cursor(line, offset);
  if (offset >= line.data.length) c.fail(Math.min(offset, line.data.length), `line program offset ${hex(offset)} is outside the section (size ${hex(line.data.length)})`);
  const { length: unitLength, offsetSize } = c.initialLength('line program unit_length');
  if (unitLength > c.end - c.pos) {
    c.fail(offset, `line program unit_length ${hex(unitLength)} runs past the end of the section (${hex(c.end - c.pos)} bytes left)`);
  }
  const end = c.pos + unitLength;
  c.limit(end, 'line program');
  const versionPos = c.pos;
  const version = c.u16('line program version');
  if (version < 2 || version > 5) c.fail(versionPos, `line program version ${version} is not supported (2 to 5)`);
  let addressSize: number | null = null;
  let segmentSelectorSize: number | null = null;
  if (version >= 5) {
    addressSize = c.u8('address_size');
    segmentSelectorSize = c.u8('segment_selector_size');
  }
  const headerLengthPos = c.pos;
  const headerLength = c.offset(offsetSize, 'header_length');
  const programOffset = c.pos + headerLength;
  if (headerLength > c.end - c.pos) c.fail(headerLengthPos, `header_length ${hex(headerLength)} runs past the end of the line program (${hex(c.end - c.pos)} bytes left)`);
  // The header's fields must all lie inside header_length.
  const unitEnd = c.limit(programOffset, 'line program header');
  const minInstLength = c.u8('minimum_instruction_length');
  let maxOpsPerInst = 1;
  if (version >= 4) {
    const p = c.pos;
    maxOpsPerInst = c.u8('maximum_operations_per_instruction');
    if (maxOpsPerInst === 0) c.fail(p, 'maximum_operations_per_instruction is 0');
  }
  const defaultIsStmt = c.u8('default_is_stmt') !== 0;
  const lineBase = c.i8('line_base');
  const lineRange = c.u8('line_range');
  const opcodeBasePos = c.pos;
  const opcodeBase = c.u8('opcode_base');
  if (opcodeBase === 0) c.fail(opcodeBasePos, 'opcode_base is 0');
  const standardOpcodeLengths: number[] = [];
  for (let i = 1; i < opcodeBase; i++) standardOpcodeLengths.push(c.u8('standard_opcode_lengths'));

  let directories: string[];
  let files: LineFileEntry[];
  let directoryEntryFormat: LineEntryFormat[] | null = null;
  let fileNameEntryFormat: LineEntryFormat[] | null = null;
  if (version >= 5) {
    const ctx: FormContext = { offsetSize, addressSize: addressSize ?? 0, version };
    const strings = new StringResolver(ds, line, offsetSize, opts.strOffsetsBase ?? null, opts.warnings);
    directoryEntryFormat = readEntryFormat(c, DIRECTORY_FIELDS);
    const dirs = readEntries(c, directoryEntryFormat, ctx, strings, DIRECTORY_FIELDS);
    directories = dirs.map((d) => d.name);
    fileNameEntryFormat = readEntryFormat(c, FILE_NAME_FIELDS);
    files = readEntries(c, fileNameEntryFormat, ctx, strings, FILE_NAME_FIELDS);
  } else {
    directories = [];
    for (;;) {
      const p = c.pos;
      const s = c.cstring('include_directories entry');
      if (s === '' && c.pos === p + 1) break;
      directories.push(s);
    }
    files = [];
    for (;;) {
      if (c.data[c.pos] === 0 && c.pos < c.end) {
        c.pos++;
        break;
      }
      files.push(readFileEntryV4(c, false));
    }
  }
  c.pos = programOffset;
  c.end = unitEnd;
  const header: LineProgramHeader = {
    sectionIndex: line.section.index,
    offset,
    end,
    unitLength,
    offsetSize,
    version,
    addressSize,
    segmentSelectorSize,
    headerLength,
    minInstLength,
    maxOpsPerInst,
    defaultIsStmt,
    lineBase,
    lineRange,
    opcodeBase,
    standardOpcodeLengths,
    directoryEntryFormat,
    fileNameEntryFormat,
    directoryIndexBase: version >= 5 ? 0 : 1,
    directories,
    fileIndexBase: version >= 5 ? 0 : 1,
    files,
    programOffset,
  };
  return { header, cursor: c };
}

function readFileEntryV4(c: DwarfCursor, defined: boolean): LineFileEntry {
  const name = c.cstring('file name');
  const dirIndex = c.uleb('file directory index');
  const mtime = c.ulebBig('file modification time');
  const size = c.ulebBig('file length');
  return { name, dirIndex, mtime, size, md5: null, defined };
}

/**
 * The DWARF 5 header fields (6.2.4 items 14-21) of the directory and file name tables, spelled as
 * the standard spells them, for error messages: the plurals are irregular (`directories_count`).
 */
interface EntryTableFields {
  /** one entry, as in "directory 3" */
  readonly entry: string;
  readonly formatCount: string;
  readonly format: string;
  readonly count: string;
}
const DIRECTORY_FIELDS: EntryTableFields = {
  entry: 'directory',
  formatCount: 'directory_entry_format_count',
  format: 'directory_entry_format',
  count: 'directories_count',
};
const FILE_NAME_FIELDS: EntryTableFields = {
  entry: 'file_name',
  formatCount: 'file_name_entry_format_count',
  format: 'file_name_entry_format',
  count: 'file_names_count',
};

function readEntryFormat(c: DwarfCursor, fields: EntryTableFields): LineEntryFormat[] {
  const count = c.u8(fields.formatCount);
  const out: LineEntryFormat[] = [];
  for (let i = 0; i < count; i++) {
    const contentType = c.uleb(`${fields.format} content type`);
    const form = c.uleb(`${fields.format} form`);
    out.push({ contentType, form });
  }
  return out;
}

function readEntries(
  c: DwarfCursor,
  formats: readonly LineEntryFormat[],
  ctx: FormContext,
  strings: StringResolver,
  fields: EntryTableFields,
): LineFileEntry[] {
  const what = fields.entry;
  const formatPos = c.pos;
  let minSize = 0;
  for (const f of formats) {
    const m = minFormSize(f.form, ctx);
    if (m === null || f.form === C.DW_FORM_implicit_const || f.form === C.DW_FORM_indirect) {
      c.fail(formatPos, `${fields.format} uses form ${formName(f.form)}, which cannot appear in a line table header`);
    }
    minSize += m;
  }
  const countPos = c.pos;
  const count = c.uleb(fields.count);
  if (count === 0) return [];
  if (minSize === 0) c.fail(countPos, `${count} ${what} entries, but the entry format is empty`);
  if (count > Math.floor(c.remaining / minSize)) {
    c.fail(countPos, `${fields.count} ${count} cannot fit in the ${c.remaining} byte(s) left in the header (entries take at least ${minSize})`);
  }
  const out: LineFileEntry[] = [];
  for (let i = 0; i < count; i++) {
    let name = '';
    let dirIndex = 0;
    let mtime: bigint | null = null;
    let size: bigint | null = null;
    let md5: string | null = null;
    for (const f of formats) {
      const val = readForm(c, f.form, ctx);
      switch (f.contentType) {
        case C.DW_LNCT_path:
          name = strings.resolve(val, `${what} ${i} DW_LNCT_path`) ?? '';
          break;
        case C.DW_LNCT_directory_index:
          dirIndex = unsignedNumber(c, val, `${what} ${i} DW_LNCT_directory_index`);
          break;
        case C.DW_LNCT_timestamp:
          mtime = val.cls === 'unsigned' ? val.value : null;
          break;
        case C.DW_LNCT_size:
          size = val.cls === 'unsigned' ? val.value : null;
          break;
        case C.DW_LNCT_MD5:
          if (val.cls === 'block' && val.value === 16n) md5 = hexBytes(c.data, val.blockStart, 16);
          break;
        default:
          break; // vendor content types: read and ignored
      }
    }
    out.push({ name, dirIndex, mtime, size, md5, defined: false });
  }
  return out;
}

function unsignedNumber(c: DwarfCursor, val: FormValue, what: string): number {
  if (val.cls !== 'unsigned') c.fail(val.pos, `${what} has form ${formName(val.form)}, not a constant`);
  if (val.value > 0xffffffffn) c.fail(val.pos, `${what} ${hex(val.value)} is too large`);
  return Number(val.value);
}

function hexBytes(data: Uint8Array, start: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += data[start + i]!.toString(16).padStart(2, '0');
  return s;
}

/**
 * Decode the line program at `offset` of the .debug_line section `line`: its header and every row
 * of its matrix, as LineRow objects. Throws ElfFormatError on any malformed byte; warnings (odd
 * set_address sizes, an unterminated last sequence, unknown extended opcodes) go to opts.warnings.
 * readLineProgramRows is the same decoding into columns, for tables too large for row objects.
 */
export function readLineProgram(ds: DwarfSections, line: DwarfSection, offset: number, opts: LineProgramOptions): LineProgram {
  const { header, rows } = readLineProgramRows(ds, line, offset, { ...opts, detail: true });
  return { header, rows: rows.toRows() };
}

export interface LineProgramRowsOptions extends LineProgramOptions {
  /** Also store op_index, column, isa and discriminator (see LineRows). */
  readonly detail?: boolean;
}

/** readLineProgram with the rows in columns (line-rows.ts). */
export function readLineProgramRows(ds: DwarfSections, line: DwarfSection, offset: number, opts: LineProgramRowsOptions): { header: LineProgramHeader; rows: LineRows } {
  const { header, cursor } = readLineProgramHeader(ds, line, offset, opts);
  const rows = newRowsFor(header, opts.detail === true);
  runLineProgram(ds, line, header, cursor, opts, rows);
  return { header, rows };
}

/**
 * Columns sized for a program: it has at most one row per byte; start at a quarter of that (gcc
 * emits about one row per 3 bytes) and let LineRows double up to the bound.
 */
export function newRowsFor(header: LineProgramHeader, detail: boolean): LineRows {
  const programBytes = header.end - header.programOffset;
  return new LineRows(Math.ceil(programBytes / 4), programBytes, detail);
}

/** Where runLineProgram puts rows, one call per row of the matrix (LineRows stores them). */
export interface LineRowSink {
  /**
   * One row: the address as two u32 halves, flags as ROW_* bits, sectionIndex NO_SECTION when
   * unknown (line-rows.ts). The file index is the register's value (it may exceed 2^32 - 1).
   */
  row(addrHi: number, addrLo: number, file: number, line: number, flags: number, sectionIndex: number, opIndex: number, column: number, isa: number, discriminator: number): void;
}

const TWO_32 = 4294967296;

/**
 * Run the opcodes of a line program whose header readLineProgramHeader read (`c` is the cursor it
 * returned), handing each row to `sink` as it is made: callers that only filter rows need not
 * store them. DW_LNE_define_file entries are appended to header.files as they are met.
 */
export function runLineProgram(ds: DwarfSections, line: DwarfSection, header: LineProgramHeader, c: DwarfCursor, opts: LineProgramOptions, sink: LineRowSink): void {
  const files = header.files as LineFileEntry[];
  const warn = (at: number, detail: string): void => {
    opts.warnings.push(`${ds.elf.fileName}: ${printableName(line.section.name)}+${hex(at)}: ${detail}`);
  };
  const targets = line.targets;
  const { opcodeBase, lineBase, lineRange, maxOpsPerInst, standardOpcodeLengths, version } = header;
  const minInstLength = header.minInstLength;
  const minInst = BigInt(minInstLength);
  const maxOpsB = BigInt(maxOpsPerInst);
  const expectAddressSize = header.addressSize ?? opts.addressSize ?? null;

  // Registers (6.2.2). The address is kept as two u32 halves (see line-rows.ts).
  let addrHi = 0;
  let addrLo = 0;
  let opIndex = 0;
  let file = 1;
  let lineNo = 1;
  let column = 0;
  let isStmt = header.defaultIsStmt;
  let basicBlock = false;
  let endSequence = false;
  let prologueEnd = false;
  let epilogueBegin = false;
  let isa = 0;
  let discriminator = 0;
  let sectionIndex = NO_SECTION;

  const reset = (): void => {
    addrHi = 0;
    addrLo = 0;
    opIndex = 0;
    file = 1;
    lineNo = 1;
    column = 0;
    isStmt = header.defaultIsStmt;
    basicBlock = false;
    endSequence = false;
    prologueEnd = false;
    epilogueBegin = false;
    isa = 0;
    discriminator = 0;
    sectionIndex = NO_SECTION;
  };
  const emit = (): void => {
    const flags =
      (isStmt ? ROW_IS_STMT : 0) |
      (basicBlock ? ROW_BASIC_BLOCK : 0) |
      (endSequence ? ROW_END_SEQUENCE : 0) |
      (prologueEnd ? ROW_PROLOGUE_END : 0) |
      (epilogueBegin ? ROW_EPILOGUE_BEGIN : 0);
    sink.row(addrHi, addrLo, file, lineNo, flags, sectionIndex, opIndex, column, isa, discriminator);
  };
  /** address += delta (mod 2^64), for 0 <= delta < 2^53: the common case needs no bigint. */
  const addToAddress = (delta: number): void => {
    addrLo += delta;
    if (addrLo >= TWO_32) {
      const carry = Math.floor(addrLo / TWO_32);
      addrLo -= carry * TWO_32;
      addrHi = (addrHi + carry) >>> 0;
    }
  };
  const setAddress = (address: bigint): void => {
    addrHi = Number((address >> 32n) & 0xffff_ffffn);
    addrLo = Number(address & 0xffff_ffffn);
  };
  /** Advance by an operation advance (6.2.5.1). */
  const advance = (operationAdvance: number): void => {
    if (maxOpsPerInst === 1) {
      const delta = minInstLength * operationAdvance;
      if (delta <= Number.MAX_SAFE_INTEGER) addToAddress(delta);
      else advanceBig(BigInt(operationAdvance));
    } else {
      advanceBig(BigInt(operationAdvance));
    }
  };
  /** advance() for VLIW (max_ops > 1) and advances beyond 2^53, in bigints. */
  const advanceBig = (operationAdvance: bigint): void => {
    let address = (BigInt(addrHi) << 32n) | BigInt(addrLo);
    if (maxOpsPerInst === 1) {
      address += minInst * operationAdvance;
    } else {
      const t = BigInt(opIndex) + operationAdvance;
      address += minInst * (t / maxOpsB);
      opIndex = Number(t % maxOpsB);
    }
    setAddress(address & MASK64);
  };
  const needLineRange = (at: number): void => {
    if (lineRange === 0) c.fail(at, 'special opcode or DW_LNS_const_add_pc with line_range 0');
  };

  let sequenceOpen = false;
  while (c.pos < c.end) {
    const opPos = c.pos;
    const opcode = c.u8('opcode');
    if (opcode >= opcodeBase) {
      // Special opcode.
      needLineRange(opPos);
      const adjusted = opcode - opcodeBase;
      advance(Math.floor(adjusted / lineRange));
      lineNo = (lineNo + lineBase + (adjusted % lineRange)) >>> 0;
      emit();
      basicBlock = false;
      prologueEnd = false;
      epilogueBegin = false;
      discriminator = 0;
      sequenceOpen = true;
      continue;
    }
    sequenceOpen = true;
    switch (opcode) {
      case 0: {
        // Extended opcode: length, then the sub-opcode and its operands.
        const len = c.uleb('extended opcode length');
        const bodyStart = c.pos;
        if (len > c.end - bodyStart) c.fail(opPos, `extended opcode length ${len} runs past the end of the line program`);
        const bodyEnd = bodyStart + len;
        if (len === 0) {
          warn(opPos, 'extended opcode with length 0');
          break;
        }
        const saved = c.limit(bodyEnd, 'extended opcode');
        const sub = c.u8('extended opcode');
        switch (sub) {
          case C.DW_LNE_end_sequence:
            endSequence = true;
            emit();
            reset();
            sequenceOpen = false;
            break;
          case C.DW_LNE_set_address: {
            const size = len - 1;
            const operandPos = c.pos;
            if (size < 1 || size > 8) c.fail(opPos, `DW_LNE_set_address operand of ${size} byte(s)`);
            if (expectAddressSize !== null && size !== expectAddressSize) {
              warn(opPos, `DW_LNE_set_address operand of ${size} byte(s), address size is ${expectAddressSize}`);
            }
            setAddress(c.uN(size, 'DW_LNE_set_address operand'));
            opIndex = 0;
            sectionIndex = targets?.get(operandPos)?.sectionIndex ?? NO_SECTION;
            break;
          }
          case C.DW_LNE_define_file:
            if (version >= 5) {
              warn(opPos, 'DW_LNE_define_file is reserved in DWARF 5; skipped');
            } else {
              files.push(readFileEntryV4(c, true));
            }
            break;
          case C.DW_LNE_set_discriminator:
            discriminator = c.uleb('DW_LNE_set_discriminator operand');
            break;
          default:
            warn(opPos, `unknown extended opcode ${hex(sub)} (length ${len}) skipped`);
            break;
        }
        c.pos = bodyEnd;
        c.end = saved;
        break;
      }
      case C.DW_LNS_copy:
        emit();
        discriminator = 0;
        basicBlock = false;
        prologueEnd = false;
        epilogueBegin = false;
        break;
      case C.DW_LNS_advance_pc: {
        const operand = c.ulebBig('DW_LNS_advance_pc operand');
        if (operand <= 0xffff_ffffn) advance(Number(operand));
        else advanceBig(operand);
        break;
      }
      case C.DW_LNS_advance_line:
        lineNo = (lineNo + c.sleb('DW_LNS_advance_line operand')) >>> 0;
        break;
      case C.DW_LNS_set_file:
        file = c.uleb('DW_LNS_set_file operand');
        break;
      case C.DW_LNS_set_column:
        column = c.uleb('DW_LNS_set_column operand');
        break;
      case C.DW_LNS_negate_stmt:
        isStmt = !isStmt;
        break;
      case C.DW_LNS_set_basic_block:
        basicBlock = true;
        break;
      case C.DW_LNS_const_add_pc:
        needLineRange(opPos);
        advance(Math.floor((255 - opcodeBase) / lineRange));
        break;
      case C.DW_LNS_fixed_advance_pc:
        addToAddress(c.u16('DW_LNS_fixed_advance_pc operand'));
        opIndex = 0;
        break;
      case C.DW_LNS_set_prologue_end:
        prologueEnd = true;
        break;
      case C.DW_LNS_set_epilogue_begin:
        epilogueBegin = true;
        break;
      case C.DW_LNS_set_isa:
        isa = c.uleb('DW_LNS_set_isa operand');
        break;
      default: {
        // A standard opcode this reader does not know: skip its ULEB128 operands.
        const n = standardOpcodeLengths[opcode - 1] ?? 0;
        for (let i = 0; i < n; i++) c.ulebBig(`operand of standard opcode ${opcode}`);
        break;
      }
    }
  }
  if (sequenceOpen) warn(header.offset, 'the last sequence of the line program is not terminated by DW_LNE_end_sequence');
}

/** The file entry a row's `file` register names (DWARF 5: 0-based; DWARF 2-4: 1-based), or undefined. */
export function lineFileEntry(header: LineProgramHeader, fileIndex: number): LineFileEntry | undefined {
  return header.files[fileIndex - header.fileIndexBase];
}

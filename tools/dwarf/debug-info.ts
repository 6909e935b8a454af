/**
 * .debug_info unit headers (DWARF 2-5; DWARF 5 unit types compile, type, partial, skeleton,
 * split_compile, split_type) and the first DIE of each unit, read through .debug_abbrev far enough
 * to get the attributes the line-table reader needs: DW_AT_name, DW_AT_comp_dir, DW_AT_stmt_list,
 * DW_AT_str_offsets_base, DW_AT_addr_base, DW_AT_low_pc (and DW_AT_producer, DW_AT_language).
 * Every other attribute is skipped by its form. Strings are resolved through .debug_str,
 * .debug_line_str and .debug_str_offsets; in ET_REL objects those offsets come from the relocated
 * section copies (see dwarf-sections.ts).
 */
import { printableName } from '../elf/elf-bytes.js';
import type { DwarfCursor } from './dwarf-cursor.js';
import * as C from './dwarf-constants.js';
import { formName, unitTypeName } from './dwarf-constants.js';
import { AbbrevTable, readForm, type FormContext, type FormValue } from './dwarf-forms.js';
import type { DwarfSection, DwarfSections } from './dwarf-sections.js';

export interface UnitHeader {
  /** Section index of the .debug_info section holding the unit. */
  readonly sectionIndex: number;
  /** Offset of the unit (its unit_length field) in that section. */
  readonly offset: number;
  /** Offset just past the unit. */
  readonly end: number;
  readonly offsetSize: 4 | 8;
  readonly version: number;
  /** DW_UT_* (DWARF 5); DWARF 2-4 units in .debug_info are reported as DW_UT_compile. */
  readonly unitType: number;
  readonly addressSize: number;
  readonly abbrevOffset: number;
  /** DW_UT_type / DW_UT_split_type: type_signature and type_offset. */
  readonly typeSignature: bigint | null;
  readonly typeOffset: number | null;
  /** DW_UT_skeleton / DW_UT_split_compile: dwo_id. */
  readonly dwoId: bigint | null;
  /** Offset of the first DIE. */
  readonly dieOffset: number;
}

/** A section offset read from an attribute, with the section it points into when a relocation said so. */
export interface SectionRef {
  readonly offset: number;
  /** Section index from the field's relocation (ET_REL), else null. */
  readonly sectionIndex: number | null;
  /** Section position of the attribute value (for looking up its relocation, and for messages). */
  readonly pos: number;
}

export interface UnitDie {
  readonly tag: number;
  readonly name: string | null;
  readonly compDir: string | null;
  readonly producer: string | null;
  readonly language: number | null;
  readonly stmtList: SectionRef | null;
  readonly strOffsetsBase: number | null;
  /** DW_AT_str_offsets_base with the section its relocation names (for DW_FORM_strx in the unit's line table). */
  readonly strOffsetsBaseRef: SectionRef | null;
  readonly addrBase: number | null;
  /** DW_AT_low_pc: value and, when it was relocated (ET_REL), the section of the relocation's symbol. */
  readonly lowPc: { readonly value: bigint; readonly sectionIndex: number | null } | null;
}

export interface CompilationUnit {
  readonly header: UnitHeader;
  /** The unit's first DIE; null when the unit is empty (its first entry is a null entry) or has an unsupported version. */
  readonly die: UnitDie | null;
}

const VALID_ADDRESS_SIZES = new Set([1, 2, 4, 8]);

/** Read the header of the unit at the cursor (which is left at its first DIE); `end` is checked against the section. */
export function readUnitHeader(c: DwarfCursor, sectionIndex: number): UnitHeader | { unsupportedVersion: number; offset: number; end: number } {
  const offset = c.pos;
  const { length, offsetSize } = c.initialLength('unit_length');
  const bodyStart = c.pos;
  if (length > c.end - bodyStart) {
    c.fail(offset, `unit_length 0x${length.toString(16)} runs past the end of the section (0x${(c.end - bodyStart).toString(16)} bytes left)`);
  }
  const end = bodyStart + length;
  const saved = c.limit(end, 'unit');
  const version = c.u16('unit version');
  if (version < 2 || version > 5) {
    c.end = saved;
    c.pos = end;
    return { unsupportedVersion: version, offset, end };
  }
  let unitType: number = C.DW_UT_compile;
  let addressSize: number;
  let abbrevOffset: number;
  if (version >= 5) {
    unitType = c.u8('unit_type');
    addressSize = c.u8('address_size');
    abbrevOffset = c.offset(offsetSize, 'debug_abbrev_offset');
  } else {
    abbrevOffset = c.offset(offsetSize, 'debug_abbrev_offset');
    addressSize = c.u8('address_size');
  }
  if (!VALID_ADDRESS_SIZES.has(addressSize)) c.fail(c.pos - (version >= 5 ? 1 + offsetSize : 1), `unsupported address_size ${addressSize}`);
  let typeSignature: bigint | null = null;
  let typeOffset: number | null = null;
  let dwoId: bigint | null = null;
  switch (unitType) {
    case C.DW_UT_compile:
    case C.DW_UT_partial:
      break;
    case C.DW_UT_type:
    case C.DW_UT_split_type:
      typeSignature = c.u64('type_signature');
      typeOffset = c.offset(offsetSize, 'type_offset');
      break;
    case C.DW_UT_skeleton:
    case C.DW_UT_split_compile:
      dwoId = c.u64('dwo_id');
      break;
    default:
      c.fail(offset + (offsetSize === 8 ? 14 : 6), `unknown unit_type 0x${unitType.toString(16)}`);
  }
  const dieOffset = c.pos;
  c.end = saved;
  return {
    sectionIndex,
    offset,
    end,
    offsetSize,
    version,
    unitType,
    addressSize,
    abbrevOffset,
    typeSignature,
    typeOffset,
    dwoId,
    dieOffset,
  };
}

/**
 * Reads the units of the .debug_info sections of a file, each with its first DIE. Abbreviation
 * tables are cached by offset. `warnings` collects non-fatal problems (unsupported unit versions,
 * unresolvable strings, unexpected forms).
 */
export class DebugInfoReader {
  private readonly abbrevTables = new Map<string, AbbrevTable>();
  private readonly abbrevBudgets = new Map<number, { remaining: number }>();

  constructor(
    readonly ds: DwarfSections,
    readonly warnings: string[],
  ) {}

  /** All units of one .debug_info section, in order. */
  units(info: DwarfSection): CompilationUnit[] {
    const out: CompilationUnit[] = [];
    const c = this.ds.cursor(info);
    while (c.pos < c.end) {
      const h = readUnitHeader(c, info.section.index);
      if ('unsupportedVersion' in h) {
        this.warnings.push(
          `${this.ds.elf.fileName}: ${printableName(info.section.name)}+0x${h.offset.toString(16)}: unit version ${h.unsupportedVersion} is not supported; unit skipped`,
        );
        continue;
      }
      out.push({ header: h, die: this.readUnitDie(info, h) });
      c.pos = h.end;
    }
    return out;
  }

  private abbrevTable(info: DwarfSection, h: UnitHeader): AbbrevTable {
    // In ET_REL, debug_abbrev_offset is relocated against the .debug_abbrev section symbol.
    const fieldPos = h.offset + (h.offsetSize === 8 ? 12 : 4) + 2 + (h.version >= 5 ? 2 : 0);
    const abbrev = this.ds.targetOf(info, fieldPos, '.debug_abbrev');
    if (abbrev === null) throw this.ds.cursor(info).error(fieldPos, 'unit has no .debug_abbrev section to read its abbreviations from');
    const key = `${abbrev.section.index}:${h.abbrevOffset}`;
    let table = this.abbrevTables.get(key);
    if (table === undefined) {
      if (h.abbrevOffset >= abbrev.data.length) {
        throw this.ds.cursor(info).error(fieldPos, `debug_abbrev_offset 0x${h.abbrevOffset.toString(16)} is outside ${printableName(abbrev.section.name)} (size 0x${abbrev.data.length.toString(16)})`);
      }
      let budget = this.abbrevBudgets.get(abbrev.section.index);
      if (budget === undefined) {
        budget = { remaining: 2 * abbrev.data.length + 65536 };
        this.abbrevBudgets.set(abbrev.section.index, budget);
      }
      table = new AbbrevTable(this.ds.cursor(abbrev, h.abbrevOffset), budget);
      this.abbrevTables.set(key, table);
    }
    return table;
  }

  /** The first DIE of unit `h`, or null when it is a null entry. */
  readUnitDie(info: DwarfSection, h: UnitHeader): UnitDie | null {
    const c = this.ds.cursor(info, h.dieOffset, h.end);
    const codePos = c.pos;
    if (c.pos >= c.end) return null;
    const code = c.uleb('abbreviation code');
    if (code === 0) return null;
    const abbrev = this.abbrevTable(info, h).find(code);
    if (abbrev === undefined) throw c.error(codePos, `abbreviation code ${code} is not in the unit's abbreviation table (.debug_abbrev+0x${h.abbrevOffset.toString(16)})`);
    const ctx: FormContext = { offsetSize: h.offsetSize, addressSize: h.addressSize, version: h.version };
    const values = new Map<number, FormValue>();
    for (const spec of abbrev.attributes) {
      const value = readForm(c, spec.form, ctx, spec.implicitConst);
      if (!values.has(spec.name)) values.set(spec.name, value);
    }

    const where = (val: FormValue): string => `${printableName(info.section.name)}+0x${val.pos.toString(16)}`;
    const warn = (val: FormValue, detail: string): void => {
      this.warnings.push(`${this.ds.elf.fileName}: ${where(val)}: ${detail}`);
    };
    const offsetOf = (name: number, what: string): SectionRef | null => {
      const val = values.get(name);
      if (val === undefined) return null;
      if (val.cls !== 'unsigned' || val.form === C.DW_FORM_addr) {
        warn(val, `${what} has unexpected form ${formName(val.form)}; ignored`);
        return null;
      }
      if (val.value > BigInt(Number.MAX_SAFE_INTEGER)) c.fail(val.pos, `${what} 0x${val.value.toString(16)} is too large`);
      const t = info.targets?.get(val.pos);
      return { offset: Number(val.value), sectionIndex: t?.sectionIndex ?? null, pos: val.pos };
    };

    const strOffsetsBaseRef = offsetOf(C.DW_AT_str_offsets_base, 'DW_AT_str_offsets_base');
    const addrBaseRef = offsetOf(C.DW_AT_addr_base, 'DW_AT_addr_base') ?? offsetOf(C.DW_AT_GNU_addr_base, 'DW_AT_GNU_addr_base');
    const strings = new StringResolver(this.ds, info, h.offsetSize, strOffsetsBaseRef, this.warnings);
    const str = (name: number, what: string): string | null => {
      const val = values.get(name);
      return val === undefined ? null : strings.resolve(val, what);
    };
    const lowPcVal = values.get(C.DW_AT_low_pc);
    let lowPc: UnitDie['lowPc'] = null;
    if (lowPcVal !== undefined) {
      if (lowPcVal.form === C.DW_FORM_addr) {
        const t = info.targets?.get(lowPcVal.pos);
        lowPc = { value: lowPcVal.value, sectionIndex: t?.sectionIndex ?? null };
      } else if (isAddrx(lowPcVal.form)) {
        lowPc = this.readAddrx(info, lowPcVal, h, addrBaseRef, warn);
      } else {
        warn(lowPcVal, `DW_AT_low_pc has unexpected form ${formName(lowPcVal.form)}; ignored`);
      }
    }
    const lang = values.get(C.DW_AT_language);
    return {
      tag: abbrev.tag,
      name: str(C.DW_AT_name, 'DW_AT_name'),
      compDir: str(C.DW_AT_comp_dir, 'DW_AT_comp_dir'),
      producer: str(C.DW_AT_producer, 'DW_AT_producer'),
      language: lang !== undefined && lang.cls !== 'string' && lang.cls !== 'block' && lang.value <= 0xffffffffn ? Number(lang.value) : null,
      stmtList: offsetOf(C.DW_AT_stmt_list, 'DW_AT_stmt_list'),
      strOffsetsBase: strOffsetsBaseRef?.offset ?? null,
      strOffsetsBaseRef,
      addrBase: addrBaseRef?.offset ?? null,
      lowPc,
    };
  }

  private readAddrx(
    info: DwarfSection,
    val: FormValue,
    h: UnitHeader,
    base: SectionRef | null,
    warn: (v: FormValue, d: string) => void,
  ): UnitDie['lowPc'] {
    const addr = this.ds.refSection(base, '.debug_addr');
    if (addr === null || base === null) {
      warn(val, `DW_AT_low_pc ${formName(val.form)} needs .debug_addr and DW_AT_addr_base; ignored`);
      return null;
    }
    const at = BigInt(base.offset) + val.value * BigInt(h.addressSize);
    if (at + BigInt(h.addressSize) > BigInt(addr.data.length)) {
      throw this.ds.cursor(info).error(val.pos, `address index ${val.value} is outside ${printableName(addr.section.name)} (base 0x${base.offset.toString(16)}, size 0x${addr.data.length.toString(16)})`);
    }
    const c = this.ds.cursor(addr, Number(at));
    const value = c.uN(h.addressSize, '.debug_addr entry');
    const t = addr.targets?.get(Number(at));
    return { value, sectionIndex: t?.sectionIndex ?? null };
  }
}

function isAddrx(form: number): boolean {
  return (
    form === C.DW_FORM_addrx ||
    form === C.DW_FORM_addrx1 ||
    form === C.DW_FORM_addrx2 ||
    form === C.DW_FORM_addrx3 ||
    form === C.DW_FORM_addrx4 ||
    form === C.DW_FORM_GNU_addr_index
  );
}

/**
 * Resolves string-class attribute values of one unit: DW_FORM_string (inline), DW_FORM_strp
 * (.debug_str), DW_FORM_line_strp (.debug_line_str), DW_FORM_strx/strx1-4 and
 * DW_FORM_GNU_str_index (.debug_str_offsets at the unit's DW_AT_str_offsets_base, which points
 * just past the contribution's 8- or 16-byte header; without the attribute that header size is
 * assumed, with a warning). Offsets fields that were relocated (ET_REL) name the string section
 * they point into. DW_FORM_strp_sup and DW_FORM_GNU_strp_alt point into a supplementary file,
 * which is not read: null, with a warning.
 */
export class StringResolver {
  private warnedNoBase = false;

  constructor(
    private readonly ds: DwarfSections,
    /** The section the values were read from (for their relocations). */
    private readonly from: DwarfSection,
    private readonly offsetSize: 4 | 8,
    private readonly strOffsetsBase: SectionRef | null,
    private readonly warnings: string[],
  ) {}

  private warn(val: FormValue, detail: string): void {
    this.warnings.push(`${this.ds.elf.fileName}: ${printableName(this.from.section.name)}+0x${val.pos.toString(16)}: ${detail}`);
  }

  private fail(val: FormValue, detail: string): never {
    throw this.ds.cursor(this.from).error(val.pos, detail);
  }

  resolve(val: FormValue, what: string): string | null {
    switch (val.form) {
      case C.DW_FORM_string:
        return val.string;
      case C.DW_FORM_strp:
      case C.DW_FORM_line_strp: {
        const name = val.form === C.DW_FORM_strp ? '.debug_str' : '.debug_line_str';
        const sec = this.ds.targetOf(this.from, val.pos, name);
        if (sec === null) this.fail(val, `${what} is a ${formName(val.form)} but the file has no ${name} section`);
        return this.stringIn(sec, val.value, val);
      }
      case C.DW_FORM_strx:
      case C.DW_FORM_strx1:
      case C.DW_FORM_strx2:
      case C.DW_FORM_strx3:
      case C.DW_FORM_strx4:
      case C.DW_FORM_GNU_str_index:
        return this.strx(val, what);
      case C.DW_FORM_strp_sup:
      case C.DW_FORM_GNU_strp_alt:
        this.warn(val, `${what} is a ${formName(val.form)} (string in a supplementary file, not read)`);
        return null;
      default:
        this.warn(val, `${what} has unexpected form ${formName(val.form)}; ignored`);
        return null;
    }
  }

  private stringIn(sec: DwarfSection, offset: bigint, val: FormValue): string {
    if (offset >= BigInt(sec.data.length)) {
      this.fail(val, `string offset 0x${offset.toString(16)} is outside ${printableName(sec.section.name)} (size 0x${sec.data.length.toString(16)})`);
    }
    return this.ds.stringAt(sec, Number(offset), this.from.fileOffset + val.pos);
  }

  private strx(val: FormValue, what: string): string {
    const base = this.strOffsetsBase;
    const offs = this.ds.refSection(base, '.debug_str_offsets');
    if (offs === null) this.fail(val, `${what} is a ${formName(val.form)} but the file has no .debug_str_offsets section`);
    let baseOffset: number;
    if (base === null) {
      baseOffset = this.offsetSize === 8 ? 16 : 8;
      if (!this.warnedNoBase) {
        this.warnedNoBase = true;
        this.warn(val, `${what} is a ${formName(val.form)} but the unit has no DW_AT_str_offsets_base; assuming 0x${baseOffset.toString(16)}`);
      }
    } else {
      baseOffset = base.offset;
    }
    const at = BigInt(baseOffset) + val.value * BigInt(this.offsetSize);
    if (at + BigInt(this.offsetSize) > BigInt(offs.data.length)) {
      this.fail(val, `string index ${val.value} is outside ${printableName(offs.section.name)} (base 0x${baseOffset.toString(16)}, size 0x${offs.data.length.toString(16)})`);
    }
    const entryPos = Number(at);
    const c = this.ds.cursor(offs, entryPos);
    const strOffset = c.uN(this.offsetSize, '.debug_str_offsets entry');
    const str = this.ds.targetOf(offs, entryPos, '.debug_str');
    if (str === null) this.fail(val, `${what}: the file has no .debug_str section`);
    if (strOffset >= BigInt(str.data.length)) {
      c.fail(entryPos, `string offset 0x${strOffset.toString(16)} is outside ${printableName(str.section.name)} (size 0x${str.data.length.toString(16)})`);
    }
    return this.ds.stringAt(str, Number(strOffset), offs.fileOffset + entryPos);
  }
}

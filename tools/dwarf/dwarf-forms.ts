/**
 * Attribute values by form (DWARF 5 section 7.5.6, Table 7.6, plus the GNU forms 0x1f01, 0x1f02,
 * 0x1f20 and 0x1f21), and abbreviation tables (.debug_abbrev, 7.5.3). Every form can be read (and
 * so skipped); an unknown form is an ElfFormatError, since the rest of the DIE cannot be found.
 */
import { DwarfCursor } from './dwarf-cursor.js';
import * as C from './dwarf-constants.js';
import { formName } from './dwarf-constants.js';

/** What reading a form needs from its unit. */
export interface FormContext {
  /** 4 (32-bit DWARF) or 8 (64-bit DWARF). */
  readonly offsetSize: 4 | 8;
  /** Size of a target address (DW_FORM_addr; DW_FORM_ref_addr in DWARF 2). */
  readonly addressSize: number;
  /** Unit version (2..5). */
  readonly version: number;
}

export type FormClass = 'unsigned' | 'signed' | 'string' | 'block' | 'flag';

/**
 * One decoded attribute value. `value` holds the number for unsigned/signed/flag classes: constants,
 * addresses, references, section offsets (strp, line_strp, sec_offset...), and indices (strx, addrx,
 * loclistx, rnglistx). For `string` it is 0 and `string` holds the text; for `block` (blocks,
 * exprloc, data16) it is the length and [blockStart, blockStart + length) the bytes.
 */
export interface FormValue {
  /** The form the value is encoded in (after DW_FORM_indirect). */
  readonly form: number;
  readonly cls: FormClass;
  /** Section position of the value's first byte (a relocation there applies to it). */
  readonly pos: number;
  readonly value: bigint;
  readonly string: string | null;
  readonly blockStart: number;
}

function v(form: number, cls: FormClass, pos: number, value: bigint, string: string | null = null, blockStart = -1): FormValue {
  return { form, cls, pos, value, string, blockStart };
}

function block(c: DwarfCursor, form: number, pos: number, length: number): FormValue {
  const start = c.pos;
  c.skip(length, `${formName(form)} contents`);
  return v(form, 'block', pos, BigInt(length), null, start);
}

/**
 * Read one value of `form` at the cursor. `implicitConst` is the abbreviation's value for
 * DW_FORM_implicit_const (which takes no bytes). DW_FORM_indirect chains are followed (each link
 * consumes at least one byte, so they end).
 */
export function readForm(c: DwarfCursor, form: number, ctx: FormContext, implicitConst: bigint | null = null): FormValue {
  let f = form;
  for (;;) {
    const pos = c.pos;
    switch (f) {
      case C.DW_FORM_addr:
        if (ctx.addressSize < 1 || ctx.addressSize > 8) c.fail(pos, `DW_FORM_addr with address size ${ctx.addressSize}`);
        return v(f, 'unsigned', pos, c.uN(ctx.addressSize, 'DW_FORM_addr'));
      case C.DW_FORM_block1:
        return block(c, f, pos, c.u8('DW_FORM_block1 length'));
      case C.DW_FORM_block2:
        return block(c, f, pos, c.u16('DW_FORM_block2 length'));
      case C.DW_FORM_block4:
        return block(c, f, pos, c.u32('DW_FORM_block4 length'));
      case C.DW_FORM_block:
        return block(c, f, pos, c.uleb('DW_FORM_block length'));
      case C.DW_FORM_exprloc:
        return block(c, f, pos, c.uleb('DW_FORM_exprloc length'));
      case C.DW_FORM_data16:
        return block(c, f, pos, 16);
      case C.DW_FORM_data1:
      case C.DW_FORM_ref1:
      case C.DW_FORM_strx1:
      case C.DW_FORM_addrx1:
        return v(f, 'unsigned', pos, BigInt(c.u8(formName(f))));
      case C.DW_FORM_flag:
        return v(f, 'flag', pos, BigInt(c.u8(formName(f))));
      case C.DW_FORM_flag_present:
        return v(f, 'flag', pos, 1n);
      case C.DW_FORM_data2:
      case C.DW_FORM_ref2:
      case C.DW_FORM_strx2:
      case C.DW_FORM_addrx2:
        return v(f, 'unsigned', pos, BigInt(c.u16(formName(f))));
      case C.DW_FORM_strx3:
      case C.DW_FORM_addrx3:
        return v(f, 'unsigned', pos, BigInt(c.u24(formName(f))));
      case C.DW_FORM_data4:
      case C.DW_FORM_ref4:
      case C.DW_FORM_ref_sup4:
      case C.DW_FORM_strx4:
      case C.DW_FORM_addrx4:
        return v(f, 'unsigned', pos, BigInt(c.u32(formName(f))));
      case C.DW_FORM_data8:
      case C.DW_FORM_ref8:
      case C.DW_FORM_ref_sig8:
      case C.DW_FORM_ref_sup8:
        return v(f, 'unsigned', pos, c.u64(formName(f)));
      case C.DW_FORM_string:
        return v(f, 'string', pos, 0n, c.cstring('DW_FORM_string'));
      case C.DW_FORM_sdata:
        return v(f, 'signed', pos, c.slebBig('DW_FORM_sdata'));
      case C.DW_FORM_udata:
      case C.DW_FORM_ref_udata:
      case C.DW_FORM_strx:
      case C.DW_FORM_addrx:
      case C.DW_FORM_loclistx:
      case C.DW_FORM_rnglistx:
      case C.DW_FORM_GNU_addr_index:
      case C.DW_FORM_GNU_str_index:
        return v(f, 'unsigned', pos, c.ulebBig(formName(f)));
      case C.DW_FORM_strp:
      case C.DW_FORM_line_strp:
      case C.DW_FORM_sec_offset:
      case C.DW_FORM_strp_sup:
      case C.DW_FORM_GNU_ref_alt:
      case C.DW_FORM_GNU_strp_alt:
        return v(f, 'unsigned', pos, c.uN(ctx.offsetSize, formName(f)));
      case C.DW_FORM_ref_addr: {
        const size = ctx.version <= 2 ? ctx.addressSize : ctx.offsetSize;
        if (size < 1 || size > 8) c.fail(pos, `DW_FORM_ref_addr with size ${size}`);
        return v(f, 'unsigned', pos, c.uN(size, 'DW_FORM_ref_addr'));
      }
      case C.DW_FORM_implicit_const:
        if (implicitConst === null) c.fail(pos, 'DW_FORM_implicit_const without a value (not allowed here or through DW_FORM_indirect)');
        return v(f, 'signed', pos, implicitConst);
      case C.DW_FORM_indirect:
        f = c.uleb('DW_FORM_indirect form');
        implicitConst = null;
        continue;
      default:
        c.fail(pos, `unknown attribute form 0x${f.toString(16)}: cannot read or skip it`);
    }
  }
}

/** Minimum number of bytes a value of `form` takes (for bounding entry counts); null when unknown. */
export function minFormSize(form: number, ctx: FormContext): number | null {
  switch (form) {
    case C.DW_FORM_flag_present:
    case C.DW_FORM_implicit_const:
      return 0;
    case C.DW_FORM_addr:
      return ctx.addressSize;
    case C.DW_FORM_data2:
    case C.DW_FORM_ref2:
    case C.DW_FORM_strx2:
    case C.DW_FORM_addrx2:
    case C.DW_FORM_block2:
      return 2;
    case C.DW_FORM_strx3:
    case C.DW_FORM_addrx3:
      return 3;
    case C.DW_FORM_data4:
    case C.DW_FORM_ref4:
    case C.DW_FORM_ref_sup4:
    case C.DW_FORM_strx4:
    case C.DW_FORM_addrx4:
    case C.DW_FORM_block4:
      return 4;
    case C.DW_FORM_data8:
    case C.DW_FORM_ref8:
    case C.DW_FORM_ref_sig8:
    case C.DW_FORM_ref_sup8:
      return 8;
    case C.DW_FORM_data16:
      return 16;
    case C.DW_FORM_strp:
    case C.DW_FORM_line_strp:
    case C.DW_FORM_sec_offset:
    case C.DW_FORM_strp_sup:
    case C.DW_FORM_GNU_ref_alt:
    case C.DW_FORM_GNU_strp_alt:
      return ctx.offsetSize;
    case C.DW_FORM_ref_addr:
      return ctx.version <= 2 ? ctx.addressSize : ctx.offsetSize;
    case C.DW_FORM_block1:
    case C.DW_FORM_block:
    case C.DW_FORM_exprloc:
    case C.DW_FORM_data1:
    case C.DW_FORM_ref1:
    case C.DW_FORM_strx1:
    case C.DW_FORM_addrx1:
    case C.DW_FORM_flag:
    case C.DW_FORM_string:
    case C.DW_FORM_sdata:
    case C.DW_FORM_udata:
    case C.DW_FORM_ref_udata:
    case C.DW_FORM_strx:
    case C.DW_FORM_addrx:
    case C.DW_FORM_loclistx:
    case C.DW_FORM_rnglistx:
    case C.DW_FORM_GNU_addr_index:
    case C.DW_FORM_GNU_str_index:
    case C.DW_FORM_indirect:
      return 1;
    default:
      return null;
  }
}

export interface AttributeSpec {
  readonly name: number;
  readonly form: number;
  /** The value of a DW_FORM_implicit_const attribute (stored in the abbreviation), else null. */
  readonly implicitConst: bigint | null;
}

export interface Abbreviation {
  readonly code: number;
  readonly tag: number;
  readonly hasChildren: boolean;
  readonly attributes: readonly AttributeSpec[];
  /** Section position of the declaration. */
  readonly pos: number;
}

/**
 * One abbreviation table (the declarations from an offset of .debug_abbrev up to the 0 code),
 * parsed lazily: find() reads declarations only until it meets the code asked for, so a unit
 * whose first DIE uses code 1 costs one declaration. Parsing stops at the table's 0 code or at the
 * end of the section (a table cut by the section end is accepted up to there, as readers do).
 */
export class AbbrevTable {
  private readonly byCode = new Map<number, Abbreviation>();
  private done = false;

  /**
   * `budget` (shared by the tables of one .debug_abbrev section) bounds the bytes all tables may
   * parse together: tables of a valid file do not overlap, so they parse at most the section once;
   * hostile offsets into the middle of a huge table would otherwise cost units x section size.
   */
  constructor(
    private readonly c: DwarfCursor,
    private readonly budget: { remaining: number } = { remaining: Number.MAX_SAFE_INTEGER },
  ) {}

  find(code: number): Abbreviation | undefined {
    const hit = this.byCode.get(code);
    if (hit !== undefined || this.done) return hit;
    const c = this.c;
    while (!this.done) {
      if (c.pos >= c.end) {
        this.done = true;
        break;
      }
      const pos = c.pos;
      const abbrevCode = c.uleb('abbreviation code');
      if (abbrevCode === 0) {
        this.done = true;
        break;
      }
      const tag = c.uleb('abbreviation tag');
      const children = c.u8('DW_CHILDREN');
      const attributes: AttributeSpec[] = [];
      for (;;) {
        const at = c.pos;
        const name = c.uleb('attribute name');
        const form = c.uleb('attribute form');
        if (name === 0 && form === 0) break;
        if (name === 0 || form === 0) c.fail(at, `malformed attribute specification (name 0x${name.toString(16)}, form 0x${form.toString(16)})`);
        const implicitConst = form === C.DW_FORM_implicit_const ? c.slebBig('DW_FORM_implicit_const value') : null;
        attributes.push({ name, form, implicitConst });
      }
      this.budget.remaining -= c.pos - pos;
      if (this.budget.remaining < 0) c.fail(pos, 'abbreviation tables overlap too much (more bytes parsed than twice the section holds)');
      const abbrev: Abbreviation = { code: abbrevCode, tag, hasChildren: children !== 0, attributes, pos };
      // The first declaration of a code wins (a duplicate is malformed; readers differ).
      if (!this.byCode.has(abbrevCode)) this.byCode.set(abbrevCode, abbrev);
      if (abbrevCode === code) return abbrev;
    }
    return this.byCode.get(code);
  }
}

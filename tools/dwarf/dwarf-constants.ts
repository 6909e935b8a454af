/**
 * DWARF constants used by the readers, with the values of the DWARF 5 specification (section 7)
 * and the GNU extensions listed there as in use. Only what the readers need.
 */

// Unit types (DWARF 5 7.5.1, Table 7.2).
export const DW_UT_compile = 0x01;
export const DW_UT_type = 0x02;
export const DW_UT_partial = 0x03;
export const DW_UT_skeleton = 0x04;
export const DW_UT_split_compile = 0x05;
export const DW_UT_split_type = 0x06;

const UT_NAMES: Record<number, string> = {
  [DW_UT_compile]: 'DW_UT_compile',
  [DW_UT_type]: 'DW_UT_type',
  [DW_UT_partial]: 'DW_UT_partial',
  [DW_UT_skeleton]: 'DW_UT_skeleton',
  [DW_UT_split_compile]: 'DW_UT_split_compile',
  [DW_UT_split_type]: 'DW_UT_split_type',
};

export function unitTypeName(ut: number): string {
  return UT_NAMES[ut] ?? `DW_UT_<0x${ut.toString(16)}>`;
}

// Tags (Table 7.3) of unit DIEs.
export const DW_TAG_compile_unit = 0x11;
export const DW_TAG_partial_unit = 0x3c;
export const DW_TAG_type_unit = 0x41;
export const DW_TAG_skeleton_unit = 0x4a;

// Attributes (Table 7.5) the CU reader looks at.
export const DW_AT_name = 0x03;
export const DW_AT_stmt_list = 0x10;
export const DW_AT_low_pc = 0x11;
export const DW_AT_high_pc = 0x12;
export const DW_AT_language = 0x13;
export const DW_AT_comp_dir = 0x1b;
export const DW_AT_producer = 0x25;
export const DW_AT_str_offsets_base = 0x72;
export const DW_AT_addr_base = 0x73;
export const DW_AT_dwo_name = 0x76;
export const DW_AT_GNU_dwo_name = 0x2130;
export const DW_AT_GNU_addr_base = 0x2133;

// Forms (Table 7.6) and the GNU extension forms.
export const DW_FORM_addr = 0x01;
export const DW_FORM_block2 = 0x03;
export const DW_FORM_block4 = 0x04;
export const DW_FORM_data2 = 0x05;
export const DW_FORM_data4 = 0x06;
export const DW_FORM_data8 = 0x07;
export const DW_FORM_string = 0x08;
export const DW_FORM_block = 0x09;
export const DW_FORM_block1 = 0x0a;
export const DW_FORM_data1 = 0x0b;
export const DW_FORM_flag = 0x0c;
export const DW_FORM_sdata = 0x0d;
export const DW_FORM_strp = 0x0e;
export const DW_FORM_udata = 0x0f;
export const DW_FORM_ref_addr = 0x10;
export const DW_FORM_ref1 = 0x11;
export const DW_FORM_ref2 = 0x12;
export const DW_FORM_ref4 = 0x13;
export const DW_FORM_ref8 = 0x14;
export const DW_FORM_ref_udata = 0x15;
export const DW_FORM_indirect = 0x16;
export const DW_FORM_sec_offset = 0x17;
export const DW_FORM_exprloc = 0x18;
export const DW_FORM_flag_present = 0x19;
export const DW_FORM_strx = 0x1a;
export const DW_FORM_addrx = 0x1b;
export const DW_FORM_ref_sup4 = 0x1c;
export const DW_FORM_strp_sup = 0x1d;
export const DW_FORM_data16 = 0x1e;
export const DW_FORM_line_strp = 0x1f;
export const DW_FORM_ref_sig8 = 0x20;
export const DW_FORM_implicit_const = 0x21;
export const DW_FORM_loclistx = 0x22;
export const DW_FORM_rnglistx = 0x23;
export const DW_FORM_ref_sup8 = 0x24;
export const DW_FORM_strx1 = 0x25;
export const DW_FORM_strx2 = 0x26;
export const DW_FORM_strx3 = 0x27;
export const DW_FORM_strx4 = 0x28;
export const DW_FORM_addrx1 = 0x29;
export const DW_FORM_addrx2 = 0x2a;
export const DW_FORM_addrx3 = 0x2b;
export const DW_FORM_addrx4 = 0x2c;
export const DW_FORM_GNU_addr_index = 0x1f01;
export const DW_FORM_GNU_str_index = 0x1f02;
export const DW_FORM_GNU_ref_alt = 0x1f20;
export const DW_FORM_GNU_strp_alt = 0x1f21;

const FORM_NAMES: Record<number, string> = {
  [DW_FORM_addr]: 'DW_FORM_addr',
  [DW_FORM_block2]: 'DW_FORM_block2',
  [DW_FORM_block4]: 'DW_FORM_block4',
  [DW_FORM_data2]: 'DW_FORM_data2',
  [DW_FORM_data4]: 'DW_FORM_data4',
  [DW_FORM_data8]: 'DW_FORM_data8',
  [DW_FORM_string]: 'DW_FORM_string',
  [DW_FORM_block]: 'DW_FORM_block',
  [DW_FORM_block1]: 'DW_FORM_block1',
  [DW_FORM_data1]: 'DW_FORM_data1',
  [DW_FORM_flag]: 'DW_FORM_flag',
  [DW_FORM_sdata]: 'DW_FORM_sdata',
  [DW_FORM_strp]: 'DW_FORM_strp',
  [DW_FORM_udata]: 'DW_FORM_udata',
  [DW_FORM_ref_addr]: 'DW_FORM_ref_addr',
  [DW_FORM_ref1]: 'DW_FORM_ref1',
  [DW_FORM_ref2]: 'DW_FORM_ref2',
  [DW_FORM_ref4]: 'DW_FORM_ref4',
  [DW_FORM_ref8]: 'DW_FORM_ref8',
  [DW_FORM_ref_udata]: 'DW_FORM_ref_udata',
  [DW_FORM_indirect]: 'DW_FORM_indirect',
  [DW_FORM_sec_offset]: 'DW_FORM_sec_offset',
  [DW_FORM_exprloc]: 'DW_FORM_exprloc',
  [DW_FORM_flag_present]: 'DW_FORM_flag_present',
  [DW_FORM_strx]: 'DW_FORM_strx',
  [DW_FORM_addrx]: 'DW_FORM_addrx',
  [DW_FORM_ref_sup4]: 'DW_FORM_ref_sup4',
  [DW_FORM_strp_sup]: 'DW_FORM_strp_sup',
  [DW_FORM_data16]: 'DW_FORM_data16',
  [DW_FORM_line_strp]: 'DW_FORM_line_strp',
  [DW_FORM_ref_sig8]: 'DW_FORM_ref_sig8',
  [DW_FORM_implicit_const]: 'DW_FORM_implicit_const',
  [DW_FORM_loclistx]: 'DW_FORM_loclistx',
  [DW_FORM_rnglistx]: 'DW_FORM_rnglistx',
  [DW_FORM_ref_sup8]: 'DW_FORM_ref_sup8',
  [DW_FORM_strx1]: 'DW_FORM_strx1',
  [DW_FORM_strx2]: 'DW_FORM_strx2',
  [DW_FORM_strx3]: 'DW_FORM_strx3',
  [DW_FORM_strx4]: 'DW_FORM_strx4',
  [DW_FORM_addrx1]: 'DW_FORM_addrx1',
  [DW_FORM_addrx2]: 'DW_FORM_addrx2',
  [DW_FORM_addrx3]: 'DW_FORM_addrx3',
  [DW_FORM_addrx4]: 'DW_FORM_addrx4',
  [DW_FORM_GNU_addr_index]: 'DW_FORM_GNU_addr_index',
  [DW_FORM_GNU_str_index]: 'DW_FORM_GNU_str_index',
  [DW_FORM_GNU_ref_alt]: 'DW_FORM_GNU_ref_alt',
  [DW_FORM_GNU_strp_alt]: 'DW_FORM_GNU_strp_alt',
};

export function formName(form: number): string {
  return FORM_NAMES[form] ?? `DW_FORM_<0x${form.toString(16)}>`;
}

// Line number program: standard opcodes (Table 7.25).
export const DW_LNS_copy = 0x01;
export const DW_LNS_advance_pc = 0x02;
export const DW_LNS_advance_line = 0x03;
export const DW_LNS_set_file = 0x04;
export const DW_LNS_set_column = 0x05;
export const DW_LNS_negate_stmt = 0x06;
export const DW_LNS_set_basic_block = 0x07;
export const DW_LNS_const_add_pc = 0x08;
export const DW_LNS_fixed_advance_pc = 0x09;
export const DW_LNS_set_prologue_end = 0x0a;
export const DW_LNS_set_epilogue_begin = 0x0b;
export const DW_LNS_set_isa = 0x0c;

// Extended opcodes (Table 7.26).
export const DW_LNE_end_sequence = 0x01;
export const DW_LNE_set_address = 0x02;
/** DWARF 2-4 only (reserved in DWARF 5). */
export const DW_LNE_define_file = 0x03;
export const DW_LNE_set_discriminator = 0x04;

// Line number header entry formats (Table 7.27).
export const DW_LNCT_path = 0x1;
export const DW_LNCT_directory_index = 0x2;
export const DW_LNCT_timestamp = 0x3;
export const DW_LNCT_size = 0x4;
export const DW_LNCT_MD5 = 0x5;

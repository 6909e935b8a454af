/**
 * ELF constants from the System V gABI (plus the GNU extensions that appear in Linux objects) and
 * the helpers that turn them into names for dumps. Names are the gABI macro names (`ET_REL`,
 * `EM_X86_64`, `SHT_PROGBITS`, ...); unknown values get a numeric name so nothing is ever lost.
 */

export const ELFCLASS32 = 1;
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const ELFDATA2MSB = 2;

/** Sizes of the fixed structures per class. */
export const EHDR_SIZE = { 32: 52, 64: 64 } as const;
export const SHDR_SIZE = { 32: 40, 64: 64 } as const;
export const SYM_SIZE = { 32: 16, 64: 24 } as const;

// e_type
export const ET_NONE = 0;
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;

const ET_NAMES: Record<number, string> = {
  [ET_NONE]: 'ET_NONE',
  [ET_REL]: 'ET_REL',
  [ET_EXEC]: 'ET_EXEC',
  [ET_DYN]: 'ET_DYN',
  [ET_CORE]: 'ET_CORE',
};

export function elfTypeName(type: number): string {
  const known = ET_NAMES[type];
  if (known !== undefined) return known;
  if (type >= 0xfe00 && type <= 0xfeff) return `ET_LOOS+0x${(type - 0xfe00).toString(16)}`;
  if (type >= 0xff00) return `ET_LOPROC+0x${(type - 0xff00).toString(16)}`;
  return `ET_<0x${type.toString(16)}>`;
}

// e_machine (the architectures Linux supports, plus a few common others)
export const EM_SPARC = 2;
export const EM_386 = 3;
export const EM_68K = 4;
export const EM_MIPS = 8;
export const EM_PARISC = 15;
export const EM_PPC = 20;
export const EM_PPC64 = 21;
export const EM_S390 = 22;
export const EM_ARM = 40;
export const EM_SH = 42;
export const EM_SPARCV9 = 43;
export const EM_IA_64 = 50;
export const EM_X86_64 = 62;
export const EM_OPENRISC = 92;
export const EM_ARC_COMPACT = 93;
export const EM_XTENSA = 94;
export const EM_NIOS2 = 113;
export const EM_HEXAGON = 164;
export const EM_AARCH64 = 183;
export const EM_MICROBLAZE = 189;
export const EM_ARCV2 = 195;
export const EM_BPF = 247;
export const EM_RISCV = 243;
export const EM_CSKY = 252;
export const EM_LOONGARCH = 258;

const EM_NAMES: Record<number, string> = {
  0: 'EM_NONE',
  [EM_SPARC]: 'EM_SPARC',
  [EM_386]: 'EM_386',
  [EM_68K]: 'EM_68K',
  [EM_MIPS]: 'EM_MIPS',
  [EM_PARISC]: 'EM_PARISC',
  [EM_PPC]: 'EM_PPC',
  [EM_PPC64]: 'EM_PPC64',
  [EM_S390]: 'EM_S390',
  [EM_ARM]: 'EM_ARM',
  [EM_SH]: 'EM_SH',
  [EM_SPARCV9]: 'EM_SPARCV9',
  [EM_IA_64]: 'EM_IA_64',
  [EM_X86_64]: 'EM_X86_64',
  [EM_OPENRISC]: 'EM_OPENRISC',
  [EM_ARC_COMPACT]: 'EM_ARC_COMPACT',
  [EM_XTENSA]: 'EM_XTENSA',
  [EM_NIOS2]: 'EM_NIOS2',
  [EM_HEXAGON]: 'EM_HEXAGON',
  [EM_AARCH64]: 'EM_AARCH64',
  [EM_MICROBLAZE]: 'EM_MICROBLAZE',
  [EM_ARCV2]: 'EM_ARCV2',
  [EM_RISCV]: 'EM_RISCV',
  [EM_BPF]: 'EM_BPF',
  [EM_CSKY]: 'EM_CSKY',
  [EM_LOONGARCH]: 'EM_LOONGARCH',
};

export function elfMachineName(machine: number): string {
  return EM_NAMES[machine] ?? `EM_<${machine}>`;
}

// Special section indices
export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;

// sh_type
export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_HASH = 5;
export const SHT_DYNAMIC = 6;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_SHLIB = 10;
export const SHT_DYNSYM = 11;
export const SHT_INIT_ARRAY = 14;
export const SHT_FINI_ARRAY = 15;
export const SHT_PREINIT_ARRAY = 16;
export const SHT_GROUP = 17;
export const SHT_SYMTAB_SHNDX = 18;
export const SHT_RELR = 19;
export const SHT_GNU_ATTRIBUTES = 0x6ffffff5;
export const SHT_GNU_HASH = 0x6ffffff6;
export const SHT_GNU_LIBLIST = 0x6ffffff7;
export const SHT_GNU_VERDEF = 0x6ffffffd;
export const SHT_GNU_VERNEED = 0x6ffffffe;
export const SHT_GNU_VERSYM = 0x6fffffff;

const SHT_NAMES: Record<number, string> = {
  [SHT_NULL]: 'SHT_NULL',
  [SHT_PROGBITS]: 'SHT_PROGBITS',
  [SHT_SYMTAB]: 'SHT_SYMTAB',
  [SHT_STRTAB]: 'SHT_STRTAB',
  [SHT_RELA]: 'SHT_RELA',
  [SHT_HASH]: 'SHT_HASH',
  [SHT_DYNAMIC]: 'SHT_DYNAMIC',
  [SHT_NOTE]: 'SHT_NOTE',
  [SHT_NOBITS]: 'SHT_NOBITS',
  [SHT_REL]: 'SHT_REL',
  [SHT_SHLIB]: 'SHT_SHLIB',
  [SHT_DYNSYM]: 'SHT_DYNSYM',
  [SHT_INIT_ARRAY]: 'SHT_INIT_ARRAY',
  [SHT_FINI_ARRAY]: 'SHT_FINI_ARRAY',
  [SHT_PREINIT_ARRAY]: 'SHT_PREINIT_ARRAY',
  [SHT_GROUP]: 'SHT_GROUP',
  [SHT_SYMTAB_SHNDX]: 'SHT_SYMTAB_SHNDX',
  [SHT_RELR]: 'SHT_RELR',
  [SHT_GNU_ATTRIBUTES]: 'SHT_GNU_ATTRIBUTES',
  [SHT_GNU_HASH]: 'SHT_GNU_HASH',
  [SHT_GNU_LIBLIST]: 'SHT_GNU_LIBLIST',
  [SHT_GNU_VERDEF]: 'SHT_GNU_verdef',
  [SHT_GNU_VERNEED]: 'SHT_GNU_verneed',
  [SHT_GNU_VERSYM]: 'SHT_GNU_versym',
};

export function sectionTypeName(type: number): string {
  const known = SHT_NAMES[type];
  if (known !== undefined) return known;
  const hex = (v: number): string => `0x${v.toString(16)}`;
  if (type >= 0x60000000 && type <= 0x6fffffff) return `SHT_LOOS+${hex(type - 0x60000000)}`;
  if (type >= 0x70000000 && type <= 0x7fffffff) return `SHT_LOPROC+${hex(type - 0x70000000)}`;
  if (type >= 0x80000000 && type <= 0xffffffff) return `SHT_LOUSER+${hex(type - 0x80000000)}`;
  return `SHT_<${hex(type)}>`;
}

// sh_flags (bigint, because ELF64 sh_flags is a 64-bit field)
export const SHF_WRITE = 0x1n;
export const SHF_ALLOC = 0x2n;
export const SHF_EXECINSTR = 0x4n;
export const SHF_MERGE = 0x10n;
export const SHF_STRINGS = 0x20n;
export const SHF_INFO_LINK = 0x40n;
export const SHF_LINK_ORDER = 0x80n;
export const SHF_OS_NONCONFORMING = 0x100n;
export const SHF_GROUP = 0x200n;
export const SHF_TLS = 0x400n;
export const SHF_COMPRESSED = 0x800n;
export const SHF_GNU_RETAIN = 0x200000n;
export const SHF_EXCLUDE = 0x80000000n;

// Symbol binding (st_info >> 4)
export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;
export const STB_GNU_UNIQUE = 10;

const STB_NAMES: Record<number, string> = {
  [STB_LOCAL]: 'LOCAL',
  [STB_GLOBAL]: 'GLOBAL',
  [STB_WEAK]: 'WEAK',
  [STB_GNU_UNIQUE]: 'UNIQUE',
};

/** readelf-style binding name (`LOCAL`, `GLOBAL`, `WEAK`, ...). */
export function symbolBindName(bind: number): string {
  return STB_NAMES[bind] ?? `<${bind}>`;
}

// Symbol type (st_info & 0xf)
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;
export const STT_COMMON = 5;
export const STT_TLS = 6;
export const STT_GNU_IFUNC = 10;

const STT_NAMES: Record<number, string> = {
  [STT_NOTYPE]: 'NOTYPE',
  [STT_OBJECT]: 'OBJECT',
  [STT_FUNC]: 'FUNC',
  [STT_SECTION]: 'SECTION',
  [STT_FILE]: 'FILE',
  [STT_COMMON]: 'COMMON',
  [STT_TLS]: 'TLS',
  [STT_GNU_IFUNC]: 'IFUNC',
};

/** readelf-style symbol type name (`FUNC`, `OBJECT`, ...). */
export function symbolTypeName(type: number): string {
  return STT_NAMES[type] ?? `<${type}>`;
}

// Symbol visibility (st_other & 3)
export const STV_DEFAULT = 0;
export const STV_INTERNAL = 1;
export const STV_HIDDEN = 2;
export const STV_PROTECTED = 3;

const STV_NAMES = ['DEFAULT', 'INTERNAL', 'HIDDEN', 'PROTECTED'] as const;

export function symbolVisibilityName(visibility: number): string {
  return STV_NAMES[visibility & 3] ?? 'DEFAULT';
}

/**
 * Section types whose sh_link names another section (and, for relocations, sh_info): the symbol,
 * relocation, hash, dynamic, group and version machinery.
 */
export const SECTION_LINKING_TYPES: ReadonlySet<number> = new Set<number>([
  SHT_SYMTAB,
  SHT_DYNSYM,
  SHT_REL,
  SHT_RELA,
  SHT_HASH,
  SHT_DYNAMIC,
  SHT_GROUP,
  SHT_SYMTAB_SHNDX,
  SHT_GNU_HASH,
  SHT_GNU_VERDEF,
  SHT_GNU_VERNEED,
  SHT_GNU_VERSYM,
]);

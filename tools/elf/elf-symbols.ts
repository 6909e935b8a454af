import { printableName, type ElfBytes, type ElfClass } from './elf-bytes.js';
import {
  SHN_XINDEX,
  SHT_DYNSYM,
  SHT_STRTAB,
  SHT_SYMTAB,
  SHT_SYMTAB_SHNDX,
  SYM_SIZE,
  symbolBindName,
  symbolTypeName,
} from './elf-constants.js';
import type { ElfSection } from './elf-section.js';
import { ElfStringTable } from './elf-strtab.js';

/**
 * One entry of a symbol table (.symtab or .dynsym).
 *
 * `shndx` is the section index after resolving SHN_XINDEX through the table's SHT_SYMTAB_SHNDX
 * section; `rawShndx` is st_shndx as stored. A reserved value (SHN_UNDEF 0, SHN_ABS 0xfff1,
 * SHN_COMMON 0xfff2, other 0xff00..0xfffe) is reported in both. The reader does not check that
 * `shndx` names an existing section (readelf does not either); ElfFile.symbolSection() and the
 * address helpers do.
 */
export interface ElfSymbol {
  /** Index in its symbol table (0 is the null symbol). */
  readonly index: number;
  readonly name: string;
  /** st_name: offset of the name in the linked string table. */
  readonly nameOffset: number;
  /** st_value: a section offset in ET_REL files, a virtual address in ET_EXEC/ET_DYN. */
  readonly value: bigint;
  /** st_size. */
  readonly size: bigint;
  /** st_info, and its two halves. */
  readonly info: number;
  readonly bind: number;
  readonly type: number;
  /** st_other, and its visibility part (STV_*). */
  readonly other: number;
  readonly visibility: number;
  readonly shndx: number;
  readonly rawShndx: number;
  /** Section index of the symbol table holding this entry. */
  readonly table: number;
  /** File offset of this entry (for error messages about it). */
  readonly entryOffset: number;
}

export function symbolBind(sym: ElfSymbol): string {
  return symbolBindName(sym.bind);
}

export function symbolType(sym: ElfSymbol): string {
  return symbolTypeName(sym.type);
}

/**
 * Decode every entry of `table` (SHT_SYMTAB or SHT_DYNSYM). Checks sh_entsize against the class,
 * that sh_size is a multiple of it, that sh_link names a SHT_STRTAB section other than itself,
 * every st_name, and every SHN_XINDEX escape. Allocation is bounded by the table's size, which
 * the parser has already checked against the file size.
 */
export function readSymbolTable(
  bytes: ElfBytes,
  cls: ElfClass,
  sections: readonly ElfSection[],
  table: ElfSection,
): ElfSymbol[] {
  const tname = `${table.index} (${printableName(table.name)})`;
  if (table.type !== SHT_SYMTAB && table.type !== SHT_DYNSYM) {
    bytes.fail(table.headerOffset, `section ${tname} is not a symbol table`);
  }
  const entsize = SYM_SIZE[cls];
  const fieldEntsize = table.headerOffset + (cls === 64 ? 56 : 36);
  if (table.entsize !== BigInt(entsize)) {
    bytes.fail(
      fieldEntsize,
      `symbol table ${tname} has sh_entsize ${table.entsize}, expected ${entsize} for ELF${cls}`,
    );
  }
  if (table.size % entsize !== 0) {
    bytes.fail(
      table.headerOffset + (cls === 64 ? 32 : 20),
      `symbol table ${tname} size ${table.size} is not a multiple of its entry size ${entsize}`,
    );
  }
  const fieldLink = table.headerOffset + (cls === 64 ? 40 : 24);
  const strtab = sections[table.link];
  if (strtab === undefined || strtab.index === table.index || strtab.type !== SHT_STRTAB) {
    const what =
      strtab === undefined
        ? `is out of range (${sections.length} sections)`
        : strtab.index === table.index
          ? 'is the symbol table itself'
          : `names section ${strtab.index} (${printableName(strtab.name)}, ${strtab.typeName}), not a string table`;
    bytes.fail(fieldLink, `symbol table ${tname} sh_link ${table.link} ${what}`);
  }
  const strings = new ElfStringTable(bytes, strtab.data(), `string table ${strtab.index} (${printableName(strtab.name)})`);

  // The extended section index table, looked up only if some symbol needs it.
  let xindex: ElfSection | null | undefined;
  const extendedIndex = (symIndex: number, at: number): number => {
    if (xindex === undefined) {
      xindex = sections.find((s) => s.type === SHT_SYMTAB_SHNDX && s.link === table.index) ?? null;
    }
    if (xindex === null) {
      bytes.fail(at, `symbol ${symIndex} has st_shndx SHN_XINDEX but no SHT_SYMTAB_SHNDX section links to ${tname}`);
    }
    if (symIndex >= Math.floor(xindex.size / 4)) {
      bytes.fail(
        xindex.headerOffset,
        `SHT_SYMTAB_SHNDX section ${xindex.index} (size ${xindex.size}) has no entry for symbol ${symIndex}`,
      );
    }
    return bytes.u32(xindex.offset + symIndex * 4);
  };

  const count = table.size / entsize;
  const out: ElfSymbol[] = new Array<ElfSymbol>(count);
  for (let i = 0; i < count; i++) {
    const at = table.offset + i * entsize;
    let nameOffset: number;
    let info: number;
    let other: number;
    let rawShndx: number;
    let value: bigint;
    let size: bigint;
    if (cls === 64) {
      nameOffset = bytes.u32(at);
      info = bytes.u8(at + 4);
      other = bytes.u8(at + 5);
      rawShndx = bytes.u16(at + 6);
      value = bytes.u64(at + 8);
      size = bytes.u64(at + 16);
    } else {
      nameOffset = bytes.u32(at);
      value = BigInt(bytes.u32(at + 4));
      size = BigInt(bytes.u32(at + 8));
      info = bytes.u8(at + 12);
      other = bytes.u8(at + 13);
      rawShndx = bytes.u16(at + 14);
    }
    const name = strings.get(nameOffset, at);
    const shndx = rawShndx === SHN_XINDEX ? extendedIndex(i, at) : rawShndx;
    out[i] = {
      index: i,
      name,
      nameOffset,
      value,
      size,
      info,
      bind: info >> 4,
      type: info & 0xf,
      other,
      visibility: other & 3,
      shndx,
      rawShndx,
      table: table.index,
      entryOffset: at,
    };
  }
  return out;
}

/**
 * A simulation of loading a relocatable module (ET_REL), as far as lineinfo needs it: every
 * SHF_ALLOC section gets a distinct run-time address, and the relocations of a section (the
 * lineinfo blobs' anchor relocations) are applied to a copy of its bytes with those addresses.
 *
 * Addresses, like a module loader's memory areas: persistent text (`.text` first, then the other
 * executable sections in header order), read-only data, writable data, then the init areas
 * (`.init*` sections: text, read-only, writable), each area page-aligned after the previous one
 * with a guard page between them, each section aligned to its sh_addralign inside its area.
 * 64-bit modules are placed in the module area from 0xffffffffc0000000 (x86_64's), 32-bit ones
 * below 4 GiB (from 0xf8000000, i386's module area). The exact addresses do not matter to
 * lineinfo; that sections do not overlap and that each keeps its alignment does.
 *
 * Relocations: only the absolute data relocations of reloc-types.ts (`abs`, any width), REL
 * (addend read from the field) or RELA, against symbols defined in the module or SHN_ABS. Any
 * other type, or a symbol the module does not define, is an error naming the file and the
 * relocation entry's offset: a kernel's apply_relocate_add() fails the whole load on an unknown
 * type (W27; the header comment claiming that such an anchor "stays zero" is wrong).
 */
import { printableName } from './elf-bytes.js';
import { SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHN_ABS, SHN_COMMON, SHN_UNDEF } from './elf-constants.js';
import { ElfFormatError, type ElfFile, type ElfSection, type ElfSymbol } from './elf-file.js';
import { relocationsFor } from './elf-relocations.js';
import { relocTypeInfo, relocTypeName } from './reloc-types.js';

export const MODULE_BASE_64 = 0xffff_ffff_c000_0000n;
export const MODULE_BASE_32 = 0xf800_0000n;
const PAGE = 0x1000n;

export interface LoadedModule {
  readonly elf: ElfFile;
  /** run-time address of every SHF_ALLOC section, by section index */
  readonly addresses: ReadonlyMap<number, bigint>;
  /** the run-time address of a symbol defined in an allocated section (or SHN_ABS), else null */
  symbolAddress(sym: ElfSymbol): bigint | null;
  /** a copy of `section`'s bytes with its relocations applied for these addresses */
  relocate(section: ElfSection): Uint8Array;
}

const alignUp = (v: bigint, a: bigint): bigint => (a <= 1n ? v : ((v + a - 1n) / a) * a);

/** The areas in load order; a section goes into the first area whose test it passes. */
function area(s: ElfSection): number {
  const init = s.name.startsWith('.init');
  const exec = (s.flags & SHF_EXECINSTR) !== 0n;
  const write = (s.flags & SHF_WRITE) !== 0n;
  return (init ? 3 : 0) + (exec ? 0 : write ? 2 : 1);
}

export function loadModule(elf: ElfFile): LoadedModule {
  if (!elf.isRelocatable) throw new ElfFormatError(elf.fileName, 0x10, `e_type is ${elf.typeName}: only relocatable modules (ET_REL) are loaded`);
  const alloc = elf.sections.filter((s) => s.index > 0 && (s.flags & SHF_ALLOC) !== 0n);
  const areas: ElfSection[][] = [[], [], [], [], [], []];
  for (const s of alloc) areas[area(s)]!.push(s);
  // `.text` leads the text area, as the loader's layout (and the kernel build's linker script) has it.
  areas[0]!.sort((a, b) => Number(b.name === '.text') - Number(a.name === '.text'));
  const addresses = new Map<number, bigint>();
  let pos = elf.class === 64 ? MODULE_BASE_64 : MODULE_BASE_32;
  const limit = elf.class === 64 ? 1n << 64n : 1n << 32n;
  for (const list of areas) {
    if (list.length === 0) continue;
    for (const s of list) {
      pos = alignUp(pos, s.addralign > 1n ? s.addralign : 1n);
      addresses.set(s.index, pos);
      pos += BigInt(s.size);
    }
    pos = alignUp(pos, PAGE) + PAGE;
  }
  if (pos > limit) throw new ElfFormatError(elf.fileName, 0, `the module's allocated sections do not fit in ELF${elf.class}'s address space`);

  const symbolAddress = (sym: ElfSymbol): bigint | null => {
    if (sym.rawShndx === SHN_ABS) return sym.value;
    if (sym.shndx === SHN_UNDEF || sym.rawShndx === SHN_COMMON) return null;
    const base = addresses.get(sym.shndx);
    return base === undefined ? null : base + sym.value;
  };

  const relocate = (section: ElfSection): Uint8Array => {
    const bytes = new Uint8Array(section.data());
    const view = new DataView(bytes.buffer);
    const le = elf.endian === 'le';
    for (const rel of relocationsFor(elf, section)) {
      const info = relocTypeInfo(elf.machine, rel.type);
      const where = `${relocTypeName(elf.machine, rel.type)} relocation at offset 0x${rel.offset.toString(16)} of ${printableName(section.name)}`;
      if (info === undefined || (info.kind !== 'abs' && info.kind !== 'none')) {
        throw new ElfFormatError(elf.fileName, rel.entryOffset, `${where}: ${info === undefined ? `type ${rel.type} is unknown for ${elf.machineName}` : 'not an absolute data relocation'}; a kernel fails to load the module (W27)`);
      }
      if (info.kind === 'none') continue;
      const width = info.width;
      if (rel.offset + width > bytes.length) throw new ElfFormatError(elf.fileName, rel.entryOffset, `${where}: the ${width}-byte field is not inside the section`);
      let s = 0n;
      if (rel.symbol !== null) {
        const a = symbolAddress(rel.symbol);
        if (a === null) throw new ElfFormatError(elf.fileName, rel.entryOffset, `${where}: symbol ${printableName(rel.symbol.name || `#${rel.symbolIndex}`)} is not defined in the module`);
        s = a;
      }
      const read = (): bigint => (width === 8 ? view.getBigUint64(rel.offset, le) : width === 4 ? BigInt(view.getUint32(rel.offset, le)) : width === 2 ? BigInt(view.getUint16(rel.offset, le)) : BigInt(bytes[rel.offset]!));
      const v = BigInt.asUintN(width * 8, s + (rel.addend ?? read()));
      if (width === 8) view.setBigUint64(rel.offset, v, le);
      else if (width === 4) view.setUint32(rel.offset, Number(v), le);
      else if (width === 2) view.setUint16(rel.offset, Number(v), le);
      else bytes[rel.offset] = Number(v);
    }
    return bytes;
  };

  return { elf, addresses, symbolAddress, relocate };
}

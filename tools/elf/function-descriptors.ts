/**
 * 64-bit PowerPC ELFv1 function descriptors (64-bit PowerPC ELF ABI Supplement 1.9, "Function
 * Descriptors"). Under ELFv1 a function's symbol does not name its code: it names a descriptor
 * in `.opd` (three doublewords: entry point, TOC base, environment), and the code has no symbol
 * of its own (gcc labels it `.L.name`, a local label the assembler drops). A `func+0x10` frame
 * therefore means 0x10 bytes into the code the descriptor's first doubleword points to.
 *
 * ELFv2 (e_flags & 3 == 2, every little-endian ppc64 and big-endian ppc64 built for ELFv2) has
 * no descriptors: its function symbols are in `.text` and are used as they are.
 */
import { printableName } from './elf-bytes.js';
import { EM_PPC64, ET_REL, SHF_ALLOC, SHF_EXECINSTR, SHN_LORESERVE, SHN_XINDEX, SHT_NOBITS } from './elf-constants.js';
import { ElfFormatError, type ElfFile, type ElfSection, type ElfSymbol } from './elf-file.js';
import { relocationsFor, type Relocation } from './elf-relocations.js';

const EF_PPC64_ABI = 3;
const ELFV2 = 2;
const R_PPC64_ADDR64 = 38;
const OPD = '.opd';

/** Whether function symbols of this file may name `.opd` descriptors: ppc64 with an ABI other than ELFv2 (0, unspecified, is ELFv1 in practice). */
export function usesFunctionDescriptors(elf: ElfFile): boolean {
  return elf.machine === EM_PPC64 && (elf.header.flags & EF_PPC64_ABI) !== ELFV2;
}

/**
 * The symbol to measure `sym+offset` from: for a ppc64 ELFv1 symbol defined in `.opd`, a copy of
 * it placed at its function's entry point (section index and value of the code: a section offset
 * in ET_REL, an address otherwise), st_size kept (it is the code's size); any other symbol as it
 * is. The entry point is, in ET_REL (a `.ko`), the R_PPC64_ADDR64 relocation at the descriptor's
 * first doubleword (its symbol's section and value + addend), since the field itself holds 0
 * there; in linked files, the doubleword. ElfFormatError at the symbol when neither gives one.
 */
export function functionEntrySymbol(elf: ElfFile, sym: ElfSymbol): ElfSymbol {
  if (!usesFunctionDescriptors(elf)) return sym;
  const opd = elf.symbolSection(sym);
  if (opd === undefined || opd.name !== OPD) return sym;
  const fail = (detail: string): never => {
    throw new ElfFormatError(elf.fileName, sym.entryOffset, `${printableName(sym.name)} is a function descriptor in ${OPD} (ppc64 ELFv1), but ${detail}`);
  };
  if (elf.type === ET_REL) {
    const at = Number(sym.value);
    const rel = opdEntries(elf, opd).get(at);
    if (rel === undefined) return fail(`no R_PPC64_ADDR64 relocation at ${OPD}+0x${at.toString(16)} gives its entry point`);
    const code = rel.symbol === null ? undefined : elf.symbolSection(rel.symbol);
    if (rel.symbol === null || code === undefined) return fail(`the relocation at ${OPD}+0x${at.toString(16)} does not name a section of the file`);
    return placedAt(sym, code.index, BigInt.asUintN(64, rel.symbol.value + (rel.addend ?? 0n)));
  }
  if (opd.type === SHT_NOBITS) return fail(`${OPD} has no bytes in the file`);
  const entry = readDoubleword(elf, elf.symbolFileOffset(sym, 8));
  const code = elf.sections.find((s) => (s.flags & (SHF_ALLOC | SHF_EXECINSTR)) === (SHF_ALLOC | SHF_EXECINSTR) && s.addr <= entry && entry < s.addr + BigInt(s.size));
  if (code === undefined) return fail(`its entry point 0x${entry.toString(16)} is in no executable section`);
  return placedAt(sym, code.index, entry);
}

/**
 * The R_PPC64_ADDR64 relocations of `.opd` by offset, read once per file: symbolize places every
 * code symbol of a module for each frame's size check.
 */
const opdEntryCache = new WeakMap<ElfSection, Map<number, Relocation>>();
function opdEntries(elf: ElfFile, opd: ElfSection): Map<number, Relocation> {
  let m = opdEntryCache.get(opd);
  if (m === undefined) {
    m = new Map();
    for (const r of relocationsFor(elf, opd)) if (r.type === R_PPC64_ADDR64 && !m.has(r.offset)) m.set(r.offset, r);
    opdEntryCache.set(opd, m);
  }
  return m;
}

function placedAt(sym: ElfSymbol, shndx: number, value: bigint): ElfSymbol {
  return { ...sym, shndx, rawShndx: shndx < SHN_LORESERVE ? shndx : SHN_XINDEX, value };
}

function readDoubleword(elf: ElfFile, at: number): bigint {
  return new DataView(elf.bytes.buffer, elf.bytes.byteOffset, elf.bytes.byteLength).getBigUint64(at, elf.endian === 'le');
}

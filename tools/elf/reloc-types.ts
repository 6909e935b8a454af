/**
 * Relocation types that debug sections of relocatable objects use, per machine, and how each one
 * computes the relocated field. Numbers are from each architecture's ELF psABI document:
 *  - System V AMD64 psABI (x86-64) and the i386 psABI;
 *  - ELF for the Arm 64-bit Architecture (AArch64) and ELF for the Arm Architecture;
 *  - RISC-V ELF psABI (including the relaxation relocations gcc emits in debug sections:
 *    ADD/SUB pairs for label differences, SET/SUB 6-bit pairs, SET_ULEB128/SUB_ULEB128 pairs);
 *  - 64-bit ELF V2 ABI for Power (and the 32-bit PowerPC SysV ABI), both endians;
 *  - s390x ELF ABI supplement;
 *  - LoongArch ELF psABI (the absolute types, and the ADD/SUB pairs gas emits for label
 *    differences in debug sections when linker relaxation is on, as on RISC-V).
 *
 * Only "data" relocations are listed: the ones that can appear in non-allocated debug sections.
 * Code relocations (PC-relative, GOT, PLT, TLS...) are not; applyDebugRelocations() rejects them
 * (and every other type not listed) as an input error rather than read unrelocated DWARF.
 */
import { EM_386, EM_AARCH64, EM_ARM, EM_LOONGARCH, EM_PPC, EM_PPC64, EM_RISCV, EM_S390, EM_X86_64 } from './elf-constants.js';

/**
 * How a relocation computes its field, with S the symbol value and A the addend (explicit for
 * RELA, the field's current contents for REL):
 *  - `none`: nothing (R_*_NONE, R_RISCV_RELAX and R_LARCH_RELAX hints);
 *  - `abs`: field = S + A, truncated to `width` bytes;
 *  - `add` / `sub`: field = field + (S + A) / field - (S + A), modulo 2^(8 * width);
 *  - `set6` / `add6` / `sub6`: like abs / add / sub on the low 6 bits of one byte, the 2 high bits
 *    kept (RISC-V sets then subtracts; LoongArch adds then subtracts);
 *  - `setUleb` / `addUleb` / `subUleb`: like abs / add / sub on a ULEB128 field, re-encoded in its
 *    existing length.
 */
export type RelocKind = 'none' | 'abs' | 'add' | 'sub' | 'set6' | 'add6' | 'sub6' | 'setUleb' | 'addUleb' | 'subUleb';

export interface RelocTypeInfo {
  readonly name: string;
  readonly kind: RelocKind;
  /** Field size in bytes (1 for the 6-bit kinds; 3 for LoongArch's ADD24/SUB24; 0 for ULEB128 (variable) and none). */
  readonly width: 0 | 1 | 2 | 3 | 4 | 8;
}

function t(name: string, kind: RelocKind, width: RelocTypeInfo['width']): RelocTypeInfo {
  return { name, kind, width };
}

// x86-64 (System V AMD64 psABI, table "Relocation Types").
const X86_64 = new Map<number, RelocTypeInfo>([
  [0, t('R_X86_64_NONE', 'none', 0)],
  [1, t('R_X86_64_64', 'abs', 8)],
  [10, t('R_X86_64_32', 'abs', 4)],
  [11, t('R_X86_64_32S', 'abs', 4)],
  [12, t('R_X86_64_16', 'abs', 2)],
  [14, t('R_X86_64_8', 'abs', 1)],
]);

// i386 (System V i386 psABI). REL: the addend is the field's contents.
const I386 = new Map<number, RelocTypeInfo>([
  [0, t('R_386_NONE', 'none', 0)],
  [1, t('R_386_32', 'abs', 4)],
  [20, t('R_386_16', 'abs', 2)],
  [22, t('R_386_8', 'abs', 1)],
]);

// AArch64 (ELF for the Arm 64-bit Architecture, "Static Data relocations").
const AARCH64 = new Map<number, RelocTypeInfo>([
  [0, t('R_AARCH64_NONE', 'none', 0)],
  [256, t('R_AARCH64_NONE', 'none', 0)], // withdrawn alternative encoding of NONE
  [257, t('R_AARCH64_ABS64', 'abs', 8)],
  [258, t('R_AARCH64_ABS32', 'abs', 4)],
  [259, t('R_AARCH64_ABS16', 'abs', 2)],
]);

// 32-bit Arm (ELF for the Arm Architecture, "Static Data relocations"). REL.
const ARM = new Map<number, RelocTypeInfo>([
  [0, t('R_ARM_NONE', 'none', 0)],
  [2, t('R_ARM_ABS32', 'abs', 4)],
  [5, t('R_ARM_ABS16', 'abs', 2)],
  [8, t('R_ARM_ABS8', 'abs', 1)],
]);

// RISC-V (RISC-V ELF psABI, "Relocations").
const RISCV = new Map<number, RelocTypeInfo>([
  [0, t('R_RISCV_NONE', 'none', 0)],
  [1, t('R_RISCV_32', 'abs', 4)],
  [2, t('R_RISCV_64', 'abs', 8)],
  [33, t('R_RISCV_ADD8', 'add', 1)],
  [34, t('R_RISCV_ADD16', 'add', 2)],
  [35, t('R_RISCV_ADD32', 'add', 4)],
  [36, t('R_RISCV_ADD64', 'add', 8)],
  [37, t('R_RISCV_SUB8', 'sub', 1)],
  [38, t('R_RISCV_SUB16', 'sub', 2)],
  [39, t('R_RISCV_SUB32', 'sub', 4)],
  [40, t('R_RISCV_SUB64', 'sub', 8)],
  [51, t('R_RISCV_RELAX', 'none', 0)],
  [52, t('R_RISCV_SUB6', 'sub6', 1)],
  [53, t('R_RISCV_SET6', 'set6', 1)],
  [54, t('R_RISCV_SET8', 'abs', 1)],
  [55, t('R_RISCV_SET16', 'abs', 2)],
  [56, t('R_RISCV_SET32', 'abs', 4)],
  [60, t('R_RISCV_SET_ULEB128', 'setUleb', 0)],
  [61, t('R_RISCV_SUB_ULEB128', 'subUleb', 0)],
]);

// 64-bit Power (ELF V2 ABI; the ELF V1 numbers are the same).
const PPC64 = new Map<number, RelocTypeInfo>([
  [0, t('R_PPC64_NONE', 'none', 0)],
  [1, t('R_PPC64_ADDR32', 'abs', 4)],
  [3, t('R_PPC64_ADDR16', 'abs', 2)],
  [38, t('R_PPC64_ADDR64', 'abs', 8)],
]);

// 32-bit PowerPC (SysV ABI PowerPC supplement).
const PPC = new Map<number, RelocTypeInfo>([
  [0, t('R_PPC_NONE', 'none', 0)],
  [1, t('R_PPC_ADDR32', 'abs', 4)],
  [3, t('R_PPC_ADDR16', 'abs', 2)],
]);

// s390 / s390x (ELF ABI supplements; one machine number for both).
const S390 = new Map<number, RelocTypeInfo>([
  [0, t('R_390_NONE', 'none', 0)],
  [1, t('R_390_8', 'abs', 1)],
  [3, t('R_390_16', 'abs', 2)],
  [4, t('R_390_32', 'abs', 4)],
  [22, t('R_390_64', 'abs', 8)],
]);

// LoongArch (LoongArch ELF psABI, "ELF Relocations"). RELA. The ADD/SUB pairs (and the 6-bit
// and ULEB128 ones) are how gas writes a label difference that linker relaxation may change, e.g.
// the address advance of a line-program opcode.
const LOONGARCH = new Map<number, RelocTypeInfo>([
  [0, t('R_LARCH_NONE', 'none', 0)],
  [1, t('R_LARCH_32', 'abs', 4)],
  [2, t('R_LARCH_64', 'abs', 8)],
  [47, t('R_LARCH_ADD8', 'add', 1)],
  [48, t('R_LARCH_ADD16', 'add', 2)],
  [49, t('R_LARCH_ADD24', 'add', 3)],
  [50, t('R_LARCH_ADD32', 'add', 4)],
  [51, t('R_LARCH_ADD64', 'add', 8)],
  [52, t('R_LARCH_SUB8', 'sub', 1)],
  [53, t('R_LARCH_SUB16', 'sub', 2)],
  [54, t('R_LARCH_SUB24', 'sub', 3)],
  [55, t('R_LARCH_SUB32', 'sub', 4)],
  [56, t('R_LARCH_SUB64', 'sub', 8)],
  [100, t('R_LARCH_RELAX', 'none', 0)],
  [105, t('R_LARCH_ADD6', 'add6', 1)],
  [106, t('R_LARCH_SUB6', 'sub6', 1)],
  [107, t('R_LARCH_ADD_ULEB128', 'addUleb', 0)],
  [108, t('R_LARCH_SUB_ULEB128', 'subUleb', 0)],
]);

const BY_MACHINE = new Map<number, ReadonlyMap<number, RelocTypeInfo>>([
  [EM_X86_64, X86_64],
  [EM_386, I386],
  [EM_AARCH64, AARCH64],
  [EM_ARM, ARM],
  [EM_RISCV, RISCV],
  [EM_PPC64, PPC64],
  [EM_PPC, PPC],
  [EM_S390, S390],
  [EM_LOONGARCH, LOONGARCH],
]);

/** How `type` relocates data on `machine`, or undefined when this module does not know it. */
export function relocTypeInfo(machine: number, type: number): RelocTypeInfo | undefined {
  return BY_MACHINE.get(machine)?.get(type);
}

/** The R_* name of a relocation type, or `R_<machine>_<n>`-style `type <n>` when unknown here. */
export function relocTypeName(machine: number, type: number): string {
  return relocTypeInfo(machine, type)?.name ?? `type ${type}`;
}

/** Whether applyDebugRelocations() knows any relocation type of this machine. */
export function machineHasRelocTypes(machine: number): boolean {
  return BY_MACHINE.has(machine);
}

/**
 * Rules that need the ELF file around a module section: how the section header asks the
 * loader to treat it (LI-ELF-001, LI-ALN-002) and whether entries stay inside `.text`
 * (LI-ELF-002); for the sectioned layouts, whether each anchor is relocated to its covered
 * section (LI-SEC-006) and whether a 32-bit module is read with the v5/v6 struct (LI-SEC-007).
 * Kept apart from the byte-level reading so raw sections can be checked too.
 */
import { hex } from '../format/u32-math.js';
import type { Finding, SectionModel } from '../revisions/layout.js';

/** What the container says about a module's lineinfo section. */
export interface ModuleContainerFacts {
  readonly sectionFlags: bigint;
  readonly addralign: bigint;
  /** size of the module's `.text`, or null when it has none (or the table is not `.text`'s) */
  readonly textSize: number | null;
  /** the module's ELFCLASS, when known */
  readonly elfClass?: 32 | 64;
  /**
   * Sectioned layouts in a module file: the blob's section name and every relocation that applies
   * to it. Absent for raw blobs (nothing to check).
   */
  readonly blob?: {
    readonly name: string;
    /** the covered sections a descriptor of this blob may anchor (`.text`, ...) */
    readonly covers: readonly string[];
    readonly relocations: readonly AnchorRelocation[];
  };
}

/** One relocation of a sectioned blob, as LI-SEC-006 needs it. */
export interface AnchorRelocation {
  /** offset of the relocated field in the blob */
  readonly offset: number;
  /** R_* name */
  readonly type: string;
  /** an absolute data relocation, and its field width (0 for other kinds) */
  readonly absolute: boolean;
  readonly width: number;
  /** the section of the relocation's symbol (null: undefined, absolute or common symbol) */
  readonly section: string | null;
  readonly sectionSize: number | null;
  /** symbol value + addend (REL: the field's contents), i.e. the offset into `section` it points at */
  readonly target: bigint;
}

const SHF_ALLOC = 0x2n;

export function checkModuleContainer(model: SectionModel, facts: ModuleContainerFacts): Finding[] {
  const out: Finding[] = [];
  if ((facts.sectionFlags & SHF_ALLOC) === 0n) {
    out.push({ rule: 'LI-ELF-001', field: 'sh_flags', offset: 0, length: 0, message: '.mod_lineinfo lacks SHF_ALLOC: the module loader does not copy it into memory, so nothing is annotated' });
  }
  if (facts.addralign < 4n) {
    out.push({ rule: 'LI-ALN-002', field: 'sh_addralign', offset: 0, length: 0, message: `.mod_lineinfo asks for ${facts.addralign}-byte alignment; the loader may place it at an odd address and the kernel's u32 loads are then misaligned` });
  }
  if (model.tables && facts.blob) {
    const w22 = descriptorsAt4(model, facts.blob);
    out.push(...(w22 ? [w22] : anchorFindings(model, facts.blob)));
  }
  if (model.tables && facts.elfClass === 32 && model.layout === 'v5') {
    out.push({ rule: 'LI-SEC-007', field: 'root', offset: 0, length: Math.min(8, model.size), message: 'a 32-bit (ELFCLASS32) module with a v5/v6 blob: where u64 is 4-aligned (i386; m68k 2) the v5/v6 kernel struct has no __aligned(8) and reads the descriptors at offset 4, not 8, so nothing is annotated (W22); use v7' });
  }
  if (facts.textSize !== null) {
    let past = 0;
    let first: (typeof model.entries)[number] | undefined;
    for (const e of model.entries) {
      if (e.offset >= facts.textSize) {
        past++;
        first ??= e;
      }
    }
    if (first) {
      out.push({ rule: 'LI-ELF-002', field: 'entries', offset: first.at, length: first.length, message: `${past} entr${past === 1 ? 'y lies' : 'ies lie'} at or past the end of .text (${hex(facts.textSize)}), the first at ${hex(first.offset)}` });
    }
  }
  return out;
}

/**
 * LI-SEC-006: each descriptor's u64 anchor has exactly one absolute relocation (R_*_64 on the
 * anchor, or on a 32-bit target the abs32 on the word that holds the low half) pointing at the
 * start of a covered section of this blob, and the descriptor's size is that section's size.
 */
function anchorFindings(model: SectionModel, blob: NonNullable<ModuleContainerFacts['blob']>): Finding[] {
  const out: Finding[] = [];
  const le = model.endian === 'le';
  for (const t of model.tables ?? []) {
    const at = 8 + 16 * t.index;
    const field = `sections[${t.index}].anchor`;
    const on = blob.relocations.filter((r) => r.offset < at + 8 && r.offset + Math.max(1, r.width) > at);
    const fail = (why: string): void => {
      out.push({ rule: 'LI-SEC-006', field, offset: at, length: 8, message: `${blob.name} descriptor ${t.index}: ${why}` });
    };
    if (on.length !== 1) {
      fail(on.length === 0 ? 'no relocation fills in the anchor: it stays 0 and the kernel skips the descriptor' : `${on.length} relocations apply to the anchor (${on.map((r) => r.type).join(', ')}); exactly one is expected`);
      continue;
    }
    const r = on[0]!;
    const placed = r.width === 8 ? r.offset === at : r.width === 4 ? r.offset === (le ? at : at + 4) : false;
    if (!r.absolute || !placed) {
      fail(`${r.type} at blob offset ${hex(r.offset)} is not an absolute relocation of the anchor's ${le ? 'low' : 'u64'} field (R_*_64 at ${hex(at)}, or abs32 at ${hex(le ? at : at + 4)} on 32-bit targets)`);
      continue;
    }
    if (r.section === null || !blob.covers.includes(r.section)) {
      fail(`the anchor is relocated against ${r.section === null ? 'a symbol outside the module' : r.section}, not a section ${blob.name} covers (${blob.covers.join(', ')})`);
      continue;
    }
    if (r.target !== 0n) {
      fail(`the anchor points ${hex(Number(r.target & 0xffff_ffffn))} bytes into ${r.section}, not at its start`);
      continue;
    }
    if (r.sectionSize !== t.size) {
      fail(`size ${hex(t.size)} differs from the size of ${r.section} (${r.sectionSize === null ? '?' : hex(r.sectionSize)})`);
    }
  }
  return out;
}

/**
 * W22 in a module file: the anchors are 0 until relocated, so the root's padding looks right and
 * only the relocations show that the descriptors were laid out at offset 4 (a 32-bit struct
 * without `__aligned(8)`): one relocation per descriptor, each at 4 + 16k.
 */
function descriptorsAt4(model: SectionModel, blob: NonNullable<ModuleContainerFacts['blob']>): Finding | null {
  const n = model.header.find((h) => h.name === 'num_sections')?.value ?? 0;
  const offsets = blob.relocations.map((r) => r.offset - (r.width === 4 && model.endian === 'be' ? 4 : 0)).sort((a, b) => a - b);
  if (n === 0 || offsets.length !== n || !offsets.every((o, k) => o === 4 + 16 * k)) return null;
  return {
    rule: 'LI-SEC-001', field: 'root.padding', offset: 4, length: 4,
    message: `${blob.name}: the ${n} anchor relocation(s) are at 4 + 16k: the descriptors start at offset 4, not 8, as a 32-bit struct without __aligned(8) lays them out (W22); v7 kernels and 64-bit targets read them at 8`,
  };
}

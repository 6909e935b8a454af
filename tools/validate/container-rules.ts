/**
 * Rules that need the ELF file around a module section: how the section header asks the
 * loader to treat it (LI-ELF-001, LI-ALN-002) and whether entries stay inside `.text`
 * (LI-ELF-002). Kept apart from the byte-level reading so raw sections can be checked too.
 */
import { hex } from '../format/u32-math.js';
import type { Finding, SectionModel } from '../revisions/layout.js';

/** What the container says about a module's lineinfo section. */
export interface ModuleContainerFacts {
  readonly sectionFlags: bigint;
  readonly addralign: bigint;
  /** size of the module's `.text`, or null when it has none */
  readonly textSize: number | null;
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

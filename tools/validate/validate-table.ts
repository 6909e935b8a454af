/**
 * Validation of one loaded table: the layout's structural reading plus the container rules.
 * Pure: takes bytes and facts, returns diagnostics.
 */
import type { LoadedTable } from '../input/load-input.js';
import type { ResolvedTable } from '../input/resolve-layout.js';
import type { Finding } from '../revisions/layout.js';
import { checkModuleContainer } from './container-rules.js';
import type { AnchorRelocation, ModuleContainerFacts } from './container-rules.js';
import type { ElfFile, ElfSection } from '../elf/elf-file.js';
import { relocationsFor } from '../elf/elf-relocations.js';
import { relocTypeInfo, relocTypeName } from '../elf/reloc-types.js';
import { coveredSections, INIT_BLOB } from '../generator/section-tables.js';

/** Container facts of an ELF-embedded module table; null for raw files and vmlinux. */
export function moduleFacts(t: LoadedTable): ModuleContainerFacts | null {
  if (t.container !== 'module' || !t.elf || !t.elfSection) return null;
  const text = t.elf.sectionByName('.text');
  const relocations = blobRelocations(t.elf, t.elfSection);
  // A sectioned blob's first table is .text's only when its first anchor says so; the init blob's never.
  const first = relocations.find((r) => r.offset >= 8 && r.offset < 16);
  const textTable = t.elfSection.name !== INIT_BLOB && (first === undefined || first.section === '.text');
  const cover = coveredSections('v7');
  return {
    sectionFlags: t.elfSection.flags, addralign: t.elfSection.addralign, textSize: text && textTable ? text.size : null, elfClass: t.elf.class,
    blob: { name: t.elfSection.name, covers: t.elfSection.name === INIT_BLOB ? cover.init : cover.persistent, relocations },
  };
}

/** Every relocation applying to a module's lineinfo section, with what LI-SEC-006 looks at. */
function blobRelocations(elf: ElfFile, section: ElfSection): AnchorRelocation[] {
  const data = section.data();
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le = elf.endian === 'le';
  return relocationsFor(elf, section).map((r) => {
    const info = relocTypeInfo(elf.machine, r.type);
    const width = info?.width ?? 0;
    const home = r.symbol ? elf.symbolSection(r.symbol) : undefined;
    let addend = r.addend ?? 0n;
    if (r.addend === null && r.offset + width <= data.length) {
      addend = width === 8 ? view.getBigUint64(r.offset, le) : width === 4 ? BigInt(view.getUint32(r.offset, le)) : 0n;
    }
    return {
      offset: r.offset, type: relocTypeName(elf.machine, r.type), absolute: info?.kind === 'abs', width,
      section: home ? home.name : null, sectionSize: home ? home.size : null, target: (r.symbol?.value ?? 0n) + addend,
    };
  });
}

export function tableFindings(r: ResolvedTable, facts: ModuleContainerFacts | null): Finding[] {
  const out = [...r.model.findings];
  if (facts && r.layout.container === 'module') out.push(...checkModuleContainer(r.model, facts));
  return out.sort((a, b) => a.offset - b.offset || a.rule.localeCompare(b.rule));
}

/**
 * Validation of one loaded table: the layout's structural reading plus the container rules.
 * Pure: takes bytes and facts, returns diagnostics.
 */
import type { LoadedTable } from '../input/load-input.js';
import type { ResolvedTable } from '../input/resolve-layout.js';
import type { Finding } from '../revisions/layout.js';
import { checkModuleContainer } from './container-rules.js';
import type { ModuleContainerFacts } from './container-rules.js';

/** Container facts of an ELF-embedded module table; null for raw files and vmlinux. */
export function moduleFacts(t: LoadedTable): ModuleContainerFacts | null {
  if (t.container !== 'module' || !t.elf || !t.elfSection) return null;
  const text = t.elf.sectionByName('.text');
  return { sectionFlags: t.elfSection.flags, addralign: t.elfSection.addralign, textSize: text ? text.size : null };
}

export function tableFindings(r: ResolvedTable, facts: ModuleContainerFacts | null): Finding[] {
  const out = [...r.model.findings];
  if (facts && r.layout.container === 'module') out.push(...checkModuleContainer(r.model, facts));
  return out.sort((a, b) => a.offset - b.offset || a.rule.localeCompare(b.rule));
}

/**
 * A module's lineinfo blobs as validate, dump and lookup read them: the other blobs of the
 * module a table came from (`.init.mod_lineinfo`), and the layout a module's blob is held to.
 *
 * Why v7: v5 and v7 blobs have the same bytes; v7 is the revision whose rules a module is held
 * to unless the user names another, and a blob the ELF file shows to be sectioned (anchor
 * relocations, an init blob) is read as one even when its bytes fit no layout.
 */
import { InputError } from '../errors.js';
import { sectionedContainer } from '../lookup/module-lookup.js';
import type { LayoutId } from '../revisions/layout-id.js';
import { layoutById } from '../revisions/registry.js';
import type { LoadedTable } from './load-input.js';
import type { ResolvedTable } from './resolve-layout.js';

/** Another lineinfo section of the module `table` came from (null when absent). */
export function moduleBlob(table: LoadedTable, name: string): LoadedTable | null {
  const elf = table.elf!;
  const section = elf.sectionByName(name);
  if (!section) return null;
  if (section.fileRange === null) throw new InputError(table.file, section.headerOffset, `${name} has no bytes in the file (${section.typeName})`);
  return { file: table.file, container: 'module', bytes: section.data(), fileOffset: section.offset, source: 'elf', sectionName: name, endian: elf.endian, elf, elfSection: section };
}

/** A module's sectioned blob as v7 unless `given` names a layout; anything else as resolved. */
export function moduleLayout(t: LoadedTable, r: ResolvedTable, given: LayoutId | undefined): ResolvedTable {
  if (given || !t.elf || !t.elfSection || t.container !== 'module') return r;
  const sectioned = sectionedContainer(t.elf, t.elfSection);
  if (r.layout.id !== 'v5' && !(sectioned && r.layout.traits.locate !== 'sectioned')) return r;
  const v7 = layoutById('v7');
  // v7 reads v5's bytes exactly as v5 does (traits.sameBytesAs): relabel instead of reading again
  const model = r.layout.id === v7.traits.sameBytesAs ? { ...r.model, layout: v7.id } : v7.read(t.bytes, r.endian);
  return { ...r, layout: v7, model, alsoFits: r.alsoFits.filter((f) => f.layout !== 'v7') };
}

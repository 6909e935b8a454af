/**
 * What `dump` reads from a file: its main table (a raw section, `.mod_lineinfo` or a vmlinux
 * table image) and, for a module with sectioned blobs, `.init.mod_lineinfo` too.
 *
 * Layout choice for modules follows validate and lookup: sectioned blobs are read as v7 unless
 * a layout is given (v5 and v7 have the same bytes; v7 is the one whose rules a module is held
 * to), and a blob the ELF file shows to be sectioned (anchor relocations, an init blob) is read
 * as one even when its bytes fit no layout. The init blob is read with the main blob's layout and
 * byte order.
 */
import { InputError } from '../errors.js';
import type { Endian } from '../format/endian.js';
import { loadTable } from '../input/load-input.js';
import type { LoadedTable } from '../input/load-input.js';
import { resolveLayout } from '../input/resolve-layout.js';
import type { ResolvedTable } from '../input/resolve-layout.js';
import { INIT_BLOB } from '../generator/section-tables.js';
import { sectionedContainer } from '../lookup/module-lookup.js';
import type { LayoutId } from '../revisions/layout-id.js';
import { layoutById } from '../revisions/registry.js';
import type { DumpedBlob } from './section-dump.js';

export interface DumpOptions {
  readonly raw?: boolean;
  readonly layout?: LayoutId;
  readonly endian?: Endian;
}

export function loadDumpedBlobs(file: string, options: DumpOptions): { main: DumpedBlob; init: DumpedBlob | null } {
  const table = loadTable(file, { raw: options.raw === true });
  const given = { ...(options.layout ? { layout: options.layout } : {}), ...(options.endian ? { endian: options.endian } : {}) };
  const resolved = asModuleLayout(table, resolveLayout(table, given), options.layout);
  const main = { table, resolved };
  if (resolved.layout.traits.locate !== 'sectioned' || !table.elf) return { main, init: null };
  const init = initBlob(table);
  if (init === null) return { main, init: null };
  const layout = resolved.layout;
  return { main, init: { table: init, resolved: { layout, endian: resolved.endian, model: layout.read(init.bytes, resolved.endian), detected: resolved.detected, alsoFits: [] } } };
}

/** A module's sectioned blob as v7 (see the file comment); anything else as resolved. */
function asModuleLayout(t: LoadedTable, r: ResolvedTable, given: LayoutId | undefined): ResolvedTable {
  if (given || !t.elf || !t.elfSection || t.container !== 'module') return r;
  const sectioned = sectionedContainer(t.elf, t.elfSection);
  if (r.layout.id !== 'v5' && !(sectioned && r.layout.traits.locate !== 'sectioned')) return r;
  const v7 = layoutById('v7');
  // v7 reads v5's bytes exactly as v5 does (traits.sameBytesAs): relabel instead of reading again
  const model = r.layout.id === v7.traits.sameBytesAs ? { ...r.model, layout: v7.id } : v7.read(t.bytes, r.endian);
  return { ...r, layout: v7, model, alsoFits: r.alsoFits.filter((f) => f.layout !== 'v7') };
}

function initBlob(t: LoadedTable): LoadedTable | null {
  const elf = t.elf!;
  const section = elf.sectionByName(INIT_BLOB);
  if (!section) return null;
  if (section.fileRange === null) throw new InputError(t.file, section.headerOffset, `${INIT_BLOB} has no bytes in the file (${section.typeName})`);
  return { file: t.file, container: 'module', bytes: section.data(), fileOffset: section.offset, source: 'elf', sectionName: INIT_BLOB, endian: elf.endian, elf, elfSection: section };
}

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
import type { Endian } from '../format/endian.js';
import { loadTable } from '../input/load-input.js';
import { resolveLayout } from '../input/resolve-layout.js';
import { INIT_BLOB } from '../generator/section-tables.js';
import { moduleBlob, moduleLayout } from '../input/module-blobs.js';
import type { LayoutId } from '../revisions/layout-id.js';
import type { DumpedBlob } from './section-dump.js';

export interface DumpOptions {
  readonly raw?: boolean;
  readonly layout?: LayoutId;
  readonly endian?: Endian;
}

export function loadDumpedBlobs(file: string, options: DumpOptions): { main: DumpedBlob; init: DumpedBlob | null } {
  const table = loadTable(file, { raw: options.raw === true });
  const given = { ...(options.layout ? { layout: options.layout } : {}), ...(options.endian ? { endian: options.endian } : {}) };
  const resolved = moduleLayout(table, resolveLayout(table, given), options.layout);
  const main = { table, resolved };
  if (resolved.layout.traits.locate !== 'sectioned' || !table.elf) return { main, init: null };
  const init = moduleBlob(table, INIT_BLOB);
  if (init === null) return { main, init: null };
  const layout = resolved.layout;
  return { main, init: { table: init, resolved: { layout, endian: resolved.endian, model: layout.read(init.bytes, resolved.endian), detected: resolved.detected, alsoFits: [] } } };
}

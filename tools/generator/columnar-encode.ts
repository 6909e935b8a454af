/**
 * Encoding a columnar table (the DWARF generator's, ColumnarLineTable) with any layout. The
 * delta-compressed v1 layouts (module v1, vmlinux-v1: the defaults) encode the columns as they
 * are; every other layout is given the table with Entry objects (model/line-table.ts
 * lineTableFromColumns), which costs about 56 bytes per entry more while it encodes.
 * Either way the bytes are those of `layout.encode`.
 */
import type { Endian } from '../format/endian.js';
import { lineTableFromColumns } from '../model/line-table.js';
import type { ColumnarLineTable } from '../model/line-table.js';
import type { Layout } from '../revisions/layout.js';
import type { LayoutId } from '../revisions/layout-id.js';
import { encodeColumnsV1 } from '../revisions/module-v1.js';
import { encodeColumnsVmlinuxV1 } from '../revisions/vmlinux-v1.js';

const COLUMNAR: Partial<Record<LayoutId, (table: ColumnarLineTable, endian: Endian) => Uint8Array>> = {
  v1: encodeColumnsV1,
  'vmlinux-v1': encodeColumnsVmlinuxV1,
};

/** Whether `layout` encodes columns without making Entry objects. */
export function encodesColumns(layout: Layout): boolean {
  return COLUMNAR[layout.id] !== undefined;
}

export function encodeColumnar(layout: Layout, table: ColumnarLineTable, endian: Endian): Uint8Array {
  const direct = COLUMNAR[layout.id];
  return direct !== undefined ? direct(table, endian) : layout.encode(lineTableFromColumns(table), endian);
}

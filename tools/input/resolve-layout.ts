/**
 * Chooses the layout and byte order for a loaded table: as given on the command line, else by
 * structural detection among the container's layouts (all layouts for a raw file).
 */
import type { Endian } from '../format/endian.js';
import { detectLayout } from '../revisions/detect.js';
import type { Layout, SectionModel } from '../revisions/layout.js';
import type { LayoutId } from '../revisions/layout-id.js';
import { LAYOUTS, layoutById } from '../revisions/registry.js';
import { InputError } from '../errors.js';
import type { LoadedTable } from './load-input.js';

export interface ResolvedTable {
  readonly layout: Layout;
  readonly endian: Endian;
  readonly model: SectionModel;
  readonly detected: boolean;
  /** other (layout, byte order) pairs that also fit */
  readonly alsoFits: readonly { layout: LayoutId; endian: Endian }[];
}

export function resolveLayout(t: LoadedTable, options: { layout?: LayoutId; endian?: Endian }): ResolvedTable {
  const endian = options.endian ?? t.endian ?? undefined;
  if (options.layout) {
    const layout = layoutById(options.layout);
    if (t.container && layout.container !== t.container) {
      throw new InputError(t.file, t.fileOffset, `layout ${layout.id} is for ${layout.container} tables, but this file carries a ${t.container} table`);
    }
    if (endian) return { layout, endian, model: layout.read(t.bytes, endian, t.symbols), detected: false, alsoFits: [] };
    const d = detectLayout(t.bytes, layout.container, { layouts: [layout], symbols: t.symbols });
    return { layout, endian: d.best.endian, model: d.best.model, detected: true, alsoFits: d.fitting.filter((c) => c !== d.best).map((c) => ({ layout: c.layout.id, endian: c.endian })) };
  }
  const layouts = t.container ? LAYOUTS.filter((l) => l.container === t.container) : LAYOUTS;
  const d = detectLayout(t.bytes, t.container ?? 'module', { layouts, symbols: t.symbols, ...(endian ? { endian } : {}) });
  return {
    layout: d.best.layout,
    endian: d.best.endian,
    model: d.best.model,
    detected: true,
    alsoFits: d.fitting.filter((c) => c !== d.best).map((c) => ({ layout: c.layout.id, endian: c.endian })),
  };
}

/**
 * `v2`: the module `.mod_lineinfo` section of revision v2 of the series (2026-03-07) — the
 * 24-byte header of v1, the block index and the zigzag delta stream, then `.balign 4` zero
 * padding before the file table (fixing W9). Its kernel lookup drops v1's symbol-start check.
 * See spec/FORMAT.md, "Layout v2" and "Lookup: v2".
 */
import { countsModuleLayout } from './module-v1.js';

export const moduleV2 = countsModuleLayout({
  id: 'v2',
  title: 'module .mod_lineinfo, block-indexed zigzag delta stream, aligned file table (v2)',
  origin: '[PATCH v2 3/4] kallsyms: delta-compress lineinfo tables for ~2.7x size reduction (2026-03-07)',
});

/**
 * `vmlinux-v3`: the vmlinux tables of revisions v3 to v6 (2026-03-11 to 2026-07-06; `vmlinux-v4`,
 * `vmlinux-v5` and `vmlinux-v6` are aliases) — vmlinux-v2's symbols with an SLEB128 delta stream
 * (written with `.uleb128`/`.sleb128`, offsets and the stream size as label differences), looked
 * up by the shared lineinfo_search(): every block's end clamped to lineinfo_data_size, no symbol
 * bound. The kernel's SLEB128 reader shifts a signed int (W21). spec/FORMAT.md,
 * "Layout vmlinux-v3".
 */
import type { Layout } from './layout.js';
import { sizedVmlinuxLayout } from './vmlinux-v2.js';

export const vmlinuxV3: Layout = sizedVmlinuxLayout({
  id: 'vmlinux-v3',
  coding: 'sleb128',
  clamp: true,
  title: 'vmlinux lineinfo_* symbols with sizes, SLEB128 delta stream (v3 to v6)',
  origin: '[PATCH v3 3/4] kallsyms: delta-compress lineinfo tables for ~2.7x size reduction (2026-03-11); unchanged in v4, v5, v6',
  asmNote: 'SLEB128 deltas, label differences; also v4, v5, v6',
});

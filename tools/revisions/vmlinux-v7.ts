/**
 * `vmlinux-v7`: the vmlinux tables of revision v7 (2026-07-09) — the bytes of vmlinux-v3, looked
 * up with the symbol bound back: lineinfo_search() keeps the best entry's offset and answers
 * nothing when it lies below `min_offset` (the enclosing symbol's start minus `_text`), so code
 * without line entries of its own no longer inherits the previous function's line (W18; the
 * bound can reject functions whose first row is missing, W19). Its SLEB128 reader shifts on u32
 * (W21 fixed). spec/FORMAT.md, "Layout vmlinux-v7".
 */
import type { Layout } from './layout.js';
import { sizedVmlinuxLayout } from './vmlinux-v2.js';

export const vmlinuxV7: Layout = sizedVmlinuxLayout({
  id: 'vmlinux-v7',
  coding: 'sleb128',
  clamp: true,
  title: 'vmlinux lineinfo_* symbols with sizes, SLEB128 delta stream, lookup with min_offset (v7)',
  origin: '[PATCH v7] kallsyms: embed source file:line info in kernel stack traces (2026-07-09; code as in intel-lab-lkp ba5496da, inferred)',
  asmNote: 'the bytes of vmlinux-v3; lookup with the symbol-start bound',
});

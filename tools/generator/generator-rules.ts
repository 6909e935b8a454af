/**
 * What the kernel's generator (`scripts/gen_lineinfo`) did differently from revision to revision
 * when it turned DWARF rows into entries (spec/FORMAT.md, "Entries from DWARF"; project notes 3
 * and 6). Layouts name byte formats; these rules belong to the revision that produced a table,
 * which is why `vmlinux-v5` (the bytes of vmlinux-v3) has rules of its own.
 */
import type { LayoutId } from '../revisions/layout-id.js';

export interface GeneratorRules {
  /** the series revision, 1 to 7 */
  readonly revision: number;
  /**
   * How a row's path becomes a name: `v1` (comp_dir prefix, else basename) or `kernel-dirs`
   * (from v2: the kernel top-level directory scan and the bare-name recovery; relative-path.ts).
   */
  readonly paths: 'v1' | 'kernel-dirs';
  /** vmlinux: rows at or past `_etext` are dropped (from v5; no cap when `_etext` is absent) */
  readonly etextCap: boolean;
}

/**
 * The rules of a revision given by name: a layout id or alias (`v4`, `vmlinux-v5`, ...). A name
 * without a revision number gets v1's.
 */
export function generatorRules(name: string | LayoutId | undefined): GeneratorRules {
  const m = /(?:^|-)v(\d+)/.exec(name ?? '');
  const revision = m ? Number(m[1]) : 1;
  return { revision, paths: revision >= 2 ? 'kernel-dirs' : 'v1', etextCap: revision >= 5 };
}

export const V1_RULES: GeneratorRules = generatorRules('v1');

/**
 * Every byte layout lineinfo-kit knows. A "layout" is one revision of the format in one container:
 * the `.mod_lineinfo` section of a module, or the `lineinfo_*` symbol tables of vmlinux. Adding a
 * revision adds ids here and a module under tools/revisions/.
 */
export const LAYOUT_IDS = ['v1-flat', 'v1', 'vmlinux-v1-flat', 'vmlinux-v1'] as const;
export type LayoutId = (typeof LAYOUT_IDS)[number];

export function isLayoutId(value: string): value is LayoutId {
  return (LAYOUT_IDS as readonly string[]).includes(value);
}

/**
 * The registered layouts. Generic code iterates this list; a new revision registers here.
 */
import type { Layout } from './layout.js';
import type { LayoutId } from './layout-id.js';
import { moduleV1Flat } from './module-v1-flat.js';
import { moduleV1 } from './module-v1.js';
import { moduleV2 } from './module-v2.js';
import { moduleV3 } from './module-v3.js';
import { moduleV5, moduleV7 } from './module-v5.js';
import { vmlinuxV1Flat } from './vmlinux-v1-flat.js';
import { vmlinuxV1 } from './vmlinux-v1.js';
import { vmlinuxV2 } from './vmlinux-v2.js';
import { vmlinuxV3 } from './vmlinux-v3.js';
import { vmlinuxV7 } from './vmlinux-v7.js';

export const LAYOUTS: readonly Layout[] = [moduleV1Flat, moduleV1, moduleV2, moduleV3, moduleV5, moduleV7, vmlinuxV1Flat, vmlinuxV1, vmlinuxV2, vmlinuxV3, vmlinuxV7];

export function layoutById(id: LayoutId): Layout {
  const l = LAYOUTS.find((x) => x.id === id);
  if (!l) throw new Error(`layout ${id} is not registered`);
  return l;
}

export function layoutsFor(container: Layout['container']): Layout[] {
  return LAYOUTS.filter((l) => l.container === container);
}

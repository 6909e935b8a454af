/**
 * Finds module files under a tree like /lib/modules/VERSION by module name. The kernel prints
 * names with '_' where the file may have '-', so both spellings map to one key.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** `.ko`, and the compressed forms module-file.ts reads */
const MODULE_FILE = /^(.+)\.ko(?:\.(?:gz|xz|zst))?$/;

export function moduleKey(name: string): string {
  return name.replace(/-/g, '_');
}

/**
 * Walks `root` once (symlinks are not followed, so a loop cannot hang the walk) and maps module
 * names to paths; the first file found for a name wins, in sorted directory order.
 */
export function indexModules(root: string): Map<string, string> {
  const index = new Map<string, string>();
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    let names;
    try {
      names = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    names.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
    for (const d of names) {
      const path = join(dir, d.name);
      if (d.isDirectory()) stack.push(path);
      else if (d.isFile()) {
        const m = MODULE_FILE.exec(d.name);
        if (m && !index.has(moduleKey(m[1]!))) index.set(moduleKey(m[1]!), path);
      }
    }
  }
  return index;
}

/**
 * Expands the paths given to `validate`: files as they are, directories walked recursively for
 * module files (*.ko), in sorted order so reports are reproducible. Symlinks to directories are
 * not followed, so a link loop cannot make the walk endless.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';

const MODULE_FILE = /\.ko$/;

export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new InputError(p, null, 'no such file or directory');
    }
    if (!st.isDirectory()) {
      out.push(p);
      continue;
    }
    const stack = [p];
    const found: string[] = [];
    while (stack.length) {
      const dir = stack.pop()!;
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch (e) {
        throw new InputError(dir, null, `cannot read directory: ${(e as Error).message}`);
      }
      for (const d of entries) {
        const path = join(dir, d.name);
        if (d.isDirectory()) stack.push(path);
        else if ((d.isFile() || d.isSymbolicLink()) && MODULE_FILE.test(d.name)) found.push(path);
      }
    }
    out.push(...found.sort());
  }
  return out;
}

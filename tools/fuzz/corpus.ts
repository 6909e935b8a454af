/**
 * --corpus DIR: existing sections (*.bin) that seed mutations, and where sections with a new
 * behaviour (a combination of broken rules and target outcome not seen before) are saved. A
 * `NAME.json` next to `NAME.bin` may give `layout` and `endian`; otherwise both are detected.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Endian } from '../format/endian.js';
import { isEndian } from '../format/endian.js';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../output/atomic-write.js';
import { detectLayout } from '../revisions/detect.js';
import { isLayoutId } from '../revisions/layout-id.js';
import type { LayoutId } from '../revisions/layout-id.js';
import { layoutById, LAYOUTS } from '../revisions/registry.js';
import type { CorpusEntry } from './case-gen.js';
import { Reference } from './oracle.js';
import type { CorpusFile } from './protocol.js';

const MAX_CORPUS_BYTES = 64 * 1024 * 1024;

/** Reads DIR's *.bin sections (sorted by name, so cases do not depend on directory order). */
export function loadCorpusDir(dir: string, layouts: readonly LayoutId[], endians: readonly Endian[]): CorpusFile[] {
  if (!existsSync(dir)) return [];
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new InputError(dir, null, 'not a directory');
    names = readdirSync(dir).filter((n) => n.endsWith('.bin')).sort();
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(dir, null, `cannot read the corpus directory: ${(e as Error).message}`);
  }
  const out: CorpusFile[] = [];
  let total = 0;
  for (const name of names) {
    const path = join(dir, name);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch (e) {
      throw new InputError(path, null, `cannot read: ${(e as Error).message}`);
    }
    total += bytes.length;
    if (total > MAX_CORPUS_BYTES) break;
    let layout: LayoutId | undefined;
    let endian: Endian | undefined;
    const side = path.replace(/\.bin$/, '.json');
    if (existsSync(side)) {
      try {
        const j = JSON.parse(readFileSync(side, 'utf8')) as { layout?: string; endian?: string };
        if (j.layout && isLayoutId(j.layout)) layout = j.layout;
        if (j.endian && isEndian(j.endian)) endian = j.endian;
      } catch {
        // an unreadable sidecar: detect instead
      }
    }
    if (!layout || !endian) {
      const det = detectLayout(bytes, 'module', { layouts: LAYOUTS.filter((l) => layouts.includes(l.id)), ...(endians.length === 1 ? { endian: endians[0]! } : {}) });
      layout ??= det.best.layout.id;
      endian ??= det.best.endian;
    }
    if (layouts.includes(layout) && endians.includes(endian)) out.push({ name, bytes, layout, endian });
  }
  return out;
}

export function corpusEntries(files: readonly CorpusFile[]): CorpusEntry[] {
  return files.map((f) => {
    const layout = layoutById(f.layout);
    const ref = new Reference(layout, f.endian, f.bytes);
    const model = ref.model;
    const table = ref.valid && model.files.every((x) => x.name !== null)
      ? { files: model.files.map((x) => x.name!), entries: model.entries.map((e) => ({ offset: e.offset, fileId: e.fileId, line: e.line })) }
      : null;
    return { name: f.name, bytes: f.bytes, layout, endian: f.endian, model, table };
  });
}

/** Saves a section with a new behaviour; returns the file name (content-addressed), or null when it is already there. */
export function saveInteresting(dir: string, bytes: Uint8Array, layout: LayoutId, endian: Endian, signature: string): string | null {
  mkdirSync(dir, { recursive: true });
  const hash = createHash('sha1').update(bytes).update(`${layout}/${endian}`).digest('hex').slice(0, 16);
  const name = `fuzz-${hash}.bin`;
  const path = join(dir, name);
  if (existsSync(path)) return null;
  writeFileAtomic(path, bytes);
  writeFileAtomic(path.replace(/\.bin$/, '.json'), JSON.stringify({ layout, endian, signature }, null, 2) + '\n');
  return basename(path);
}

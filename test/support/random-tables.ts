/**
 * Seeded random line tables shaped like real ones: sorted sparse offsets, many files, small line
 * deltas with occasional large jumps. The same seed always gives the same table.
 */
import { normaliseEntries } from '../../tools/model/line-table.js';
import type { Entry, LineTable } from '../../tools/model/line-table.js';

/** The project's seeded generator (tools/random/seeded-random.ts). */
export { seededRandom as rng } from '../../tools/random/seeded-random.js';
import { seededRandom as rng } from '../../tools/random/seeded-random.js';

export function randomTable(seed: number, maxEntries = 2000, maxFiles = 40): LineTable {
  const r = rng(seed);
  const nFiles = 1 + Math.floor(r() * maxFiles);
  const files = Array.from({ length: nFiles }, (_, i) => (r() < 0.1 ? `f${i}.c` : `dir${i % 7}/sub/file_${i}.${r() < 0.3 ? 'h' : 'c'}`));
  const n = Math.floor(r() * maxEntries) + (r() < 0.1 ? 0 : 1);
  const rows: Entry[] = [];
  let offset = Math.floor(r() * 4096);
  let line = 1 + Math.floor(r() * 1000);
  let file = 0;
  for (let i = 0; i < n; i++) {
    offset += r() < 0.02 ? Math.floor(r() * 1_000_000) : 1 + Math.floor(r() * 24);
    if (offset > 0xffff_ffff) break;
    if (r() < 0.1) file = Math.floor(r() * nFiles);
    line = r() < 0.05 ? 1 + Math.floor(r() * 100_000) : Math.max(1, line + Math.floor(r() * 9) - 3);
    rows.push({ offset, fileId: file, line });
  }
  return { files, entries: normaliseEntries(rows) };
}

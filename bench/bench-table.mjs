// Deterministic realistic table for benchmarks: sorted sparse offsets, ~300 files, small line
// deltas with occasional jumps; normalised exactly like the kernel generator.
import { normaliseEntries } from '../dist/tools/model/line-table.js';
import { seededRandom } from '../dist/tools/random/seeded-random.js';

export function benchTable(targetEntries, seed) {
  const r = seededRandom(seed);
  const files = Array.from({ length: 300 }, (_, i) => `drivers/sub${i % 17}/file${i}.c`);
  const rows = [];
  let offset = 0;
  let file = 0;
  let line = 100;
  while (rows.length < targetEntries * 1.5) {
    offset += 1 + Math.floor(r() * 12);
    if (r() < 0.05) file = Math.floor(r() * files.length);
    line = r() < 0.02 ? 1 + Math.floor(r() * 5000) : Math.max(1, line + Math.floor(r() * 7) - 2);
    rows.push({ offset, fileId: file, line });
  }
  const entries = normaliseEntries(rows).slice(0, targetEntries);
  if (entries.length !== targetEntries) throw new Error(`bench table: only ${entries.length} entries`);
  return { files, entries };
}

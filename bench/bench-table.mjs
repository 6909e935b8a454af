// Deterministic realistic table for benchmarks: sorted sparse offsets, ~300 files, small line
// deltas with occasional jumps; normalised exactly like the kernel generator.
import { normaliseEntries } from '../dist/tools/model/line-table.js';

export function benchTable(targetEntries, seed) {
  let a = seed >>> 0;
  const r = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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

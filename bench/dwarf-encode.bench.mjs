// Benchmark (not a test): encode from DWARF. Builds an object with >= 100k line rows (gcc -g),
// then times reading .debug_line (relocations applied) + the generator's rules + encoding, in a
// child process so its peak RSS can be reported. Targets (issue #3): >= 1M rows/s and peak RSS
// < 10x the object's size. When the libdw oracle (test/oracle/libdw_lineinfo.c) and libdw-dev are
// present, the same work through libdw is timed as the C reference.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));

function buildObject(outDir) {
  const src = join(outDir, 'many-lines.c');
  const parts = [];
  for (let f = 0; f < 1600; f++) {
    parts.push(`int fn${f}(int a) {`);
    for (let s = 0; s < 64; s++) parts.push(`  a = a * ${s + 3} + ${f};`);
    parts.push('  return a;', '}');
  }
  writeFileSync(src, parts.join('\n') + '\n');
  const obj = join(outDir, 'many-lines.o');
  execFileSync('gcc', ['-g', '-O0', '-c', src, '-o', obj]);
  return obj;
}

const CHILD = `
import { readFileSync } from 'node:fs';
const { parseElf } = await import(process.argv[2] + '/dist/tools/elf/elf-file.js');
const { tableFromDwarf } = await import(process.argv[2] + '/dist/tools/generator/dwarf-entries.js');
const { moduleV1 } = await import(process.argv[2] + '/dist/tools/revisions/module-v1.js');
const bytes = new Uint8Array(readFileSync(process.argv[3]));
const baseKiB = process.memoryUsage().rss / 1024;
let best = Infinity, rows = 0, entries = 0;
for (let i = 0; i < 5; i++) {
  const t = process.hrtime.bigint();
  const d = tableFromDwarf(parseElf(bytes, process.argv[3]), 'module');
  moduleV1.encode(d.table, 'le');
  best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  rows = d.stats.rows; entries = d.table.entries.length;
}
console.log(JSON.stringify({ ms: best, rows, entries, maxRssKiB: process.resourceUsage().maxRSS, baseKiB }));
`;

export function run({ outDir }) {
  const obj = buildObject(outDir);
  const objectBytes = statSync(obj).size;
  const child = join(outDir, 'dwarf-child.mjs');
  writeFileSync(child, CHILD);
  const r = spawnSync(process.execPath, [child, REPO, obj], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dwarf bench child failed: ${r.stderr}`);
  const m = JSON.parse(r.stdout);
  let cMs = null;
  const oracle = join(REPO, 'test/oracle/libdw_lineinfo.c');
  if (existsSync(oracle)) {
    try {
      const exe = join(outDir, 'libdw_lineinfo');
      execFileSync('gcc', ['-O2', '-o', exe, oracle, '-ldw', '-lelf']);
      const t = process.hrtime.bigint();
      execFileSync(exe, ['module', obj], { stdio: ['ignore', 'ignore', 'ignore'] });
      cMs = Number(process.hrtime.bigint() - t) / 1e6;
    } catch (e) {
      console.error(`dwarf bench: libdw reference unavailable (${e.message.split('\n')[0]})`);
    }
  }
  const rowsPerSec = Math.round(m.rows / (m.ms / 1e3));
  const rssRatio = +((m.maxRssKiB * 1024) / objectBytes).toFixed(1);
  // Node itself needs ~40 MiB before reading anything; the growth above that is what the work costs.
  const growthRatio = +(((m.maxRssKiB - m.baseKiB) * 1024) / objectBytes).toFixed(1);
  return {
    name: 'encode-from-dwarf',
    objectBytes,
    rows: m.rows,
    entries: m.entries,
    ms: +m.ms.toFixed(2),
    rowsPerSec,
    peakRssMiB: +(m.maxRssKiB / 1024).toFixed(1),
    peakRssToObject: rssRatio,
    nodeBaselineMiB: +(m.baseKiB / 1024).toFixed(1),
    rssGrowthToObject: growthRatio,
    libdwReferenceMs: cMs === null ? null : +cMs.toFixed(2),
    ratioToLibdw: cMs ? +(m.ms / cMs).toFixed(2) : null,
    target: { rowsPerSec: 1_000_000, peakRssToObject: 10 },
    met: rowsPerSec >= 1_000_000 && rssRatio < 10,
  };
}

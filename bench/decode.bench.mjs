// Benchmark (not a test): decode every entry of a 100k-entry v1 module section.
// Reports ms and entries/s for the TypeScript structural decoder (all rules checked) and for the
// kernel-faithful lookup of every entry, against a C reference decoder measured in the same run.
// Target (issue #2): full decode < 20 ms in-process.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { moduleV1 } from '../dist/tools/revisions/module-v1.js';
import { benchTable } from './bench-table.mjs';

export function run({ outDir, entries = 100_000 }) {
  const table = benchTable(entries, 1);
  const bytes = moduleV1.encode(table, 'le');
  const section = join(outDir, 'decode-100k.v1.bin');
  writeFileSync(section, bytes);

  const timeIt = (fn, passes) => {
    for (let i = 0; i < 3; i++) fn(); // warm up the JIT
    const samples = [];
    for (let i = 0; i < passes; i++) {
      const t = process.hrtime.bigint();
      fn();
      samples.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    samples.sort((a, b) => a - b);
    return samples[Math.floor(samples.length / 2)];
  };
  let decoded = 0;
  const readMs = timeIt(() => {
    decoded = moduleV1.read(bytes, 'le').entries.length;
  }, 15);
  const queries = table.entries.map((e) => e.offset);
  const lookupMs = timeIt(() => {
    for (const q of queries) moduleV1.lookupKernel(bytes, 'le', { offset: q });
  }, 5);

  let cMs = null;
  try {
    const exe = join(outDir, 'decode_all');
    execFileSync('gcc', ['-O2', '-o', exe, new URL('./c/decode_all.c', import.meta.url).pathname]);
    const [count, ms] = execFileSync(exe, [section, '200']).toString().trim().split(' ');
    if (Number(count) !== decoded) throw new Error(`C decoder saw ${count} entries, TypeScript ${decoded}`);
    cMs = Number(ms);
  } catch (e) {
    console.error(`decode bench: C reference unavailable (${e.message.split('\n')[0]})`);
  }
  return {
    name: 'decode-100k-v1',
    entries: decoded,
    sectionBytes: bytes.length,
    readAllRulesMs: readMs,
    readEntriesPerSec: Math.round(decoded / (readMs / 1e3)),
    lookupEveryEntryMs: lookupMs,
    lookupsPerSec: Math.round(queries.length / (lookupMs / 1e3)),
    cReferenceDecodeMs: cMs,
    ratioReadToC: cMs ? +(readMs / cMs).toFixed(1) : null,
    target: { readAllRulesMs: 20 },
    met: readMs < 20,
  };
}

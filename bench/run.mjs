// Runs every benchmark and prints a table; writes bench/out/results.json.
// Benchmarks measure; they never fail the build on timing (targets are reported as met/missed).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run as decode } from './decode.bench.mjs';
import { run as dwarfEncode } from './dwarf-encode.bench.mjs';
import { run as validate } from './validate.bench.mjs';

const outDir = fileURLToPath(new URL('./out/', import.meta.url));
mkdirSync(outDir, { recursive: true });
const results = [decode({ outDir }), dwarfEncode({ outDir }), await (await import('./conformance.bench.mjs')).run({ outDir }), validate({ outDir })];
results.push(await (await import('./fuzz.bench.mjs')).run({ outDir }));
writeFileSync(new URL('./out/results.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
for (const r of results) {
  console.log(`\n${r.name}`);
  for (const [k, v] of Object.entries(r)) if (k !== 'name') console.log(`  ${k.padEnd(22)} ${typeof v === 'object' ? JSON.stringify(v) : v}`);
}

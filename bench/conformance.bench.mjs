// Benchmark (not a test): cases per second through the external C harness
// (conformance/harness/c/harness.c) with conformance/decoders/careful.c, plain build, guard pages
// on. One case = one section with its queries = one request frame and one response frame; queries
// of different sections are never batched into a frame. Reported two ways: one case at a time
// (each run() awaited before the next, as a simple runner does) and pipelined (32 cases in flight
// through the driver's window, still one frame per case). Target (issue): >= 20,000 cases/s, judged
// on the one-at-a-time figure.
import { createDriver } from '../dist/conformance/external/index.js';
import { referenceDecoder } from '../dist/conformance/reference-decoders.js';
import { LAYOUTS } from '../dist/tools/revisions/registry.js';
import { normaliseEntries } from '../dist/tools/model/line-table.js';
import { seededRandom as rng } from '../dist/tools/random/seeded-random.js';

/** A module-sized table: `entries` sorted rows over `files` files. */
function table(random, entries, files) {
  const names = Array.from({ length: files }, (_, i) => `drivers/bench/sub${i % 5}/file_${i}.c`);
  const rows = [];
  let offset = Math.floor(random() * 256);
  let line = 1 + Math.floor(random() * 500);
  let file = 0;
  for (let i = 0; i < entries; i++) {
    offset += 1 + Math.floor(random() * 24);
    if (random() < 0.1) file = Math.floor(random() * files);
    line = Math.max(1, line + Math.floor(random() * 9) - 3);
    rows.push({ offset, fileId: file, line });
  }
  return { files: names, entries: normaliseEntries(rows) };
}

/** The case pool: every layout and byte order, 50..400 entries, 8 queries per section. */
export function benchCases(count = 2000, seed = 1) {
  const random = rng(seed);
  const cases = [];
  for (let i = 0; i < count; i++) {
    const layout = LAYOUTS[i % LAYOUTS.length];
    const endian = (i >> 2) % 2 ? 'be' : 'le';
    const t = table(random, 50 + Math.floor(random() * 350), 4 + Math.floor(random() * 20));
    const queries = Array.from({ length: 8 }, () => {
      const e = t.entries[Math.floor(random() * t.entries.length)];
      return random() < 0.25 ? { offset: e.offset + 1, symbolStart: e.offset } : { offset: e.offset + Math.floor(random() * 3) };
    });
    cases.push({ section: layout.encode(t, endian), endian, layout: layout.id, queries });
  }
  return cases;
}

export async function run({ outDir: _outDir, seconds = 3 } = {}) {
  const cases = benchCases();
  const driver = await createDriver({ kind: 'c', source: 'conformance/decoders/careful.c', sanitize: false });
  try {
    // sanity: the harness answers like the reference on the pool
    for (const c of cases.slice(0, 200)) {
      const o = await driver.run(c);
      const want = referenceDecoder.decode(c.section, c.endian, c.layout, c.queries);
      if (o.kind !== 'answers' || JSON.stringify(o.answers) !== JSON.stringify(want)) throw new Error(`careful.c disagrees with the reference: ${JSON.stringify(o).slice(0, 200)}`);
    }
    const sequential = async (ms) => {
      let n = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < ms) {
        for (let k = 0; k < 100; k++) {
          const o = await driver.run(cases[n++ % cases.length]);
          if (o.kind !== 'answers') throw new Error(`unexpected outcome ${o.kind}`);
        }
      }
      return { cases: n, ms: performance.now() - t0 };
    };
    const pipelined = async (ms, inFlight = 32) => {
      let n = 0;
      const t0 = performance.now();
      const worker = async () => {
        while (performance.now() - t0 < ms) {
          const o = await driver.run(cases[n++ % cases.length]);
          if (o.kind !== 'answers') throw new Error(`unexpected outcome ${o.kind}`);
        }
      };
      await Promise.all(Array.from({ length: inFlight }, worker));
      return { cases: n, ms: performance.now() - t0 };
    };
    await sequential(300); // warm up JIT and the harness's arenas
    await pipelined(300);
    // median of several short windows, alternating the modes, so a burst of load elsewhere on
    // the machine does not decide the result
    const windows = 7;
    const seqRuns = [];
    const pipeRuns = [];
    for (let w = 0; w < windows; w++) {
      seqRuns.push(await sequential((seconds * 1000) / windows));
      pipeRuns.push(await pipelined((seconds * 1000) / windows));
    }
    const median = (runs) => runs.slice().sort((a, b) => a.cases / a.ms - b.cases / b.ms)[Math.floor(runs.length / 2)];
    const seq = median(seqRuns);
    const pipe = median(pipeRuns);
    const rate = (r) => Math.round(r.cases / (r.ms / 1e3));
    const queries = cases.reduce((a, c) => a + c.queries.length, 0) / cases.length;
    const bytes = Math.round(cases.reduce((a, c) => a + c.section.length, 0) / cases.length);
    return {
      name: 'conformance-external-c',
      decoder: driver.name,
      meanSectionBytes: bytes,
      queriesPerCase: queries,
      sequentialCasesPerSec: rate(seq),
      pipelinedCasesPerSec: rate(pipe),
      sequentialUsPerCase: +((seq.ms * 1e3) / seq.cases).toFixed(1),
      windows: `median of ${windows} windows per mode, ${seconds} s in all per mode`,
      target: { casesPerSec: 20_000 },
      met: rate(seq) >= 20_000,
    };
  } finally {
    await driver.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await run({}));
}

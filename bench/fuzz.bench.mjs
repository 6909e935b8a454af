// Benchmark (not a test): fuzz cases per second per core.
//  1. in-process, one thread, steady state (table caches warm: 150k cases per 8 (layout, byte order)
//     pairs first), 1M cases: the TypeScript reference decoder
//     (builtin:reference) as the target, every case generated, mutated, decoded on a guarded view
//     and judged, exactly as a fuzz worker does (engine.examineSync); with the share of case
//     generation+mutation and of target+oracle (builtin:reference is the oracle itself: its
//     structural read is done once per case). Measured for the four v1 layouts (the case mix of
//     issue 5) and for every registered layout;
//  2. the same for a third-party in-process decoder (test/fixtures/fuzz/careful.mjs), where the
//     oracle has to read every mutated section itself;
//  3. the whole fuzzer (worker threads on every core) against builtin:reference, 1M cases from cold
//     caches (as a user's run starts);
//  4. an external C testee (conformance/decoders/careful.c through conformance/external), when
//     both exist.
// Rates are per CPU second of this process (other load on the machine inflates wall time). The
// single-thread figures are measured in a worker thread with a fuzz worker's heap settings
// (protocol.ts: startWorker's resourceLimits), since that is where cases run in a fuzz run.
// Targets: >= 100k cases/s per core in-process, >= 20k cases/s against the C testee.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { CaseFactory } from '../dist/tools/fuzz/case-gen.js';
import { examineSync } from '../dist/tools/fuzz/engine.js';
import { runFuzz } from '../dist/tools/fuzz/fuzz.js';
import { fuzzWorkerLimits } from '../dist/tools/fuzz/protocol.js';
import { loadTarget, parseTarget } from '../dist/tools/fuzz/targets.js';
import { LAYOUTS } from '../dist/tools/revisions/registry.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const V1 = ['v1-flat', 'v1', 'vmlinux-v1-flat', 'vmlinux-v1'];

function cpuSeconds(since) {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

/** cases that fill the table caches of the v1 mix's 8 (layout, byte order) pairs; more pairs take proportionally more */
const WARM_PER_8_PAIRS = 150_000;

async function singleThread(spec, layoutIds, cases) {
  const target = await loadTarget(parseTarget(spec, root));
  const layouts = LAYOUTS.filter((l) => (layoutIds === null || layoutIds.includes(l.id)) && target.layouts.includes(l.id));
  const factory = new CaseFactory({ seed: 1, layouts, endians: ['le', 'be'] });
  let i = 0;
  const warm = Math.round((WARM_PER_8_PAIRS * layouts.length * 2) / 8);
  for (; i < warm; i++) examineSync(target, factory.make(i).case); // warm the table caches and the JIT
  let make = 0;
  let examine = 0;
  let n = 0;
  let findings = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  // batches of 1000: made, then examined, so the clock is read twice per batch, not per case
  const batch = new Array(1000);
  while (n < cases) {
    const a = performance.now();
    for (let k = 0; k < batch.length; k++) batch[k] = factory.make(i++).case;
    const b = performance.now();
    for (let k = 0; k < batch.length; k++) if (examineSync(target, batch[k]).verdict) findings++;
    examine += performance.now() - b;
    make += b - a;
    n += batch.length;
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(c0);
  const total = make + examine;
  return {
    layouts: layoutIds === null ? 'all' : layoutIds.join(','),
    cases: n,
    findings,
    perSecWall: Math.round(n / wall),
    perCpuSecond: Math.round(n / cpu),
    usPerCase: +((total * 1000) / n).toFixed(1),
    share: {
      generateAndMutate: `${((make / total) * 100).toFixed(0)}%`,
      targetAndOracle: `${((examine / total) * 100).toFixed(0)}%`,
    },
  };
}

/** singleThread() in a worker thread with a fuzz worker's resource limits */
function singleThreadInWorker(spec, layoutIds, cases) {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { singleThread: [spec, layoutIds, cases] }, resourceLimits: fuzzWorkerLimits(2048) });
    w.once('message', resolve);
    w.once('error', reject);
    w.once('exit', (code) => reject(new Error(`benchmark worker exited with ${code}`)));
  });
}

async function whole(target, runs) {
  const r = await runFuzz({ target, seed: 1, runs, timeMs: null, minimize: false, outDir: null, cwd: root });
  return { jobs: r.jobs, cases: r.cases, perSec: Math.round(r.casesPerSec), perJob: Math.round(r.casesPerSec / r.jobs), findings: r.findings.length, seconds: +(r.elapsedMs / 1000).toFixed(1) };
}

export async function run({ outDir: _outDir, cases = 1_000_000 } = {}) {
  const inProcess = await singleThreadInWorker('builtin:reference', V1, cases);
  const inProcessAllLayouts = await singleThreadInWorker('builtin:reference', null, cases);
  const thirdParty = await singleThreadInWorker(`module:${root}test/fixtures/fuzz/careful.mjs`, V1, cases / 2);
  const allCores = await whole('builtin:reference', 1_000_000);
  let external = 'not available';
  const careful = `${root}conformance/decoders/careful.c`;
  const ext = existsSync(`${root}dist/conformance/external/index.js`) || existsSync(`${root}conformance/external/index.js`);
  if (existsSync(careful) && ext) {
    try {
      external = await whole(`c:${careful}`, 100_000);
    } catch (e) {
      external = `not available (${e.message.split('\n')[0]})`;
    }
  }
  const perCore = inProcess.perCpuSecond;
  return {
    name: 'fuzz-cases-per-second',
    cores: availableParallelism(),
    inProcessReference: inProcess,
    inProcessReferenceAllLayouts: inProcessAllLayouts,
    inProcessThirdParty: thirdParty,
    allCoresReference: allCores,
    externalC: external,
    target: { inProcessPerCore: 100_000, externalC: 20_000 },
    met: {
      inProcessPerCore: perCore >= 100_000,
      inProcessPerCoreAllLayouts: inProcessAllLayouts.perCpuSecond >= 100_000,
      externalC: typeof external === 'object' ? external.perSec >= 20_000 : null,
    },
  };
}

if (!isMainThread && workerData?.singleThread) {
  parentPort.postMessage(await singleThread(...workerData.singleThread));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run({}), null, 2));
}

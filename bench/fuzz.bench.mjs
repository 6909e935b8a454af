// Benchmark (not a test): fuzz cases per second per core.
//  1. in-process, one thread: the TypeScript reference decoder (builtin:reference) as the target,
//     every case generated, mutated, decoded on a guarded view and judged against the reference;
//     with where the time goes (generation+mutation, the target, the oracle);
//  2. the whole fuzzer (worker threads on every core) against the same target;
//  3. an external C testee (conformance/decoders/careful.c through conformance/external), when
//     both exist.
// Targets: >= 100k cases/s per core in-process, >= 20k cases/s against the C testee.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CaseFactory } from '../dist/tools/fuzz/case-gen.js';
import { judge, Reference } from '../dist/tools/fuzz/oracle.js';
import { runFuzz } from '../dist/tools/fuzz/fuzz.js';
import { loadTarget, parseTarget } from '../dist/tools/fuzz/targets.js';
import { LAYOUTS } from '../dist/tools/revisions/registry.js';

const root = fileURLToPath(new URL('../', import.meta.url));

function cpuSeconds(since) {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

async function singleThread(seconds) {
  const target = await loadTarget(parseTarget('builtin:reference'));
  const factory = new CaseFactory({ seed: 1, layouts: LAYOUTS, endians: ['le', 'be'] });
  let i = 0;
  for (; i < 20_000; i++) factory.make(i); // warm the table cache and the JIT
  let make = 0;
  let run = 0;
  let oracle = 0;
  let n = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    for (let k = 0; k < 1000; k++, i++, n++) {
      const a = performance.now();
      const c = factory.make(i).case;
      const b = performance.now();
      const outcome = target.runSync({ section: c.bytes, endian: c.endian, layout: c.layout.id, queries: c.queries });
      const d = performance.now();
      judge(c.bytes, c.queries, outcome, new Reference(c.layout, c.endian, c.bytes, c.model ?? undefined));
      oracle += performance.now() - d;
      run += d - b;
      make += b - a;
    }
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(c0);
  const total = make + run + oracle;
  return {
    cases: n,
    perSecWall: Math.round(n / wall),
    perCpuSecond: Math.round(n / cpu),
    usPerCase: +((total * 1000) / n).toFixed(1),
    share: {
      generateAndMutate: `${((make / total) * 100).toFixed(0)}%`,
      targetDecode: `${((run / total) * 100).toFixed(0)}%`,
      oracle: `${((oracle / total) * 100).toFixed(0)}%`,
    },
  };
}

async function whole(target, runs) {
  const r = await runFuzz({ target, seed: 1, runs, timeMs: null, minimize: false, outDir: null, cwd: root });
  return { jobs: r.jobs, cases: r.cases, perSec: Math.round(r.casesPerSec), perJob: Math.round(r.casesPerSec / r.jobs), findings: r.findings.length, seconds: +(r.elapsedMs / 1000).toFixed(1) };
}

export async function run({ outDir: _outDir, seconds = 5 } = {}) {
  const inProcess = await singleThread(seconds);
  const allCores = await whole('builtin:reference', 200_000);
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
    allCoresReference: allCores,
    externalC: external,
    target: { inProcessPerCore: 100_000, externalC: 20_000 },
    met: {
      inProcessPerCore: perCore >= 100_000,
      externalC: typeof external === 'object' ? external.perSec >= 20_000 : null,
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run({}), null, 2));
}

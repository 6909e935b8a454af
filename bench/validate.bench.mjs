// Benchmark (not a test): the validator.
//  (a) in-process validation of a 100k-entry v1 module section with every rule (the layout's
//      structural read plus tableFindings with the ELF container facts, so LI-ELF-* run too),
//      median ms, against the C reference decode of the same section (bench/c/decode_all.c).
//      Also: with detection (as `validate` runs on a module) and with the LI-DWF-001 comparison.
//      Target: < 50 ms.
//  (b) 1,000 small modules (examples/hello.ko with different tables embedded) validated end to end
//      by the CLI: `lineinfo validate DIR`, wall time. Target: < 10 s.
//  (c) peak RSS of `lineinfo validate --raw` on sections whose headers claim 2^32-1 entries, blocks
//      or files, under /usr/bin/time -v (or VmHWM read at exit). Target: < 256 MB.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { embedSection } from '../dist/tools/elf/elf-embed.js';
import { normaliseEntries } from '../dist/tools/model/line-table.js';
import { detectLayout } from '../dist/tools/revisions/detect.js';
import { moduleV1 } from '../dist/tools/revisions/module-v1.js';
import { moduleV1Flat } from '../dist/tools/revisions/module-v1-flat.js';
import { vmlinuxV1 } from '../dist/tools/revisions/vmlinux-v1.js';
import { vmlinuxV1Flat } from '../dist/tools/revisions/vmlinux-v1-flat.js';
import { checkAgainstDwarf } from '../dist/tools/validate/dwarf-crosscheck.js';
import { tableFindings } from '../dist/tools/validate/validate-table.js';
import { benchTable } from './bench-table.mjs';
import { seededRandom as rng } from '../dist/tools/random/seeded-random.js';

const BIN = fileURLToPath(new URL('../dist/tools/cli/bin.js', import.meta.url));
const HELLO_KO = fileURLToPath(new URL('../examples/hello.ko', import.meta.url));
const TARGET = { inProcessMs: 50, modules1000Seconds: 10, peakRssMB: 256 };

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeIt(fn, passes) {
  for (let i = 0; i < 3; i++) fn(); // warm up the JIT
  const samples = [];
  for (let i = 0; i < passes; i++) {
    const t = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(samples);
}

/** A small module-sized table: 10..400 entries over 1..20 files. */
function smallTable(seed) {
  const r = rng(seed);
  const nFiles = 1 + Math.floor(r() * 20);
  const files = Array.from({ length: nFiles }, (_, i) => `drivers/m${seed % 97}/f${i}.${r() < 0.3 ? 'h' : 'c'}`);
  const rows = [];
  let offset = Math.floor(r() * 32);
  let line = 1 + Math.floor(r() * 500);
  let file = 0;
  const n = 10 + Math.floor(r() * 390);
  for (let i = 0; i < n; i++) {
    offset += 1 + Math.floor(r() * 12);
    if (r() < 0.1) file = Math.floor(r() * nFiles);
    line = Math.max(1, line + Math.floor(r() * 7) - 2);
    rows.push({ offset, fileId: file, line });
  }
  return { files, entries: normaliseEntries(rows) };
}

// ---------------------------------------------------------------------------------------------
// (a) in-process

function inProcess(outDir) {
  const table = benchTable(100_000, 1);
  const bytes = moduleV1.encode(table, 'le');
  const section = join(outDir, 'validate-100k.v1.bin');
  writeFileSync(section, bytes);
  const last = table.entries[table.entries.length - 1].offset;
  // what validate gets from a module's ELF: SHF_ALLOC, 4-byte alignment, .text just past the last entry
  const facts = { sectionFlags: 0x2n, addralign: 4n, textSize: last + 16 };
  const resolved = (layout, endian, model) => ({ layout, endian, model, detected: false, alsoFits: [] });

  let findings = [];
  let entries = 0;
  const validateMs = timeIt(() => {
    const model = moduleV1.read(bytes, 'le');
    entries = model.entries.length;
    findings = tableFindings(resolved(moduleV1, 'le', model), facts);
  }, 15);
  const detectedMs = timeIt(() => {
    const d = detectLayout(bytes, 'module', { endian: 'le' });
    tableFindings(resolved(d.best.layout, d.best.endian, d.best.model), facts);
  }, 9);
  const withDwarfCompareMs = timeIt(() => {
    const model = moduleV1.read(bytes, 'le');
    tableFindings(resolved(moduleV1, 'le', model), facts).push(...checkAgainstDwarf(model, table));
  }, 9);

  let cMs = null;
  try {
    const exe = join(outDir, 'decode_all_validate');
    execFileSync('gcc', ['-O2', '-o', exe, fileURLToPath(new URL('./c/decode_all.c', import.meta.url))]);
    const [count, ms] = execFileSync(exe, [section, '200']).toString().trim().split(' ');
    if (Number(count) !== entries) throw new Error(`C decoder saw ${count} entries, TypeScript ${entries}`);
    cMs = Number(ms);
  } catch (e) {
    console.error(`validate bench: C reference unavailable (${e.message.split('\n')[0]})`);
  }
  return {
    entries,
    sectionBytes: bytes.length,
    findings: findings.map((f) => f.rule),
    validateMs: +validateMs.toFixed(3),
    validateEntriesPerSec: Math.round(entries / (validateMs / 1e3)),
    detectedValidateMs: +detectedMs.toFixed(3),
    withDwarfCompareMs: +withDwarfCompareMs.toFixed(3),
    cReferenceDecodeMs: cMs,
    ratioValidateToC: cMs ? +(validateMs / cMs).toFixed(1) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// (b) 1,000 modules through the CLI

function modules1000(outDir) {
  const dir = join(outDir, 'validate-1000-modules');
  rmSync(dir, { recursive: true, force: true });
  const ko = new Uint8Array(readFileSync(HELLO_KO));
  let bytesTotal = 0;
  for (let i = 0; i < 1000; i++) {
    const layout = i % 3 === 0 ? moduleV1Flat : moduleV1;
    const data = layout.encode(smallTable(1000 + i), 'le');
    const out = embedSection(ko, 'hello.ko', { name: '.mod_lineinfo', data, flags: 0x2n, addralign: 4, replace: true });
    const sub = join(dir, `drivers${i % 25}`, i % 2 ? 'net' : 'misc');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `mod${i}.ko`), out);
    bytesTotal += out.length;
  }
  const runs = [];
  let exit = null;
  let json = null;
  for (let k = 0; k < 3; k++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [BIN, 'validate', dir], { maxBuffer: 512 * 1024 * 1024 });
    runs.push(Number(process.hrtime.bigint() - t) / 1e9);
    exit = r.status;
    if (r.status !== 0 && r.status !== 1) throw new Error(`validate DIR exited ${r.status}: ${r.stderr.toString().split('\n')[0]}`);
  }
  const tj = process.hrtime.bigint();
  const rj = spawnSync(process.execPath, [BIN, 'validate', '--json', dir], { maxBuffer: 512 * 1024 * 1024 });
  const jsonSeconds = Number(process.hrtime.bigint() - tj) / 1e9;
  json = JSON.parse(rj.stdout.toString());
  rmSync(dir, { recursive: true, force: true });
  const { byRule: _byRule, ...summary } = json.summary;
  return {
    modules: 1000,
    totalBytes: bytesTotal,
    textSeconds: +median(runs).toFixed(3),
    textRunsSeconds: runs.map((x) => +x.toFixed(3)),
    jsonSeconds: +jsonSeconds.toFixed(3),
    exitStatus: exit,
    summary,
  };
}

// ---------------------------------------------------------------------------------------------
// (c) peak RSS on headers claiming 2^32-1 of something

function patch(layout, endian, fields) {
  const bytes = Uint8Array.from(layout.encode(smallTable(7), endian));
  const model = layout.read(bytes, endian);
  const view = new DataView(bytes.buffer);
  for (const [name, value] of Object.entries(fields)) {
    const f = model.header.find((h) => h.name === name || h.name === `lineinfo_${name}`);
    if (!f) throw new Error(`${layout.id} has no header field ${name}`);
    view.setUint32(f.offset, value, endian === 'le');
  }
  return bytes;
}

/** How to measure a child's peak RSS here: GNU time, else VmHWM printed by a preloaded module. */
function rssProbe(outDir) {
  const t = spawnSync('/usr/bin/time', ['-v', 'true'], { encoding: 'utf8' });
  if (!t.error && t.status === 0 && /Maximum resident set size/.test(t.stderr)) {
    return {
      how: '/usr/bin/time -v',
      run(args) {
        const r = spawnSync('/usr/bin/time', ['-v', process.execPath, BIN, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
        const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
        return { status: r.status, kb: m ? Number(m[1]) : null };
      },
    };
  }
  const wrapper = join(outDir, 'vmhwm.mjs');
  writeFileSync(
    wrapper,
    "import { readFileSync } from 'node:fs';\nprocess.on('exit', () => { const m = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8')); process.stderr.write(`VmHWM ${m ? m[1] : '?'}\\n`); });\n",
  );
  return {
    how: 'VmHWM at exit (/proc/self/status)',
    run(args) {
      const r = spawnSync(process.execPath, ['--import', pathToFileURL(wrapper).href, BIN, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const m = /VmHWM (\d+)/.exec(r.stderr);
      return { status: r.status, kb: m ? Number(m[1]) : null };
    },
  };
}

function peakRss(outDir) {
  const probe = rssProbe(outDir);
  const MAX = 0xffff_ffff;
  const cases = [
    ['baseline: a valid v1 section', moduleV1.encode(smallTable(7), 'le')],
    ['v1-flat, num_entries = 2^32-1', patch(moduleV1Flat, 'le', { num_entries: MAX })],
    ['v1, num_blocks = 2^32-1', patch(moduleV1, 'le', { num_blocks: MAX })],
    ['v1, num_entries = 2^32-1 in 2^26 blocks', patch(moduleV1, 'le', { num_entries: MAX, num_blocks: 0x400_0000 })],
    ['v1-flat, num_files = 2^32-1', patch(moduleV1Flat, 'le', { num_files: MAX })],
    ['v1, num_files = 2^32-1', patch(moduleV1, 'be', { num_files: MAX })],
    ['vmlinux-v1-flat, entries and files = 2^32-1', patch(vmlinuxV1Flat, 'le', { num_entries: MAX, num_files: MAX })],
    ['vmlinux-v1, num_blocks = 2^32-1', patch(vmlinuxV1, 'be', { num_blocks: MAX })],
  ];
  const rows = cases.map(([label, bytes], i) => {
    const file = join(outDir, `validate-huge-${i}.bin`);
    writeFileSync(file, bytes);
    const r = probe.run(['validate', '--raw', file]);
    if (r.status !== 0 && r.status !== 1) throw new Error(`validate --raw ${label} exited ${r.status}`);
    return { section: label, exitStatus: r.status, maxRssMB: r.kb === null ? null : +(r.kb / 1024).toFixed(1) };
  });
  return { how: probe.how, rows };
}

export function run({ outDir }) {
  mkdirSync(outDir, { recursive: true });
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: npm run build first`);
  const a = inProcess(outDir);
  const b = modules1000(outDir);
  const c = peakRss(outDir);
  const worstRss = Math.max(...c.rows.map((r) => r.maxRssMB ?? Infinity));
  const met = {
    inProcessMs: a.validateMs < TARGET.inProcessMs,
    modules1000Seconds: b.textSeconds < TARGET.modules1000Seconds,
    peakRssMB: worstRss < TARGET.peakRssMB,
  };
  const verdict = (ok) => (ok ? 'met' : 'MISSED');
  console.log(`validate: in-process 100k-entry v1, every rule: ${a.validateMs} ms (target < ${TARGET.inProcessMs} ms: ${verdict(met.inProcessMs)}); C reference decode ${a.cReferenceDecodeMs ?? '-'} ms, ratio ${a.ratioValidateToC ?? '-'}x`);
  console.log(`validate: 1,000 modules via the CLI: ${b.textSeconds} s (target < ${TARGET.modules1000Seconds} s: ${verdict(met.modules1000Seconds)})`);
  console.log(`validate: peak RSS, headers claiming 2^32-1 entries/blocks/files: worst ${worstRss} MB by ${c.how} (target < ${TARGET.peakRssMB} MB: ${verdict(met.peakRssMB)})`);
  return {
    name: 'validate',
    inProcess100kV1: a,
    modules1000: b,
    peakRss: { ...c, worstMB: worstRss },
    target: TARGET,
    met,
  };
}

// `node bench/validate.bench.mjs` runs it alone.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outDir = fileURLToPath(new URL('./out/', import.meta.url));
  const r = run({ outDir });
  console.log(JSON.stringify(r, null, 2));
}

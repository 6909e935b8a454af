#!/usr/bin/env node
// Soak (not part of `npm test`): random cases through conformance/decoders/careful.c in the C
// harness, by default the AddressSanitizer + UBSan build with guard pages, 10^6 cases. Half are
// valid sections (every layout and byte order; answers must equal the strict reference), half are
// malformed (byte flips, cuts, wild header fields, spliced runs, and every rule breaker's output;
// answers must be none or a name NUL-terminated inside the section, and nothing may fault).
//
//   npm run build && node conformance/soak.mjs [--cases N] [--plain] [--seed S] [--decoder c:FILE.c[,asan]]
//
// Prints progress, then "soak: N cases (V valid, M malformed) in T s, R cases/s, 0 failures";
// exits 1 on any failure, listing the first ones (with the section in hex when it is small).
import { createDriver } from '../dist/conformance/external/index.js';
import { parseDecoderSpec } from '../dist/conformance/driver.js';
import { strictLookup } from '../dist/tools/lookup/strict-lookup.js';
import { normaliseEntries } from '../dist/tools/model/line-table.js';
import { RULE_BREAKERS } from '../dist/tools/mutate/rule-breakers.js';
import { LAYOUTS, layoutById } from '../dist/tools/revisions/registry.js';
import { seededRandom as rng } from '../dist/tools/random/seeded-random.js';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const TOTAL = Number(opt('--cases', 1_000_000));
const SEED = Number(opt('--seed', 1));
const SPEC = opt('--decoder', `c:conformance/decoders/careful.c${args.includes('--plain') ? '' : ',asan'}`);
const IN_FLIGHT = 32;

const random = rng(SEED);
const pick = (xs) => xs[Math.floor(random() * xs.length)];

/** Tables shaped like real ones, 0..maxEntries entries (often across block boundaries). */
function randomTable(maxEntries, maxFiles) {
  const nFiles = 1 + Math.floor(random() * maxFiles);
  const files = Array.from({ length: nFiles }, (_, i) => (random() < 0.1 ? `f${i}.c` : `dir${i % 7}/sub/file_${i}.${random() < 0.3 ? 'h' : 'c'}`));
  const n = Math.floor(random() * maxEntries) + (random() < 0.05 ? 0 : 1);
  const rows = [];
  let offset = Math.floor(random() * 4096);
  let line = 1 + Math.floor(random() * 1000);
  let file = 0;
  for (let i = 0; i < n; i++) {
    offset += random() < 0.02 ? Math.floor(random() * 1_000_000) : 1 + Math.floor(random() * 24);
    if (offset > 0xffff_ffff) break;
    if (random() < 0.1) file = Math.floor(random() * nFiles);
    line = random() < 0.05 ? 1 + Math.floor(random() * 100_000) : Math.max(1, line + Math.floor(random() * 9) - 3);
    rows.push({ offset, fileId: file, line });
  }
  return { files, entries: normaliseEntries(rows) };
}

function queriesFor(entries, count) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const r = random();
    if (r < 0.05 || !entries.length) {
      out.push({ offset: Math.floor(random() * 2 ** 32) });
      continue;
    }
    const e = pick(entries).offset;
    const offset = Math.min(0xffff_ffff, Math.max(0, e + Math.floor(random() * 9) - 3));
    if (r < 0.7) out.push({ offset });
    else out.push({ offset, symbolStart: Math.max(0, e - Math.floor(random() * 3) + (r < 0.85 ? 0 : 2)) });
  }
  return out;
}

function mutate(bytes) {
  const b = Uint8Array.from(bytes);
  const r = random();
  if (r < 0.35) {
    const flips = 1 + Math.floor(random() * 4);
    for (let i = 0; i < flips && b.length; i++) b[Math.floor(random() * b.length)] ^= 1 << Math.floor(random() * 8);
    return b;
  }
  if (r < 0.5) return b.subarray(0, Math.floor(random() * b.length));
  if (r < 0.85) {
    const at = 4 * Math.floor(random() * Math.min(24, Math.floor(b.length / 4)));
    const wild = [0, 1, 64, 0xffff_ffff, 0xffff_fff0, 0x8000_0000, 0x4000_0000, 0x3fff_ffff, b.length, b.length + 1, b.length - 1, Math.floor(random() * 2 ** 32)];
    if (at + 4 <= b.length) new DataView(b.buffer).setUint32(at, pick(wild), random() < 0.5);
    return b;
  }
  const from = Math.floor(random() * b.length);
  const len = 1 + Math.floor(random() * 32);
  b.copyWithin(Math.floor(random() * b.length), from, from + len);
  return b;
}

// ---- pools ----
const t0 = performance.now();
const bases = [];
for (let i = 0; i < 4000; i++) {
  const layout = LAYOUTS[i % LAYOUTS.length];
  const endian = (i >> 2) % 2 ? 'be' : 'le';
  const table = randomTable(i % 10 === 0 ? 1500 : 150, 30);
  const section = layout.encode(table, endian);
  bases.push({ layout: layout.id, endian, table, section, model: layout.read(section, endian) });
}
const broken = [];
for (const breaker of RULE_BREAKERS) {
  if (breaker.rule === 'LI-HDR-005') continue; // 65536 files: ~1 MB sections; covered by the tests
  for (const id of breaker.layouts) {
    for (let k = 0; k < 6; k++) {
      const base = bases.find((b, j) => j >= k * 40 && b.layout === id && b.table.entries.length >= 3 && new Set(b.table.entries.map((e) => e.fileId)).size >= 2);
      if (!base) continue;
      const made = breaker.make({ layout: layoutById(id), endian: base.endian, table: base.table, random });
      if (made) broken.push({ layout: id, endian: base.endian, entries: base.table.entries, section: made.bytes });
    }
  }
}
console.log(`soak: ${SPEC}, ${TOTAL} cases; pools: ${bases.length} valid sections, ${broken.length} rule-breaker sections (${((performance.now() - t0) / 1e3).toFixed(1)} s)`);

function nextCase() {
  if (random() < 0.5) {
    const b = pick(bases);
    const queries = queriesFor(b.table.entries, 1 + Math.floor(random() * 10));
    const expected = queries.map((q) => {
      const a = strictLookup(b.model, q);
      return a.kind === 'hit' ? { line: a.line, nameOffset: a.nameAt } : null;
    });
    return { c: { section: b.section, endian: b.endian, layout: b.layout, queries }, expected };
  }
  if (random() < 0.2) {
    const b = pick(broken);
    const section = random() < 0.5 ? b.section : mutate(b.section);
    return { c: { section, endian: b.endian, layout: b.layout, queries: queriesFor(b.entries, 1 + Math.floor(random() * 10)) } };
  }
  const b = pick(bases);
  let section = mutate(b.section);
  if (random() < 0.3) section = mutate(section);
  return { c: { section, endian: b.endian, layout: b.layout, queries: queriesFor(b.table.entries, 1 + Math.floor(random() * 10)) } };
}

function safe(section, a) {
  return a === null || (a.nameOffset < section.length && section.indexOf(0, a.nameOffset) >= 0);
}

// ---- run ----
const spec = parseDecoderSpec(SPEC);
if (!spec) throw new Error(`bad decoder spec ${SPEC}`);
const driver = await createDriver(spec);
const failures = [];
let done = 0;
let valid = 0;
let hits = 0;
let issued = 0;
const start = performance.now();
let lastReport = start;

async function worker() {
  while (issued < TOTAL && failures.length < 20) {
    issued++;
    const { c, expected } = nextCase();
    const o = await driver.run(c);
    done++;
    if (expected) valid++;
    let bad = null;
    if (o.kind !== 'answers') bad = JSON.stringify(o).slice(0, 800);
    else if (expected && JSON.stringify(o.answers) !== JSON.stringify(expected)) bad = `answers ${JSON.stringify(o.answers)} differ from the reference ${JSON.stringify(expected)}`;
    else if (o.answers.some((a) => !safe(c.section, a))) bad = `unsafe answer ${JSON.stringify(o.answers)}`;
    if (o.kind === 'answers') hits += o.answers.filter((a) => a !== null).length;
    if (bad) failures.push({ layout: c.layout, endian: c.endian, size: c.section.length, queries: c.queries, bad, hex: c.section.length <= 512 ? Buffer.from(c.section).toString('hex') : undefined });
    const now = performance.now();
    if (now - lastReport > 10_000) {
      lastReport = now;
      console.log(`soak: ${done} cases, ${Math.round(done / ((now - start) / 1e3))} cases/s, ${failures.length} failures`);
    }
  }
}
await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
await driver.close();
const secs = (performance.now() - start) / 1e3;
console.log(`soak: ${done} cases (${valid} valid, ${done - valid} malformed; ${hits} hits) in ${secs.toFixed(1)} s, ${Math.round(done / secs)} cases/s, ${failures.length} failures`);
for (const f of failures.slice(0, 10)) console.log(JSON.stringify(f));
process.exit(failures.length ? 1 : 0);

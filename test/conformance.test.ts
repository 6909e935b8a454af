/**
 * The conformance suite: the committed vector catalogue is up to date and matches its schema; the
 * strict reference decoder passes everything at both levels; the v1 kernel algorithm fails exactly
 * the vectors of the memory-safety weakness classes (W7, W8, W10, W11, W12); planted buggy and
 * hanging decoders are caught with the right category; expected-failure lists are exact; the
 * reports are well-formed; the KSC-generated parsers survive every malformed vector.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileSchema, newAjv } from '../tools/schemas/json-schemas.js';
import { parseDecoderSpec } from '../conformance/driver.js';
import type { DecoderDriver } from '../conformance/driver.js';
import { createDriver, runConformance } from '../conformance/runner.js';
import type { ConformanceRun, Level, RunOptions } from '../conformance/runner.js';
import { parseExpectedFailures } from '../conformance/suite/expected-failures.js';
import { InProcessDriver, workerSpecFor } from '../conformance/suite/in-process-driver.js';
import { loadCatalogue } from '../conformance/suite/manifest.js';
import type { VectorEntry } from '../conformance/suite/manifest.js';
import { htmlReport } from '../conformance/suite/report-html.js';
import { jsonReport } from '../conformance/suite/report-json.js';
import { junitReport } from '../conformance/suite/report-junit.js';
import { EXCLUDED_RULES, KERNEL_UNSAFE_WEAKNESSES } from '../conformance/suite/vector-builder.js';
import { RULES } from '../tools/rules/catalogue.js';
import { LAYOUT_IDS } from '../tools/revisions/layout-id.js';
import { lineinfo, REPO } from './support/cli.js';
import { tempDir } from './support/tmp.js';

const VECTORS = join(REPO, 'conformance', 'vectors');
const FIXTURES = join(REPO, 'test', 'fixtures', 'decoders');
const { manifest, vectors } = loadCatalogue(VECTORS);
const byId = new Map(vectors.map((v) => [v.entry.id, v.entry]));

function schema(name: 'vector-manifest' | 'conformance-report') {
  return compileSchema(newAjv({ allErrors: true }), name);
}

async function withDriver<T>(spec: string, fn: (d: DecoderDriver) => Promise<T>, timeoutMs?: number): Promise<T> {
  const parsed = parseDecoderSpec(spec);
  if (!parsed) throw new Error(`bad spec ${spec}`);
  const d = await createDriver(parsed, timeoutMs === undefined ? {} : { timeoutMs });
  try {
    return await fn(d);
  } finally {
    await d.close();
  }
}

function run(spec: string, level: Level, extra: Partial<RunOptions> = {}, timeoutMs?: number): Promise<ConformanceRun> {
  return withDriver(spec, (d) => runConformance(d, { level, vectorsDir: VECTORS, decoderSpec: spec, ...extra }), timeoutMs);
}

const failing = (r: ConformanceRun): string[] => r.results.filter((x) => x.status === 'fail').map((x) => x.id).sort();

/** A small well-formedness check for XML: balanced tags, quoted attributes, escaped text. */
function checkXml(xml: string): void {
  let rest = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const name = '[A-Za-z_][\\w.-]*';
  const attr = `\\s+${name}="[^"<&]*(?:&(?:amp|lt|gt|quot|apos);[^"<&]*)*"`;
  const open = new RegExp(`^<(${name})((?:${attr})*)\\s*(/?)>`);
  const close = new RegExp(`^</(${name})\\s*>`);
  const text = /^[^<&]*(?:&(?:amp|lt|gt|quot|apos);[^<&]*)*/;
  let roots = 0;
  while (rest.length) {
    const t = text.exec(rest)![0];
    if (t.trim() && stack.length === 0) throw new Error(`text outside the root element: ${t.slice(0, 40)}`);
    rest = rest.slice(t.length);
    if (!rest.length) break;
    let m = close.exec(rest);
    if (m) {
      const top = stack.pop();
      if (top !== m[1]) throw new Error(`</${m[1]}> closes <${top}>`);
      rest = rest.slice(m[0].length);
      continue;
    }
    m = open.exec(rest);
    if (!m) throw new Error(`not well-formed near: ${rest.slice(0, 60)}`);
    if (stack.length === 0) roots++;
    if (!m[3]) stack.push(m[1]!);
    rest = rest.slice(m[0].length);
  }
  if (stack.length) throw new Error(`unclosed <${stack.join('> <')}>`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
}

describe('conformance suite', function () {
  this.timeout(600_000);

  describe('vector catalogue', () => {
    it('is not stale: npm run vectors:check passes', () => {
      const r = spawnSync('npm', ['run', '-s', 'vectors:check'], { cwd: REPO, encoding: 'utf8' });
      expect(r.status, r.stderr + r.stdout).to.equal(0);
    });

    it('manifest.json validates against schemas/vector-manifest.schema.json', () => {
      const v = schema('vector-manifest');
      const ok = v(JSON.parse(readFileSync(join(VECTORS, 'manifest.json'), 'utf8')));
      expect(ok, JSON.stringify(v.errors?.slice(0, 5))).to.equal(true);
    });

    it('is small, has unique ids, and every file matches its hash', () => {
      const total = vectors.reduce((n, v) => n + v.bytes.length, 0) + readFileSync(join(VECTORS, 'manifest.json')).length;
      // about 400 KiB per layout (each has valid, SHOULD, MUST and weakness vectors in both byte orders)
      expect(total).to.be.below(0.4 * 1024 * 1024 * LAYOUT_IDS.length);
      expect(new Set(vectors.map((v) => v.entry.id)).size).to.equal(vectors.length);
      for (const { entry } of vectors) expect(entry.file).to.equal(`${entry.id}.bin`);
    });

    it('has valid and malformed vectors in both byte orders for every layout', () => {
      for (const layout of LAYOUT_IDS) {
        for (const endian of ['le', 'be']) {
          for (const kind of ['valid', 'malformed']) {
            expect(vectors.filter((v) => v.entry.layout === layout && v.entry.endian === endian && v.entry.kind === kind).length, `${layout} ${endian} ${kind}`).to.be.above(10);
          }
        }
      }
      const valid = (name: string): VectorEntry[] => vectors.map((v) => v.entry).filter((e) => e.group === 'valid' && e.id.includes(`/valid/${name}-`));
      for (const name of ['one-entry', 'two-entries', 'three-entries', 'block-edges-65', 'block-edges-128', 'block-edges-191', 'gaps', 'extreme-values', 'symbol-start', 'many-files', 'names-bytes', 'offsets-beyond-u32', 'empty']) {
        expect(valid(name), name).to.have.length(2 * LAYOUT_IDS.length);
      }
      expect(valid('max-files-65535')).to.have.length(1);
      const sym = valid('symbol-start')[0]!;
      expect(sym.queries.filter((q) => q.symbolStart !== undefined).length).to.be.above(20);
    });

    it('breaks every MUST rule with several variants, except the documented container-level ones', () => {
      const excluded = new Map(manifest.excludedRules.map((e) => [e.rule, e.reason]));
      expect([...excluded.keys()]).to.have.members(EXCLUDED_RULES.map((e) => e.rule));
      for (const rule of ['LI-ELF-001', 'LI-ALN-002', 'LI-DWF-001', 'LI-VML-001', 'LI-ELF-002']) expect(excluded.get(rule), rule).to.match(/container-level/);
      for (const rule of RULES.filter((r) => r.level === 'MUST' && !excluded.has(r.id))) {
        for (const layout of rule.layouts) {
          for (const endian of ['le', 'be']) {
            const made = vectors.filter((v) => v.entry.group === rule.id && v.entry.layout === layout && v.entry.endian === endian);
            expect(made.length, `${rule.id} ${layout} ${endian}`).to.be.at.least(2);
            for (const v of made) {
              expect(v.entry.kind).to.equal('malformed');
              expect(v.entry.rules).to.include(rule.id);
            }
          }
        }
      }
      // SHOULD rules keep tables valid
      for (const v of vectors) if (v.entry.kind === 'valid') for (const r of v.entry.rules) expect(RULES.find((x) => x.id === r)!.level, v.entry.id).to.equal('SHOULD');
    });

    it('covers every decoder weakness class the brief names', () => {
      const has = (w: string, layout?: string): number => vectors.filter((v) => v.entry.weaknesses.includes(w) && (!layout || v.entry.layout === layout)).length;
      expect(has('W7', 'vmlinux-v1')).to.be.at.least(4);
      expect(has('W8', 'vmlinux-v1-flat')).to.be.at.least(2);
      expect(has('W8', 'vmlinux-v1')).to.be.at.least(2);
      expect(has('W9', 'v1')).to.be.at.least(2);
      expect(has('W10', 'v1-flat')).to.be.at.least(4);
      expect(has('W10', 'v1')).to.be.at.least(4);
      expect(has('W11', 'v1')).to.be.at.least(2);
      expect(has('W12')).to.be.at.least(8);
      expect(has('W28', 'v1')).to.be.at.least(2);
      expect(has('W28', 'vmlinux-v1')).to.be.at.least(2);
      expect(has('W11', 'v2')).to.be.at.least(4);
      expect(has('W11', 'vmlinux-v2')).to.be.at.least(2);
      expect(has('W10', 'v3')).to.be.at.least(6);
      expect(has('W21', 'v3')).to.be.at.least(4);
      expect(has('W21', 'vmlinux-v3')).to.be.at.least(4);
      expect(has('W18', 'v2')).to.be.at.least(2);
      for (const id of ['v1/LI-STR-002/continuation-run-12-bytes-le', 'v1/LI-STR-002/value-above-u32-be', 'v1/LI-STR-001/varint-cut-by-block-end-le', 'vmlinux-v1/LI-STR-001/varint-cut-by-block-end-be']) {
        expect(byId.get(id), id).to.not.equal(undefined);
      }
    });
  });

  describe('builtin:reference (the oracle)', () => {
    for (const level of ['required', 'recommended'] as const) {
      it(`passes every vector at level ${level}`, async () => {
        const r = await run('builtin:reference', level);
        expect(failing(r)).to.deep.equal([]);
        expect(r.summary).to.include({ total: vectors.length, passed: vectors.length, skipped: 0, ok: true });
      });
    }
  });

  describe('builtin:kernel-v1 (the v1 kernel algorithm)', () => {
    let required: ConformanceRun;
    before(async () => {
      required = await run('builtin:kernel-v1', 'required');
    });

    it('gives the reference answer on every valid vector', () => {
      expect(required.results.filter((r) => r.kind === 'valid' && r.status !== 'pass').map((r) => r.id)).to.deep.equal([]);
    });

    it('fails level required on exactly the W7/W8/W10/W11/W12 vectors', () => {
      const expected = vectors.filter((v) => v.entry.weaknesses.some((w) => KERNEL_UNSAFE_WEAKNESSES.includes(w))).map((v) => v.entry.id).sort();
      expect(failing(required)).to.deep.equal(expected);
      for (const w of ['W7', 'W10', 'W11', 'W12']) {
        expect(required.results.filter((r) => r.status === 'fail' && r.weaknesses.includes(w)).length, w).to.be.at.least(2);
      }
      for (const r of required.results.filter((x) => x.status === 'fail')) {
        expect(r.category, r.id).to.be.oneOf(['out-of-bounds', 'unsafe-answer']);
        expect(r.category, r.id).to.equal(byId.get(r.id)!.kernelV1!.outcome);
      }
    });

    it('fails level recommended on malformed vectors it annotates, never on valid ones', async () => {
      const r = await run('builtin:kernel-v1', 'recommended');
      const f = r.results.filter((x) => x.status === 'fail');
      expect(f.every((x) => x.kind === 'malformed')).to.equal(true);
      expect(f.length).to.be.above(failing(required).length);
      expect(f.some((x) => x.category === 'annotated')).to.equal(true);
    });
  });

  describe('planted decoders', () => {
    it('forgets-name-bound.mjs: caught as out-of-bounds on the LI-FIL-001 vectors, and only there', async () => {
      const r = await run(`module:${join(FIXTURES, 'forgets-name-bound.mjs')}`, 'required');
      const f = r.results.filter((x) => x.status === 'fail');
      expect(r.results.filter((x) => x.layout === 'v1-flat' && x.kind === 'valid').every((x) => x.status === 'pass')).to.equal(true);
      expect(r.results.filter((x) => x.layout !== 'v1-flat').every((x) => x.status === 'skip')).to.equal(true);
      const breakerVectors = vectors.filter((v) => v.entry.layout === 'v1-flat' && v.entry.group === 'LI-FIL-001').map((v) => v.entry.id);
      expect(breakerVectors.length).to.be.at.least(4);
      expect(f.map((x) => x.id)).to.include.members(breakerVectors);
      for (const x of f) {
        expect(x.rules, x.id).to.include('LI-FIL-001');
        expect(x.category, x.id).to.equal('out-of-bounds');
        expect(x.highlights[0]!.offset, x.id).to.be.at.least(x.section.length);
      }
    });

    it('reads-past-end.mjs: every vector is out-of-bounds at exactly the section size', async () => {
      const r = await run(`module:${join(FIXTURES, 'reads-past-end.mjs')}`, 'required');
      expect(r.summary.failed).to.equal(vectors.length);
      for (const x of r.results) {
        expect(x.category, x.id).to.equal('out-of-bounds');
        expect(x.highlights[0]!.offset, x.id).to.equal(x.section.length);
      }
    });

    it('a decoder that ignores byteOffset is caught by the poison runs', async () => {
      const tmp = tempDir('conf-poison');
      try {
        const file = join(tmp.path, 'ignores-byte-offset.mjs');
        writeFileSync(file, `export default { name: 'ignores-byte-offset', layouts: ['v1-flat'], decode(section, endian, layout, queries) {
          const view = new DataView(section.buffer); // forgets byteOffset and byteLength
          const n = view.getUint32(0, endian === 'le');
          return queries.map(() => (n === 0 ? null : { line: n, nameOffset: 0 }));
        } };\n`);
        const r = await run(`module:${file}`, 'required', { select: (v) => v.id.startsWith('v1-flat/LI-HDR-002/') });
        expect(r.results.length).to.be.above(0);
        for (const x of r.results) {
          expect(x.category, x.id).to.equal('out-of-bounds');
          expect(x.reason).to.match(/bytes around the section/);
        }
      } finally {
        tmp.remove();
      }
    });

    it('infinite-loop.mjs: reported as timeout without hanging the run', async () => {
      const ids = ['v1/valid/one-entry-le', 'v1/LI-HDR-002/reserved-header-field-not-0-le', 'v1-flat/W10/entry-count-wraps-le', 'v1/valid/two-entries-be', 'vmlinux-v1/W7/last-block-offset-past-image-le'];
      for (const id of ids) expect(byId.has(id), id).to.equal(true);
      const t0 = Date.now();
      const r = await run(`module:${join(FIXTURES, 'infinite-loop.mjs')}`, 'required', { select: (v) => ids.includes(v.id) }, 400);
      expect(Date.now() - t0).to.be.below(20_000);
      const got = new Map(r.results.map((x) => [x.id, x.category]));
      expect(got.get('v1/valid/one-entry-le')).to.equal('timeout');
      expect(got.get('v1/LI-HDR-002/reserved-header-field-not-0-le')).to.equal('timeout');
      expect(got.get('v1/valid/two-entries-be')).to.equal('timeout');
      // the replacement worker goes on answering the other layouts
      expect(got.get('v1-flat/W10/entry-count-wraps-le')).to.equal('pass');
      expect(got.get('vmlinux-v1/W7/last-block-offset-past-image-le')).to.equal('pass');
    });

    it('a module that is not a decoder is a load error', async () => {
      const spec = parseDecoderSpec(`module:${join(FIXTURES, 'reads-past-end.mjs')}#nothing`)!;
      let err: unknown = null;
      try {
        await (await createDriver(spec)).close();
      } catch (e) {
        err = e;
      }
      expect(String(err)).to.match(/no export "nothing"/);
    });
  });

  describe('expected-failure lists', () => {
    const select = (v: VectorEntry): boolean => v.layout === 'v1-flat';
    let failures: string[];
    let passing: string;
    before(async () => {
      const r = await run('builtin:kernel-v1', 'required', { select });
      failures = failing(r);
      passing = r.results.find((x) => x.status === 'pass')!.id;
      expect(failures.length).to.be.above(5);
    });
    const list = (ids: string[]) => parseExpectedFailures(ids.join('\n'), 'list.txt');

    it('listed failures pass the run', async () => {
      const r = await run('builtin:kernel-v1', 'required', { select, expectedFailures: list(failures) });
      expect(r.summary).to.include({ ok: true, expectedFailures: failures.length, unexpectedFailures: 0, staleEntries: 0 });
      expect(r.results.filter((x) => x.expectedFailure).length).to.equal(failures.length);
    });

    it('an unlisted failure fails the run', async () => {
      const r = await run('builtin:kernel-v1', 'required', { select, expectedFailures: list(failures.slice(1)) });
      expect(r.summary).to.include({ ok: false, unexpectedFailures: 1, staleEntries: 0 });
    });

    it('a listed id that passes is a stale entry and fails the run', async () => {
      const r = await run('builtin:kernel-v1', 'required', { select, expectedFailures: list([...failures, passing]) });
      expect(r.summary).to.include({ ok: false, unexpectedFailures: 0, staleEntries: 1 });
      expect(r.stale[0]).to.deep.include({ id: passing });
      expect(r.stale[0]!.reason).to.match(/passes now/);
    });

    it('an unknown id is stale; a known id outside the selection is ignored', async () => {
      const other = vectors.find((v) => v.entry.layout === 'v1')!.entry.id;
      const r = await run('builtin:kernel-v1', 'required', { select, expectedFailures: list([...failures, other, 'v1/valid/no-such-vector-le']) });
      expect(r.stale.map((s) => s.id)).to.deep.equal(['v1/valid/no-such-vector-le']);
    });

    it('reads text with comments and JSON lists', () => {
      const t = parseExpectedFailures('# known bugs\nv1/W11/a-le   # W11\n\nv1/W11/b-be\n', 't.txt');
      expect([...t.ids.keys()]).to.deep.equal(['v1/W11/a-le', 'v1/W11/b-be']);
      expect(t.ids.get('v1/W11/a-le')).to.equal('W11');
      const j = parseExpectedFailures(JSON.stringify({ expectedFailures: ['x-le', { id: 'y-be', reason: 'why' }] }), 'j.json');
      expect([...j.ids.entries()]).to.deep.equal([['x-le', ''], ['y-be', 'why']]);
      expect(() => parseExpectedFailures('a b\n', 'bad.txt')).to.throw(/one vector id per line/);
      expect(() => parseExpectedFailures('a\na\n', 'dup.txt')).to.throw(/listed twice/);
    });
  });

  describe('reports', () => {
    let r: ConformanceRun;
    before(async () => {
      r = await run('builtin:kernel-v1', 'required', { fuzzMs: 1500, fuzzSeed: 11 });
      expect(r.fuzz!.cases).to.be.above(10);
      expect(r.fuzz!.failures.length).to.be.above(0);
    });

    it('the JSON report validates against schemas/conformance-report.schema.json', () => {
      const v = schema('conformance-report');
      const ok = v(JSON.parse(JSON.stringify(jsonReport(r))));
      expect(ok, JSON.stringify(v.errors?.slice(0, 5))).to.equal(true);
    });

    it('fuzz failures carry their section and queries for replay', () => {
      const f = jsonReport(r).fuzz!.failures[0]!;
      expect(Buffer.from(f.sectionBase64!, 'base64').length).to.equal(r.fuzz!.failures[0]!.section.length);
      expect(f.queries!.length).to.be.above(0);
    });

    it('the JUnit XML is well-formed, one testsuite per layout', () => {
      const xml = junitReport(r);
      checkXml(xml);
      for (const layout of LAYOUT_IDS) expect(xml).to.include(`<testsuite name="${layout}"`);
      expect((xml.match(/<testcase /g) ?? []).length).to.equal(vectors.length + 1 + r.fuzz!.failures.length);
      expect((xml.match(/<failure /g) ?? []).length).to.equal(r.summary.unexpectedFailures + r.fuzz!.failures.length);
    });

    it('the HTML report is self-contained and shows every failing case with a hex map', () => {
      const html = htmlReport(r);
      expect(html).to.not.match(/https?:\/\//);
      expect(html).to.not.match(/<script|<link|<img|@import|url\(/i);
      for (const x of r.results.filter((y) => y.status === 'fail')) expect(html).to.include(`id="${x.id}"`);
      expect((html.match(/<pre class="hex">/g) ?? []).length).to.equal(r.summary.failed + r.fuzz!.failures.length);
      expect(html).to.include('class="h"');
    });
  });

  describe('lineinfo conformance (CLI)', () => {
    const tmp = tempDir('conf-cli');
    after(() => tmp.remove());

    it('exit 0 when all pass, writing the JSON, JUnit and HTML reports', () => {
      const out = (n: string): string => join(tmp.path, n);
      const res = lineinfo(['conformance', '--decoder', 'builtin:reference', '--only', 'v1/', '--json', out('r.json'), '--junit', out('r.xml'), '--html', out('r.html')]);
      expect(res.status, res.stderr).to.equal(0);
      expect(res.stdout).to.match(/result: PASS/);
      expect(schema('conformance-report')(JSON.parse(readFileSync(out('r.json'), 'utf8')))).to.equal(true);
      checkXml(readFileSync(out('r.xml'), 'utf8'));
      expect(readFileSync(out('r.html'), 'utf8')).to.match(/No failing case/);
    });

    it('exit 1 on failures, 0 when they are all expected, 1 again with a stale entry', () => {
      const args = ['conformance', '--decoder', 'builtin:kernel-v1', '--only', 'v1-flat/W10/'];
      const bad = lineinfo(args);
      expect(bad.status).to.equal(1);
      const ids = [...bad.stdout.matchAll(/^ {2}FAIL (\S+)/gm)].map((m) => m[1]!);
      expect(ids.length).to.equal(6);
      const list = join(tmp.path, 'xfail.txt');
      writeFileSync(list, `# kernel v1 fails these\n${ids.join('\n')}\n`);
      const good = lineinfo([...args, '--expected-failures', list]);
      expect(good.status, good.stdout).to.equal(0);
      expect(good.stdout).to.match(/XFAIL/);
      writeFileSync(list, `${ids.join('\n')}\nv1-flat/valid/one-entry-le\n`);
      const stale = lineinfo([...args, '--only', 'v1-flat/valid/one-entry-le', '--expected-failures', list]);
      expect(stale.status).to.equal(1);
      expect(stale.stdout).to.match(/STALE v1-flat\/valid\/one-entry-le/);
    });

    it('exit 2 on usage and load errors', () => {
      expect(lineinfo(['conformance']).status).to.equal(2);
      expect(lineinfo(['conformance', '--decoder', 'nonsense']).status).to.equal(2);
      expect(lineinfo(['conformance', '--decoder', 'builtin:reference', '--level', 'strict']).status).to.equal(2);
      expect(lineinfo(['conformance', '--decoder', 'builtin:reference', '--fuzz', 'soon']).status).to.equal(2);
      const missing = lineinfo(['conformance', '--decoder', 'module:/nonexistent/decoder.mjs']);
      expect(missing.status).to.equal(2);
      expect(missing.stderr).to.match(/cannot load decoder/);
      expect(lineinfo(['conformance', '--decoder', 'builtin:reference', '--vectors', tmp.path]).status).to.equal(2);
      expect(lineinfo(['conformance', '--decoder', 'builtin:reference', '--expected-failures', join(tmp.path, 'none.txt')]).status).to.equal(2);
    });
  });

  describe('KSC-generated parsers on malformed vectors', () => {
    it('parse or throw a Kaitai parse error, within time and memory limits, for every malformed vector', async () => {
      const tmp = tempDir('conf-kaitai');
      try {
        const file = join(tmp.path, 'kaitai-decoder.mts');
        const kt = pathToFileURL(join(REPO, 'tools', 'kaitai', 'kaitai-table.ts')).href;
        const gen = pathToFileURL(join(REPO, 'tools', 'generated', 'index.ts')).href;
        // The generated parser as a "decoder": a Kaitai parse error becomes DecoderRejected (no
        // answers), anything else an exception; the worker's timeout and heap limit catch hangs
        // and runaway allocations.
        writeFileSync(file, `import { kaitaiTable } from '${kt}';
import { isKaitaiParseError } from '${gen}';
export const outcomes: string[] = [];
export default { name: 'kaitai', layouts: ['v1-flat', 'v1', 'vmlinux-v1-flat', 'vmlinux-v1'], decode(section: Uint8Array, endian: 'le' | 'be', layout: 'v1', queries: unknown[]) {
  try {
    const t = kaitaiTable(layout, section, endian);
    void t.entries.length;
  } catch (e) {
    if (isKaitaiParseError(e)) { const r = new Error(String(e)); r.name = 'DecoderRejected'; throw r; }
    throw e;
  }
  return queries.map(() => null);
} };\n`);
        const driver = await InProcessDriver.create(workerSpecFor('module', file), { timeoutMs: 10_000, memoryMb: 512, poison: false });
        try {
          const slow: string[] = [];
          for (const { entry, bytes } of vectors.filter((v) => v.entry.kind === 'malformed')) {
            const t0 = Date.now();
            const o = await driver.run({ section: bytes, endian: entry.endian, layout: entry.layout, queries: entry.queries.slice(0, 1) });
            const ms = Date.now() - t0;
            expect(o.kind, `${entry.id}: ${JSON.stringify(o)}`).to.equal('answers');
            if (ms > 2000) slow.push(`${entry.id} ${ms} ms`);
          }
          expect(slow).to.deep.equal([]);
        } finally {
          await driver.close();
        }
      } finally {
        tmp.remove();
      }
    });
  });
});

/**
 * What `lineinfo validate` prints, driven through the built CLI as a user would: the JSON report
 * (schemas/validation-report.schema.json) for the example module, a directory tree of good,
 * corrupted, unreadable and table-less modules, and raw sections; file statuses and exit codes;
 * --warnings-as-errors; the SARIF log (rules, results located exactly like the JSON diagnostics,
 * unreadable files as tool execution notifications, checked with Microsoft's SARIF multitool when
 * it runs here); the text report (headers, hex excerpts, colour only on a terminal, summary); and
 * -o, which replaces its target atomically.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Log, Result } from 'sarif';
import { parseElf } from '../tools/elf/elf-file.js';
import { shdrFieldOffsets } from '../tools/elf/elf-writer.js';
import { embedSection } from '../tools/elf/elf-embed.js';
import { ENDIANS } from '../tools/format/endian.js';
import type { Endian } from '../tools/format/endian.js';
import type { LineTable } from '../tools/model/line-table.js';
import { RULE_BREAKERS } from '../tools/mutate/rule-breakers.js';
import { detectLayout } from '../tools/revisions/detect.js';
import { LAYOUTS } from '../tools/revisions/registry.js';
import { RULES, ruleById } from '../tools/rules/catalogue.js';
import { validator } from '../tools/schemas/json-schemas.js';
import type { FileReport } from '../tools/validate/validate-file.js';
import { BIN, lineinfo, REPO } from './support/cli.js';
import type { CliResult } from './support/cli.js';
import { expectOneLineError } from './support/cli-expect.js';
import { randomTable, rng } from './support/random-tables.js';
import { tableWithEntries } from './support/table-set.js';
import { tempDir } from './support/tmp.js';

// ---------------------------------------------------------------------------------------------
// The JSON report

type JsonFile = Omit<FileReport, 'bytes' | 'regions'>;

interface JsonReport {
  tool: { name: string; version: string };
  files: JsonFile[];
  summary: {
    files: number;
    valid: number;
    invalid: number;
    noTable: number;
    unreadable: number;
    errors: number;
    warnings: number;
    notes: number;
    byRule: Record<string, number>;
  };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    return expect.fail(`${what}: not JSON (${(e as Error).message}): ${text.slice(0, 200)}`);
  }
}

/** Parses `validate --json` output and checks it against the schema and for inner consistency. */
function report(r: CliResult, what: string): JsonReport {
  const json = parseJson(r.stdout, what);
  const v = validator('validation-report');
  if (!v(json)) expect.fail(`${what}: validate --json does not match schemas/validation-report.schema.json: ${JSON.stringify(v.errors?.slice(0, 3))}`);
  const rep = json as JsonReport;
  const s = rep.summary;
  const count = (st: string): number => rep.files.filter((f) => f.status === st).length;
  const diags = rep.files.flatMap((f) => f.diagnostics);
  const byRule: Record<string, number> = {};
  for (const d of diags) byRule[d.rule] = (byRule[d.rule] ?? 0) + 1;
  expect(
    { files: s.files, valid: s.valid, invalid: s.invalid, noTable: s.noTable, unreadable: s.unreadable, errors: s.errors, warnings: s.warnings, notes: s.notes },
    `${what}: summary counts`,
  ).to.deep.equal({
    files: rep.files.length,
    valid: count('valid'),
    invalid: count('invalid'),
    noTable: count('no-table'),
    unreadable: count('unreadable'),
    errors: diags.filter((d) => d.severity === 'error').length,
    warnings: diags.filter((d) => d.severity === 'warning').length,
    notes: diags.filter((d) => d.severity === 'note').length,
  });
  expect(s.byRule, `${what}: summary.byRule`).to.deep.equal(byRule);
  expect(Object.keys(s.byRule), `${what}: byRule keys sorted`).to.deep.equal(Object.keys(s.byRule).sort());
  for (const f of rep.files) {
    for (const d of f.diagnostics) {
      const rule = ruleById(d.rule);
      expect(d.level, `${what}: ${f.file} ${d.rule} level`).to.equal(rule.level);
      expect(d.fileOffset, `${what}: ${f.file} ${d.rule} fileOffset`).to.equal(f.section!.fileOffset + d.offset);
      expect(d.length === 0 ? d.offset <= f.section!.size : d.offset + d.length <= f.section!.size, `${what}: ${f.file} ${d.rule} range ${d.offset}+${d.length} inside the ${f.section!.size}-byte section`).to.equal(true);
    }
  }
  return rep;
}

function byFile(rep: JsonReport): Map<string, JsonFile> {
  return new Map(rep.files.map((f) => [f.file, f]));
}

// ---------------------------------------------------------------------------------------------
// Fixtures

const HELLO_KO = join(REPO, 'examples', 'hello.ko');
const HELLO_O = join(REPO, 'examples', 'hello.o');

interface SectionInfo {
  /** file offset of the .mod_lineinfo bytes and of its section header */
  offset: number;
  size: number;
  flagsAt: number;
  /** file offsets of the header fields, by name */
  fields: Map<string, { at: number; value: number; size: number }>;
  endian: Endian;
  layout: string;
}

function sectionInfo(bytes: Uint8Array): SectionInfo {
  const elf = parseElf(bytes, 'hello.ko');
  const s = elf.sectionByName('.mod_lineinfo');
  if (!s) throw new Error('examples/hello.ko has no .mod_lineinfo');
  const data = bytes.subarray(s.offset, s.offset + s.size);
  const best = detectLayout(data, 'module', { endian: elf.endian }).best;
  return {
    offset: s.offset,
    size: s.size,
    flagsAt: s.headerOffset + shdrFieldOffsets(elf.class).flags,
    fields: new Map(best.model.header.map((h) => [h.name, { at: s.offset + h.offset, value: h.value, size: h.size }])),
    endian: elf.endian,
    layout: best.layout.id,
  };
}

function setU32(bytes: Uint8Array, at: number, value: number, endian: Endian): Uint8Array {
  const out = Uint8Array.from(bytes);
  new DataView(out.buffer).setUint32(at, value >>> 0, endian === 'le');
  return out;
}

/** A table the validator finds nothing wrong with inside hello.o (offsets inside its .text). */
const CLEAN_TABLE: LineTable = {
  files: ['drivers/demo/a.c', 'include/demo/b.h'],
  entries: [0x10, 0x24, 0x40, 0x58, 0x90].map((offset, i) => ({ offset, fileId: i % 2, line: 10 + i })),
};
/** The same with an absolute path: warnings (LI-PTH-001) and nothing else. */
const WARN_TABLE: LineTable = { ...CLEAN_TABLE, files: ['/abs/drivers/demo/a.c', 'include/demo/b.h'] };

function moduleWith(table: LineTable, layoutId = 'v1-flat', endian: Endian = 'le'): Uint8Array {
  const layout = LAYOUTS.find((l) => l.id === layoutId)!;
  return embedSection(readFileSync(HELLO_O), 'hello.o', { name: '.mod_lineinfo', data: layout.encode(table, endian), flags: 0x2n, addralign: 4 });
}

/** Files of the tree, relative to its parent, with what the validator must say about each. */
interface TreeFile {
  path: string;
  status: readonly string[];
  /** a rule that must be among the diagnostics */
  rule?: string;
}

function buildTree(root: string): TreeFile[] {
  const ko = new Uint8Array(readFileSync(HELLO_KO));
  const info = sectionInfo(ko);
  const put = (rel: string, bytes: Uint8Array | string): void => {
    const p = join(root, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, bytes);
  };
  const files: TreeFile[] = [];
  const add = (rel: string, bytes: Uint8Array | string, status: readonly string[], rule?: string): void => {
    put(rel, bytes);
    files.push({ path: `tree/${rel}`, status, ...(rule ? { rule } : {}) });
  };
  const exampleStatus = ['valid', 'invalid'];
  add('good/hello.ko', ko, exampleStatus);
  add('good/nested/deeper/hello-copy.ko', ko, exampleStatus);
  add('good/clean.ko', moduleWith(CLEAN_TABLE), ['valid']);
  add('good/warn.ko', moduleWith(WARN_TABLE), ['valid'], 'LI-PTH-001');
  const reserved = info.fields.get('reserved');
  if (reserved) add('bad/reserved.ko', setU32(ko, reserved.at, 0xdead, info.endian), ['invalid'], 'LI-HDR-002');
  const numFiles = info.fields.get('num_files')!;
  add('bad/num-files-wraps.ko', setU32(ko, numFiles.at, numFiles.value + 0x4000_0000, info.endian), ['invalid'], 'LI-LAY-001');
  const noAlloc = Uint8Array.from(ko);
  noAlloc[info.flagsAt] = noAlloc[info.flagsAt]! & ~0x2;
  add('bad/no-alloc.ko', noAlloc, ['invalid'], 'LI-ELF-001');
  const tail = Uint8Array.from(ko);
  tail.fill(0x80, info.offset + info.size - 40, info.offset + info.size - 20); // continuation bits through the stream end / file table
  add('bad/stream-0x80.ko', tail, ['invalid']);
  add('broken/truncated.ko', ko.subarray(0, Math.floor(ko.length / 3)), ['unreadable']);
  add('broken/tiny.ko', Uint8Array.from([0x7f, 0x45, 0x4c, 0x46]), ['unreadable']);
  add('other/x.ko', 'this is not an ELF module\n', ['invalid', 'unreadable']);
  add('other/y.ko', readFileSync(HELLO_O), ['no-table']);
  put('other/readme.txt', 'not a module: the walk skips it\n');
  put('other/hello.ko.orig', ko);
  return files;
}

interface RawFile {
  /** relative to the temporary directory */
  path: string;
  layout: string;
  endian: Endian;
  /** the rule a broken section breaks */
  rule?: string;
}

/** A valid raw section for every layout and byte order, in raw/. */
function buildRaw(root: string): RawFile[] {
  mkdirSync(join(root, 'raw'), { recursive: true });
  const out: RawFile[] = [];
  for (const layout of LAYOUTS) {
    for (const endian of ENDIANS) {
      const path = `raw/${layout.id}-${endian}.bin`;
      writeFileSync(join(root, path), layout.encode(randomTable(layout.id.length * 7 + (endian === 'le' ? 1 : 2), 300, 8), endian));
      out.push({ path, layout: layout.id, endian });
    }
  }
  return out;
}

/** One raw section per rule breaker that needs no ELF container, symbols or DWARF, in broken-raw/. */
function buildBrokenRaw(root: string): RawFile[] {
  mkdirSync(join(root, 'broken-raw'), { recursive: true });
  const table = tableWithEntries(77, 150, 6);
  const out: RawFile[] = [];
  for (const layout of LAYOUTS) {
    for (const endian of ENDIANS) {
      const random = rng(layout.id.length * 31 + endian.length);
      for (const b of RULE_BREAKERS) {
        if (!b.layouts.includes(layout.id) || ruleById(b.rule).needsElf) continue;
        const broken = b.make({ layout, endian, table, random });
        if (!broken || broken.symbols || broken.container || broken.dwarfTable) continue;
        const path = `broken-raw/${layout.id}-${endian}-${b.rule}.bin`;
        writeFileSync(join(root, path), broken.bytes);
        out.push({ path, layout: layout.id, endian, rule: b.rule });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// SARIF

const SARIF_ROOT_BASE = '%SRCROOT%';

function parseSarif(r: CliResult, what: string): Log {
  const log = parseJson(r.stdout, what) as Log;
  expect(log.version, `${what}: version`).to.equal('2.1.0');
  expect(log.$schema, `${what}: $schema`).to.match(/sarif-2\.1\.0/);
  expect(log.runs, `${what}: one run`).to.have.length(1);
  return log;
}

function sarifUri(file: string): { uri: string; uriBaseId?: string } {
  return file.startsWith('/') ? { uri: pathToFileURL(file).href } : { uri: file.split('/').map(encodeURIComponent).join('/'), uriBaseId: SARIF_ROOT_BASE };
}

/** The SARIF log says exactly what the JSON report says. */
function expectSarifMatches(log: Log, rep: JsonReport, what: string): void {
  const run = log.runs[0]!;
  const driver = run.tool.driver;
  expect(driver.name, what).to.equal('lineinfo-kit');
  expect(driver.version, what).to.equal(rep.tool.version);
  const rules = driver.rules ?? [];
  expect(rules.map((r) => r.id), `${what}: driver rules = the catalogue`).to.deep.equal(RULES.map((r) => r.id));
  rules.forEach((r, i) => {
    const c = RULES[i]!;
    expect(r.help?.text, `${what}: ${r.id} help text`).to.be.a('string').and.not.equal('');
    expect(r.help?.text, `${what}: ${r.id} help text`).to.include(c.summary);
    expect(r.shortDescription?.text, `${what}: ${r.id} shortDescription`).to.equal(c.summary);
    expect(r.defaultConfiguration?.level, `${what}: ${r.id} default level`).to.equal(c.severity);
  });
  const want = rep.files.flatMap((f) => f.diagnostics.map((d) => ({ f, d })));
  const results: Result[] = run.results ?? [];
  expect(results.length, `${what}: one result per diagnostic`).to.equal(want.length);
  results.forEach((res, i) => {
    const { f, d } = want[i]!;
    const ctx = `${what}: result ${i} (${f.file} ${d.rule})`;
    expect(res.ruleId, ctx).to.equal(d.rule);
    expect(rules[res.ruleIndex ?? -1]?.id, `${ctx}: ruleIndex`).to.equal(d.rule);
    expect(res.level, ctx).to.equal(d.severity);
    expect(res.message.text, ctx).to.equal(d.message);
    expect(res.locations, ctx).to.have.length(1);
    const pl = res.locations![0]!.physicalLocation!;
    expect(pl.region?.byteOffset, `${ctx}: byteOffset`).to.equal(d.fileOffset);
    expect(pl.region?.byteLength, `${ctx}: byteLength`).to.equal(d.length);
    expect({ ...pl.artifactLocation }, `${ctx}: artifact`).to.deep.equal(sarifUri(f.file));
  });
  const unreadable = rep.files.filter((f) => f.status === 'unreadable');
  const notes = run.invocations?.[0]?.toolExecutionNotifications ?? [];
  expect(notes.length, `${what}: one notification per unreadable file`).to.equal(unreadable.length);
  notes.forEach((n, i) => {
    const f = unreadable[i]!;
    expect(n.level, what).to.equal('error');
    expect(n.message.text, what).to.equal(f.problem);
    const pl = n.locations?.[0]?.physicalLocation;
    expect({ ...pl?.artifactLocation }, `${what}: notification artifact`).to.deep.equal(sarifUri(f.file));
    if (f.problemOffset !== null) expect(pl?.region?.byteOffset, `${what}: notification offset`).to.equal(f.problemOffset);
    else expect(pl?.region, `${what}: notification region`).to.equal(undefined);
  });
  expect(run.invocations?.[0]?.executionSuccessful, what).to.equal(true);
}

interface Multitool {
  exe: string | null;
  why: string;
}

/** The native Sarif.Multitool binary shipped in @microsoft/sarif-multitool, if it runs here. */
function findMultitool(): Multitool {
  let exe: string;
  try {
    exe = createRequire(import.meta.url)('@microsoft/sarif-multitool') as string;
  } catch (e) {
    return { exe: null, why: `@microsoft/sarif-multitool is not installed (${(e as Error).message.split('\n')[0]})` };
  }
  const r = spawnSync(exe, ['--version'], { encoding: 'utf8', timeout: 120_000 });
  if (r.error || r.status !== 0) return { exe: null, why: `Sarif.Multitool cannot run here: ${r.error?.message ?? `exit ${r.status}: ${r.stderr.trim().split('\n')[0]}`}` };
  return { exe, why: '' };
}

/** Runs `Sarif.Multitool validate` and returns the results it logged (rule id, level, message). */
function multitoolValidate(exe: string, file: string, outDir: string): { ruleId: string; level: string; text: string }[] {
  const out = join(outDir, `${Math.random().toString(36).slice(2)}.validation.sarif`);
  const r = spawnSync(exe, ['validate', file, '-o', out, '--log', 'ForceOverwrite'], { encoding: 'utf8', timeout: 180_000 });
  expect(r.error, `Sarif.Multitool: ${r.stderr}`).to.equal(undefined);
  expect(existsSync(out), `Sarif.Multitool wrote no log: ${r.stdout}\n${r.stderr}`).to.equal(true);
  const log = JSON.parse(readFileSync(out, 'utf8')) as Log;
  return (log.runs[0]?.results ?? []).map((x) => ({ ruleId: x.ruleId ?? '?', level: x.level ?? 'warning', text: x.message.text ?? '' }));
}

// ---------------------------------------------------------------------------------------------
// Text

const ANSI_RE = /\x1b\[/;

interface TextFile {
  header: string;
  lines: string[];
}

/** Splits the text report into per-file blocks (a non-indented line starts one) and the summary. */
function textBlocks(stdout: string): { files: TextFile[]; summary: string[] } {
  const lines = stdout.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const s = lines.indexOf('Summary:');
  const body = s >= 0 ? lines.slice(0, s - 1) : lines;
  const summary = s >= 0 ? lines.slice(s) : [];
  if (s >= 0) expect(lines[s - 1], 'blank line before the summary').to.equal('');
  const files: TextFile[] = [];
  for (const l of body) {
    if (!l.startsWith(' ')) files.push({ header: l, lines: [] });
    else {
      expect(files.length, `indented line before any header: ${l}`).to.be.greaterThan(0);
      files[files.length - 1]!.lines.push(l);
    }
  }
  return { files, summary };
}

/** Every diagnostic of the JSON report appears in the text block in order, with an excerpt. */
function expectTextMatches(stdout: string, rep: JsonReport, verbose: boolean, what: string): void {
  const { files, summary } = textBlocks(stdout);
  const shown = rep.files.filter((f) => verbose || f.problem !== null || f.diagnostics.length > 0 || f.alsoFits.length > 0);
  expect(files.map((b) => b.header.split(': ')[0]), `${what}: one header line per file with something to say`).to.deep.equal(shown.map((f) => f.file));
  shown.forEach((f, i) => {
    const b = files[i]!;
    const ctx = `${what}: ${f.file}`;
    if (f.problem !== null) {
      expect(b.header, ctx).to.include(f.problem);
      expect(b.header, ctx).to.match(f.status === 'no-table' ? /: note: / : /: error: /);
      if (f.problemOffset !== null) expect(b.header, ctx).to.include(`0x${f.problemOffset.toString(16)}: `);
      expect(b.lines, ctx).to.deep.equal([]);
      return;
    }
    expect(b.header, ctx).to.include(`layout ${f.layout} `);
    expect(b.header, ctx).to.include(`${f.section!.size} bytes at file 0x${f.section!.fileOffset.toString(16)}`);
    let k = 0;
    const next = (): string => b.lines[k++] ?? '';
    if (f.alsoFits.length) expect(next(), ctx).to.match(/^ {2}note: the bytes also fit /);
    for (const d of f.diagnostics) {
      expect(next(), ctx).to.match(new RegExp(`^ {2}${d.severity} ${d.rule} ${d.field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(section 0x[0-9a-f]+`));
      expect(next(), ctx).to.equal(`    ${d.message}`);
      if (d.length > 0 && d.offset < f.section!.size) {
        const ex = next();
        expect(ex, `${ctx}: ${d.rule} hex excerpt`).to.match(/^ {4}0x[0-9a-f]{6}:/);
        expect(ex, `${ctx}: ${d.rule} hex excerpt marks the bytes`).to.include('[');
        while (b.lines[k] !== undefined && /^ {4}(0x[0-9a-f]{6}:| +\.\.\. )/.test(b.lines[k]!)) k++;
      }
    }
    if (f.diagnostics.length === 0) expect(next(), ctx).to.equal('  valid');
    expect(k, `${ctx}: no unexpected lines: ${JSON.stringify(b.lines.slice(k))}`).to.equal(b.lines.length);
  });
  if (rep.files.length > 1) {
    const s = rep.summary;
    const row = (label: string, n: number): string => `  ${label.padEnd(26)} ${String(n).padStart(7)}`;
    expect(summary.slice(0, 9), `${what}: summary table`).to.deep.equal([
      'Summary:',
      row('files', s.files),
      row('valid', s.valid),
      row('with errors', s.invalid),
      row('without a lineinfo table', s.noTable),
      row('unreadable', s.unreadable),
      row('errors', s.errors),
      row('warnings', s.warnings),
      row('notes', s.notes),
    ]);
    const ruleRows = summary.slice(11).map((l) => l.trim().split(/\s+/));
    expect(Object.fromEntries(ruleRows.map(([r, n]) => [r!, Number(n)])), `${what}: per-rule table`).to.deep.equal(s.byRule);
  } else {
    expect(summary, `${what}: no summary for one file`).to.deep.equal([]);
  }
}

// ---------------------------------------------------------------------------------------------

describe('validate reports (JSON, SARIF, text, exit codes)', function () {
  this.timeout(600_000);
  let tmp: ReturnType<typeof tempDir>;
  let tree: TreeFile[];
  let treeJson: JsonReport;
  let rawFiles: RawFile[];
  let brokenRawFiles: RawFile[];

  before(function () {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build first`);
    tmp = tempDir('validate-report');
    tree = buildTree(join(tmp.path, 'tree'));
    rawFiles = buildRaw(tmp.path);
    brokenRawFiles = buildBrokenRaw(tmp.path);
    // the tree's JSON report, which the SARIF and text tests compare with
    treeJson = report(lineinfo(['validate', '--json', 'tree'], { cwd: tmp.path }), 'validate --json tree');
  });
  after(() => tmp?.remove());

  const cli = (args: string[], env?: NodeJS.ProcessEnv): CliResult => {
    if (!env) return lineinfo(args, { cwd: tmp.path });
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: tmp.path, env, maxBuffer: 256 * 1024 * 1024, timeout: 120_000 });
    return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8'), stdoutBytes: r.stdout };
  };

  describe('JSON report', function () {
    it('the example module: one schema-valid report, exit status agreeing with its status', function () {
      const r = cli(['validate', '--json', HELLO_KO]);
      const rep = report(r, 'validate --json examples/hello.ko');
      expect(rep.files).to.have.length(1);
      const f = rep.files[0]!;
      expect(f.file).to.equal(HELLO_KO);
      expect(f.status).to.be.oneOf(['valid', 'invalid']);
      expect(f.container).to.equal('module');
      expect(f.source).to.equal('elf');
      expect(f.section?.name).to.equal('.mod_lineinfo');
      const info = sectionInfo(new Uint8Array(readFileSync(HELLO_KO)));
      expect(f.section?.fileOffset).to.equal(info.offset);
      expect(f.section?.size).to.equal(info.size);
      expect(f.layout).to.equal(info.layout);
      expect(f.endian).to.equal(info.endian);
      expect(f.detected).to.equal(true);
      expect(r.status, r.stderr).to.equal(f.status === 'valid' ? 0 : 1);
      expect(r.stderr).to.equal('');
    });

    it('a directory tree: every *.ko found in sorted order, each with the right status; exit 1', function () {
      const r = cli(['validate', '--json', 'tree']);
      const rep = report(r, 'validate --json tree');
      expect(rep).to.deep.equal(treeJson);
      expect(r.status, r.stderr).to.equal(1);
      expect(r.stderr, 'no progress line when stderr is not a terminal').to.equal('');
      const paths = treeJson.files.map((f) => f.file);
      expect(paths, 'sorted').to.deep.equal([...paths].sort());
      expect(paths).to.have.members(tree.map((t) => t.path));
      const got = byFile(treeJson);
      for (const t of tree) {
        const f = got.get(t.path)!;
        expect(f.status, `${t.path}: ${JSON.stringify(f.diagnostics.map((d) => d.rule))} ${f.problem ?? ''}`).to.be.oneOf([...t.status]);
        if (t.rule) expect(f.diagnostics.map((d) => d.rule), t.path).to.include(t.rule);
        if (f.status === 'unreadable' || f.status === 'no-table') {
          expect(f.problem, t.path).to.be.a('string');
          expect(f.problem!.includes('\n'), `${t.path}: one-line problem`).to.equal(false);
          const size = statSync(join(tmp.path, t.path)).size;
          if (f.problemOffset !== null) expect(f.problemOffset, `${t.path}: problem offset within the file`).to.be.at.most(size);
        }
      }
      expect(got.get('tree/broken/truncated.ko')!.problemOffset, 'a truncated ELF names where').to.not.equal(null);
      expect(got.get('tree/good/clean.ko')!.diagnostics, 'clean module').to.deep.equal([]);
      expect(treeJson.summary.files).to.equal(tree.length);
    });

    it('raw sections with --raw, every layout and byte order: valid, given or detected', function () {
      for (const { path, layout: id, endian } of rawFiles) {
        const layout = LAYOUTS.find((l) => l.id === id)!;
        const r = cli(['validate', '--json', '--raw', '--revision', layout.id, '--endian', endian, path]);
        const rep = report(r, `validate --json --raw ${path}`);
        const f = rep.files[0]!;
        expect({ status: f.status, layout: f.layout, endian: f.endian, detected: f.detected, source: f.source, container: f.container }).to.deep.equal({
          status: 'valid', layout: layout.id, endian, detected: false, source: 'raw', container: layout.container,
        });
        expect(f.section).to.deep.equal({ name: null, fileOffset: 0, size: statSync(join(tmp.path, path)).size });
        // what the encoder writes breaks no MUST rule (v1 itself misaligns file_offsets[]: LI-ALN-001)
        expect(f.diagnostics.filter((d) => d.level === 'MUST'), path).to.deep.equal([]);
        expect(r.status).to.equal(0);
      }
      const paths = rawFiles;
      const r = cli(['validate', '--json', '--raw', ...paths.map((p) => p.path)]);
      const rep = report(r, 'validate --json --raw (detected)');
      expect(r.status, r.stderr).to.equal(0);
      rep.files.forEach((f, i) => {
        const p = paths[i]!;
        expect(f.file).to.equal(p.path);
        expect(f.status, p.path).to.equal('valid');
        expect(f.detected, p.path).to.equal(true);
        const fits = [{ layout: f.layout, endian: f.endian }, ...f.alsoFits];
        expect(fits, `${p.path}: the true layout fits`).to.deep.include({ layout: p.layout, endian: p.endian });
      });
      // The ELF magic at the start of a raw section does not make it an ELF file with --raw.
      const elfish = setU32(LAYOUTS[0]!.encode(CLEAN_TABLE, 'be'), 0, 0x7f454c46, 'be');
      writeFileSync(join(tmp.path, 'elf-magic.bin'), elfish);
      const m = report(cli(['validate', '--json', '--raw', '--revision', 'v1-flat', '--endian', 'be', 'elf-magic.bin']), 'raw section starting with \\x7fELF');
      expect(m.files[0]!.source).to.equal('raw');
      expect(m.files[0]!.diagnostics.map((d) => d.rule)).to.include('LI-LAY-001');
    });

    it('raw sections broken by every rule breaker: the rule is reported, the report stays schema-valid', function () {
      let checked = 0;
      for (const layout of LAYOUTS) {
        for (const endian of ENDIANS) {
          const want = brokenRawFiles.filter((b) => b.layout === layout.id && b.endian === endian);
          const r = cli(['validate', '--json', '--raw', '--revision', layout.id, '--endian', endian, ...want.map((w) => w.path)]);
          const rep = report(r, `broken ${layout.id} ${endian}`);
          const errors = rep.files.some((f) => f.diagnostics.some((d) => d.severity === 'error'));
          expect(r.status, r.stderr).to.equal(errors ? 1 : 0);
          rep.files.forEach((f, i) => {
            expect(f.diagnostics.map((d) => d.rule), `${want[i]!.path}`).to.include(want[i]!.rule!);
            checked++;
          });
        }
      }
      expect(checked).to.be.greaterThan(150);
    });

    it('the schema is strict: unknown properties, wrong types and inconsistent statuses are rejected', function () {
      const v = validator('validation-report');
      const good = report(cli(['validate', '--json', 'tree']), 'tree');
      expect(v(good)).to.equal(true);
      const bad: [string, (r: JsonReport) => void][] = [
        ['extra top-level property', (r) => Object.assign(r, { extra: 1 })],
        ['extra file property', (r) => Object.assign(r.files[0]!, { bytes: [] })],
        ['extra diagnostic property', (r) => Object.assign(r.files.find((f) => f.diagnostics.length)!.diagnostics[0]!, { x: 1 })],
        ['extra summary property', (r) => Object.assign(r.summary, { total: 1 })],
        ['byRule key not a rule id', (r) => Object.assign(r.summary.byRule, { bogus: 1 })],
        ['unknown status', (r) => Object.assign(r.files[0]!, { status: 'ok' })],
        ['negative offset', (r) => Object.assign(r.files.find((f) => f.diagnostics.length)!.diagnostics[0]!, { offset: -1 })],
        ['valid file with a problem', (r) => Object.assign(r.files.find((f) => f.status === 'valid')!, { problem: 'x' })],
        ['valid file with an error', (r) => Object.assign(r.files.find((f) => f.status === 'valid' && f.diagnostics.length)!.diagnostics[0]!, { severity: 'error' })],
        ['invalid file without an error', (r) => Object.assign(r.files.find((f) => f.status === 'invalid')!, { diagnostics: [] })],
        ['unreadable file with a section', (r) => Object.assign(r.files.find((f) => f.status === 'unreadable')!, { section: { name: null, fileOffset: 0, size: 1 } })],
        ['unreadable file without a problem', (r) => Object.assign(r.files.find((f) => f.status === 'unreadable')!, { problem: null })],
        ['wrong tool name', (r) => Object.assign(r.tool, { name: 'other' })],
      ];
      for (const [what, mutate] of bad) {
        const copy = JSON.parse(JSON.stringify(good)) as JsonReport;
        mutate(copy);
        expect(v(copy), what).to.equal(false);
      }
    });
  });

  describe('exit codes', function () {
    const cases: [string, string[], number][] = [
      ['a clean module', ['tree/good/clean.ko'], 0],
      ['a warnings-only module', ['tree/good/warn.ko'], 0],
      ['a module with errors', ['tree/bad/num-files-wraps.ko'], 1],
      ['an unreadable file', ['tree/broken/tiny.ko'], 1],
      ['an ELF file without a table', ['tree/other/y.ko'], 0],
      ['a clean and a broken module', ['tree/good/clean.ko', 'tree/bad/no-alloc.ko'], 1],
      ['a clean and an unreadable module', ['tree/good/clean.ko', 'tree/broken/truncated.ko'], 1],
    ];
    for (const [what, args, code] of cases) {
      it(`${what}: ${code}`, function () {
        for (const mode of [[], ['--json'], ['--sarif']]) {
          const r = cli(['validate', ...mode, ...args]);
          expect(r.status, `${mode.join(' ')} ${args.join(' ')}: ${r.stderr}`).to.equal(code);
          expect(r.stderr).to.equal('');
        }
      });
    }

    it('a path that does not exist: 2, one stderr line naming it, nothing on stdout', function () {
      for (const args of [['missing.ko'], ['tree/good/clean.ko', 'missing.ko'], ['--json', 'missing-dir/'], ['--sarif', 'tree', 'nope.ko']]) {
        const r = cli(['validate', ...args]);
        expectOneLineError(r, `validate ${args.join(' ')}`, { file: args[args.length - 1]!.replace(/\/$/, '') });
        expect(r.stdout).to.equal('');
      }
    });

    it('usage errors: 2, one stderr line', function () {
      const usage: string[][] = [
        [],
        ['--json', '--sarif', 'tree'],
        ['--bogus', 'tree'],
        ['--revision', 'v9', 'tree'],
        ['--endian', 'middle', 'tree'],
        ['--color', 'sometimes', 'tree'],
        ['-o'],
      ];
      for (const args of usage) {
        const r = cli(['validate', ...args]);
        expectOneLineError(r, `validate ${args.join(' ')}`);
        expect(r.stdout).to.equal('');
      }
      const h = cli(['validate', '--help']);
      expect(h.status).to.equal(0);
      expect(h.stdout).to.include('Exit status');
    });

    it('--warnings-as-errors turns a warnings-only file into exit 1, and its warnings into errors', function () {
      const plain = report(cli(['validate', '--json', 'tree/good/warn.ko']), 'warn.ko');
      const f = plain.files[0]!;
      expect(f.status).to.equal('valid');
      expect(f.diagnostics.length).to.be.greaterThan(0);
      expect(f.diagnostics.every((d) => d.severity !== 'error')).to.equal(true);
      const r = cli(['validate', '--json', '--warnings-as-errors', 'tree/good/warn.ko']);
      expect(r.status).to.equal(1);
      const strict = report(r, 'warn.ko --warnings-as-errors');
      const g = strict.files[0]!;
      expect(g.status).to.equal('invalid');
      expect(g.diagnostics.map((d) => ({ ...d, severity: 'x' }))).to.deep.equal(f.diagnostics.map((d) => ({ ...d, severity: 'x' })));
      g.diagnostics.forEach((d, i) => {
        const before = f.diagnostics[i]!.severity;
        expect(d.severity, d.rule).to.equal(before === 'warning' ? 'error' : before);
        expect(d.level, 'the rule level stays SHOULD').to.equal(ruleById(d.rule).level);
      });
      expect(strict.summary.warnings).to.equal(0);
      expect(strict.summary.errors).to.equal(plain.summary.warnings);
      for (const mode of [[], ['--sarif']]) {
        expect(cli(['validate', ...mode, '--warnings-as-errors', 'tree/good/warn.ko']).status, mode.join(' ')).to.equal(1);
        expect(cli(['validate', ...mode, '--warnings-as-errors', 'tree/good/clean.ko']).status, mode.join(' ')).to.equal(0);
      }
      const s = parseSarif(cli(['validate', '--sarif', '--warnings-as-errors', 'tree/good/warn.ko']), 'sarif --warnings-as-errors');
      expect(s.runs[0]!.results!.map((x) => x.level)).to.deep.equal(g.diagnostics.map((d) => d.severity));
    });
  });

  describe('SARIF', function () {
    let mt: Multitool;
    before(function () {
      mt = findMultitool();
    });

    it('the tree: version 2.1.0, catalogue rules with help, results located like the JSON diagnostics, unreadable files as notifications', function () {
      const r = cli(['validate', '--sarif', 'tree']);
      expect(r.status).to.equal(1);
      const log = parseSarif(r, 'validate --sarif tree');
      expectSarifMatches(log, treeJson, 'tree');
      expect(log.runs[0]!.invocations![0]!.toolExecutionNotifications!.length).to.be.greaterThan(1);
      writeFileSync(join(tmp.path, 'tree.sarif'), r.stdout);
    });

    it('absolute paths become file: URIs; the example module and raw sections match their JSON', function () {
      const runs: [string, string[]][] = [
        ['absolute', [join(tmp.path, 'tree', 'bad', 'no-alloc.ko'), resolve(tmp.path, 'tree/broken/tiny.ko')]],
        ['example', ['tree/good/hello.ko']],
        ['broken-raw', ['--raw', 'broken-raw']],
        ['raw-v1', ['--raw', '--revision', 'v1', 'raw/v1-be.bin', 'raw/v1-le.bin']],
      ];
      for (const [name, args] of runs) {
        const json = report(cli(['validate', '--json', ...args]), `json ${name}`);
        const r = cli(['validate', '--sarif', ...args]);
        const log = parseSarif(r, `sarif ${name}`);
        expectSarifMatches(log, json, name);
        writeFileSync(join(tmp.path, `${name}.sarif`), r.stdout);
      }
    });

    it('Sarif.Multitool (@microsoft/sarif-multitool) finds no error in the logs', function () {
      if (!mt.exe) this.skip();
      // The validator is live: a log whose driver has no name is an error.
      const broken = join(tmp.path, 'broken.sarif');
      writeFileSync(broken, JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: {} }, results: [] }] }));
      const control = multitoolValidate(mt.exe!, broken, tmp.path);
      expect(control.some((x) => x.level === 'error'), `the multitool reports a missing driver name: ${JSON.stringify(control)}`).to.equal(true);
      const logs = readdirSync(tmp.path).filter((f) => f.endsWith('.sarif') && f !== 'broken.sarif');
      expect(logs.length).to.be.greaterThan(1);
      for (const f of logs) {
        const results = multitoolValidate(mt.exe!, join(tmp.path, f), tmp.path);
        const errors = results.filter((x) => x.level === 'error');
        expect(errors, `${f}: ${JSON.stringify(errors.slice(0, 5))}`).to.deep.equal([]);
      }
    });
  });

  describe('text report', function () {
    it('the tree: one header per file with diagnostics, hex excerpts with [ ], no ANSI off a terminal, a summary table', function () {
      const r = cli(['validate', 'tree']);
      expect(r.status).to.equal(1);
      expect(ANSI_RE.test(r.stdout), 'no ANSI escapes when stdout is not a terminal').to.equal(false);
      expect(r.stderr).to.equal('');
      expectTextMatches(r.stdout, treeJson, false, 'validate tree');
      const excerpts = r.stdout.split('\n').filter((l) => /^ {4}0x[0-9a-f]{6}:/.test(l));
      expect(excerpts.length).to.be.greaterThan(3);
      for (const l of excerpts) expect(l).to.match(/\[[0-9a-f]{2}/);
    });

    it('--verbose lists files without diagnostics; one file prints no summary', function () {
      const v = cli(['validate', '--verbose', 'tree']);
      expectTextMatches(v.stdout, treeJson, true, 'validate --verbose tree');
      const one = cli(['validate', 'tree/good/clean.ko']);
      expect(one.status).to.equal(0);
      expect(one.stdout.split('\n')[0]).to.match(/^tree\/good\/clean\.ko: \.mod_lineinfo \(\d+ bytes at file 0x[0-9a-f]+\), layout v1-flat little-endian/);
      expect(one.stdout).to.include('\n  valid\n');
      expect(one.stdout).to.not.include('Summary:');
      const rep = report(cli(['validate', '--json', 'tree/bad/reserved.ko', 'tree/good/hello.ko']), 'two files');
      expectTextMatches(cli(['validate', 'tree/bad/reserved.ko', 'tree/good/hello.ko']).stdout, rep, false, 'two files');
    });

    it('colour: --color always paints, never and NO_COLOR on a terminal do not, auto paints on a terminal only', function () {
      const always = cli(['validate', '--color', 'always', 'tree/bad/reserved.ko']);
      expect(ANSI_RE.test(always.stdout), '--color always').to.equal(true);
      expect(always.stdout.replace(/\x1b\[[0-9;]*m/g, '')).to.equal(cli(['validate', 'tree/bad/reserved.ko']).stdout);
      expect(ANSI_RE.test(cli(['validate', '--color', 'never', 'tree/bad/reserved.ko']).stdout), '--color never').to.equal(false);
      const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
      if (script.error || script.status !== 0) return; // no pseudo-terminal helper: the piped cases above still hold
      const onTty = (env: NodeJS.ProcessEnv): string => {
        const r = spawnSync('script', ['-qfec', `"${process.execPath}" "${BIN}" validate tree/bad/reserved.ko`, '/dev/null'], { cwd: tmp.path, encoding: 'utf8', env, timeout: 120_000 });
        return r.stdout;
      };
      const env = { ...process.env };
      delete env.NO_COLOR;
      expect(ANSI_RE.test(onTty(env)), 'auto on a terminal').to.equal(true);
      expect(ANSI_RE.test(onTty({ ...env, NO_COLOR: '1' })), 'NO_COLOR on a terminal').to.equal(false);
    });
  });

  describe('-o', function () {
    it('writes the report to the file instead of stdout, identical to what stdout gets', function () {
      for (const [mode, name] of [[[], 'out.txt'], [['--json'], 'out.json'], [['--sarif'], 'out.sarif']] as const) {
        const dir = join(tmp.path, 'o-same');
        mkdirSync(dir, { recursive: true });
        const target = join(dir, name);
        const r = cli(['validate', ...mode, '-o', target, 'tree']);
        expect(r.status).to.equal(1);
        expect(r.stdout).to.equal('');
        expect(r.stderr).to.equal('');
        expect(readFileSync(target, 'utf8'), name).to.equal(cli(['validate', ...mode, 'tree']).stdout);
      }
      const colour = join(tmp.path, 'o-same', 'colour.txt');
      cli(['validate', '--color', 'always', '-o', colour, 'tree/bad/reserved.ko']);
      expect(ANSI_RE.test(readFileSync(colour, 'utf8')), 'no colour in a file even with --color always').to.equal(false);
    });

    it('replaces the target atomically (a new inode, hard links keep the old contents, no temporary file left)', function () {
      const dir = join(tmp.path, 'o-atomic');
      mkdirSync(dir, { recursive: true });
      const target = join(dir, 'report.json');
      const old = '{"old": true}\n';
      writeFileSync(target, old);
      linkSync(target, join(dir, 'old-link.json'));
      const ino = statSync(target).ino;
      const r = cli(['validate', '--json', '-o', target, 'tree']);
      expect(r.status, r.stderr).to.equal(1);
      expect(statSync(target).ino, 'renamed over, not rewritten in place').to.not.equal(ino);
      expect(readFileSync(join(dir, 'old-link.json'), 'utf8'), 'the old file is untouched').to.equal(old);
      report({ ...r, stdout: readFileSync(target, 'utf8') }, '-o report.json');
      expect(readdirSync(dir).sort()).to.deep.equal(['old-link.json', 'report.json']);
    });

    it('an unwritable target: exit 2, one stderr line naming it, nothing created, nothing on stdout', function () {
      const target = join(tmp.path, 'no-such-dir', 'r.json');
      const r = cli(['validate', '--json', '-o', target, 'tree/good/clean.ko']);
      expectOneLineError(r, 'validate -o into a missing directory', { file: target });
      expect(r.stdout).to.equal('');
      expect(existsSync(join(tmp.path, 'no-such-dir'))).to.equal(false);
      const dirTarget = join(tmp.path, 'o-is-a-dir');
      mkdirSync(dirTarget, { recursive: true });
      const d = cli(['validate', '-o', dirTarget, 'tree/good/clean.ko']);
      expectOneLineError(d, 'validate -o onto a directory', { file: dirTarget });
      expect(readdirSync(dirTarget)).to.deep.equal([]);
      expect(readdirSync(tmp.path).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    });
  });
});

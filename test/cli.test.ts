/**
 * The built `lineinfo` executable, driven as a user would: encode/dump/lookup on every revision
 * and byte order against independent oracles, --help, atomic output, and malformed input of
 * every kind (exit 2, one stderr line naming the file and byte offset, never a stack trace).
 */
import { expect } from 'chai';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Endian } from '../tools/format/endian.js';
import { ENDIANS } from '../tools/format/endian.js';
import type { Entry, LineTable } from '../tools/model/line-table.js';
import type { Layout } from '../tools/revisions/layout.js';
import { LAYOUTS } from '../tools/revisions/registry.js';
import { validator } from '../tools/schemas/json-schemas.js';
import { BIN, lineinfo } from './support/cli.js';
import { expectOneLineError, parsedOptions, stderrLines } from './support/cli-expect.js';
import { bruteLookup, encoderInput, layoutLookup, lookupLine, queryOffsets, referenceNormalise } from './support/oracle.js';
import { rng } from './support/random-tables.js';
import { lineinfoAsync, pool } from './support/run-async.js';
import type { TimedCliResult } from './support/run-async.js';
import { tableWithEntries } from './support/table-set.js';
import { tempDir } from './support/tmp.js';
import { hasTool, run } from './support/toolchain.js';

/** A base table of 200 entries (4 blocks) turned into messy generator rows. */
function fixtureRows(): { files: string[]; rows: Entry[] } {
  const base = tableWithEntries(4242, 200, 12);
  const r = rng(99);
  const rows: Entry[] = [];
  for (const e of base.entries) {
    rows.push(e);
    if (r() < 0.15) rows.push({ offset: e.offset, fileId: e.fileId, line: e.line + 1 + Math.floor(r() * 5) }); // loses to e
    if (r() < 0.05) rows.push({ offset: e.offset + 1, fileId: 0, line: 0 }); // line 0: dropped
    if (r() < 0.05) rows.push({ ...e }); // exact duplicate
  }
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  return { files: [...base.files], rows };
}

const FIX = fixtureRows();
const TABLE: LineTable = { files: FIX.files, entries: referenceNormalise(FIX.rows) };

interface DumpJson {
  layout: string;
  endian: string;
  detected: boolean;
  container: string;
  alsoFits: unknown[];
  source: { kind: string; section: string | null; fileOffset: number; size: number };
  files: { id: number; nameOffset: number; name: string | null }[];
  entries: { offset: number; file: number; line: number }[];
  findings: { rule: string; level: string }[];
}

function parseDump(stdout: string, what: string): DumpJson {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch (e) {
    expect.fail(`${what}: stdout is not JSON: ${(e as Error).message}`);
  }
  const v = validator('section-dump');
  if (!v(json)) expect.fail(`${what}: dump --json does not match schemas/section-dump.schema.json: ${JSON.stringify(v.errors?.slice(0, 3))}`);
  return json as DumpJson;
}

describe('lineinfo CLI', function () {
  let dir: ReturnType<typeof tempDir>;
  let input: string;

  before(function () {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npx tsc -p tsconfig.json first`);
    dir = tempDir('cli');
    input = join(dir.path, 'input.json');
    writeFileSync(input, encoderInput(FIX.files, FIX.rows));
  });
  after(() => dir?.remove());

  it('the fixture exercises normalisation (line 0, repeats, disorder) and spans several blocks', function () {
    expect(FIX.rows.length).to.be.greaterThan(TABLE.entries.length);
    expect(FIX.rows.some((e) => e.line === 0)).to.equal(true);
    expect(TABLE.entries.length).to.be.greaterThan(128);
  });

  describe('encode -> dump --json -> lookup, every revision and byte order', function () {
    for (const layout of LAYOUTS) {
      for (const endian of ENDIANS) {
        it(`${layout.id} ${endian}`, async function () {
          const out = join(dir.path, `${layout.id}-${endian}.bin`);
          const enc = lineinfo(['encode', input, '--revision', layout.id, '--endian', endian, '-o', out]);
          expect(enc.status, enc.stderr).to.equal(0);
          expect(enc.stderr).to.equal('');
          expect(enc.stdout).to.equal('');
          const bytes = readFileSync(out);
          expect(bytes.equals(Buffer.from(layout.encode(TABLE, endian))), 'encoded bytes').to.equal(true);

          const dump = lineinfo(['dump', out, '--revision', layout.id, '--endian', endian, '--json']);
          expect(dump.status, dump.stderr).to.equal(0);
          expect(dump.stderr).to.equal('');
          const d = parseDump(dump.stdout, `dump ${out}`);
          expect(d.layout).to.equal(layout.id);
          expect(d.endian).to.equal(endian);
          expect(d.detected).to.equal(false);
          expect(d.container).to.equal(layout.container);
          expect(d.source).to.deep.equal({ kind: 'raw', section: null, fileOffset: 0, size: bytes.length });
          expect(d.entries.map((e) => ({ offset: e.offset, fileId: e.file, line: e.line }))).to.deep.equal(TABLE.entries);
          expect(d.files.map((f) => f.name)).to.deep.equal(TABLE.files);
          expect(d.findings.filter((f) => f.level === 'MUST')).to.deep.equal([]);

          // lookups: offsets given alternately in hex and decimal
          const qs = queryOffsets(TABLE, 7, 60);
          const args = qs.map((q, i) => (i % 2 ? String(q) : `0x${q.toString(16)}`));
          const want = qs.map((q) => lookupLine(q, layoutLookup(layout, TABLE, q))).join('\n') + '\n';
          const jobs = [
            lineinfoAsync(['lookup', out, ...args, '--revision', layout.id, '--endian', endian]),
            lineinfoAsync(['lookup', out, ...args, '--revision', layout.id, '--endian', endian, '--mode', 'kernel']),
            lineinfoAsync(['lookup', out, ...args]), // detected
          ];
          // --symbol-start: an entry inside the table; answers before it are "-" for revisions
          // whose kernel has the symbol bound, and unaffected for the others (v2 to v6)
          // (one byte past a queried entry, so that the query between it and the next entry loses
          // it: that changes answers under v1's rule and under v7's min_offset alike)
          const es = TABLE.entries;
          const at = es.findIndex((e, i) => i >= 70 && i + 1 < es.length && qs.includes(e.offset + 1) && es[i + 1]!.offset > e.offset + 1);
          expect(at).to.be.above(0);
          const s = es[at]!.offset + 1;
          const wantS = qs.map((q) => lookupLine(q, layoutLookup(layout, TABLE, q, s))).join('\n') + '\n';
          jobs.push(lineinfoAsync(['lookup', out, ...args, '--symbol-start', `0x${s.toString(16)}`, '--revision', layout.id, '--endian', endian]));
          jobs.push(lineinfoAsync(['lookup', out, ...args, '--symbol-start', String(s), '--mode', 'kernel', '--revision', layout.id, '--endian', endian]));
          const [strict, kernel, detected, sym, symKernel] = (await Promise.all(jobs)) as TimedCliResult[];
          for (const [name, r, w] of [['strict', strict, want], ['kernel', kernel, want], ['detected', detected, want], ['--symbol-start', sym, wantS], ['--symbol-start kernel', symKernel, wantS]] as const) {
            expect(r!.status, `${name}: ${r!.stderr}`).to.equal(0);
            expect(r!.stderr, name).to.equal('');
            expect(r!.stdout, name).to.equal(w);
          }
          // the symbol start really changes answers where the revision's kernel has the bound
          if (layout.traits.symbolBound) expect(wantS).to.not.equal(want);
          else expect(wantS).to.equal(want);

          const js = lineinfo(['lookup', out, ...args.slice(0, 12), '--json', '--revision', layout.id, '--endian', endian]);
          expect(js.status, js.stderr).to.equal(0);
          const objs = js.stdout.trim().split('\n').map((l) => JSON.parse(l) as { offset: number; answer: string; file?: string; line?: number });
          expect(objs).to.have.length(12);
          objs.forEach((o, i) => {
            const a = layoutLookup(layout, TABLE, qs[i]!);
            expect(o.offset).to.equal(qs[i]);
            if (a.kind === 'hit') expect({ answer: o.answer, file: o.file, line: o.line }).to.deep.equal({ answer: 'hit', file: a.file, line: a.line });
            else expect(o.answer).to.equal('miss');
          });
        });
      }
    }
  });

  it("encode takes the revision and byte order from the input, and the options override them", function () {
    const withRev = join(dir.path, 'with-rev.json');
    writeFileSync(withRev, encoderInput(FIX.files, FIX.rows, { revision: 'vmlinux-v1-flat', endian: 'be' }));
    const a = join(dir.path, 'rev-from-input.bin');
    expect(lineinfo(['encode', withRev, '-o', a]).status).to.equal(0);
    expect(readFileSync(a).equals(Buffer.from(LAYOUTS.find((l) => l.id === 'vmlinux-v1-flat')!.encode(TABLE, 'be')))).to.equal(true);
    const b = join(dir.path, 'rev-overridden.bin');
    expect(lineinfo(['encode', withRev, '--revision', 'v1-flat', '--endian', 'le', '-o', b]).status).to.equal(0);
    expect(readFileSync(b).equals(Buffer.from(LAYOUTS.find((l) => l.id === 'v1-flat')!.encode(TABLE, 'le')))).to.equal(true);
    const c = join(dir.path, 'defaults.bin');
    expect(lineinfo(['encode', input, '-o', c]).status).to.equal(0);
    expect(readFileSync(c).equals(Buffer.from(LAYOUTS.find((l) => l.id === 'v1')!.encode(TABLE, 'le'))), 'default v1 le').to.equal(true);
  });

  describe('encode -o - (standard output)', function () {
    for (const layout of LAYOUTS) {
      it(`${layout.id}: --asm prints the generator's assembly; without it the section bytes`, function () {
        const asm = lineinfo(['encode', input, '--revision', layout.id, '--asm', '-o', '-']);
        expect(asm.status, asm.stderr).to.equal(0);
        expect(asm.stderr).to.equal('');
        expect(asm.stdout).to.equal(layout.emitAsm(TABLE));
        expect(asm.stdout).to.match(layout.container === 'module' ? /\.section \.mod_lineinfo/ : /lineinfo_num_entries:/);
        const bin = lineinfo(['encode', input, '--revision', layout.id, '--endian', 'be', '-o', '-']);
        expect(bin.status, bin.stderr).to.equal(0);
        expect(bin.stdoutBytes.equals(Buffer.from(layout.encode(TABLE, 'be')))).to.equal(true);
      });
    }
  });

  describe('--help', function () {
    const top = lineinfo(['--help']);
    const commands = [...top.stdout.matchAll(/^ {2}([a-z][a-z-]*)\s{2,}\S/gm)].map((m) => m[1]!);

    it('top level: --help, -h and help exit 0 and list the commands', function () {
      expect(commands).to.include.members(['dump', 'encode', 'lookup']);
      for (const flag of ['--help', '-h', 'help']) {
        const r = lineinfo([flag]);
        expect(r.status, flag).to.equal(0);
        expect(r.stderr, flag).to.equal('');
        for (const c of commands) expect(r.stdout, `${flag} lists ${c}`).to.match(new RegExp(`^\\s+${c}\\s`, 'm'));
      }
    });

    it('top level: mentions every option it parses (--help/-h, --version/-V)', function () {
      const v = lineinfo(['--version']);
      expect(v.status).to.equal(0);
      expect(v.stdout).to.match(/^lineinfo-kit \d+\.\d+\.\d+/);
      expect(lineinfo(['-V']).stdout).to.equal(v.stdout);
      for (const opt of ['--help', '-h', '--version', '-V']) expect(top.stdout, `top-level help mentions ${opt}`).to.include(opt);
    });

    for (const name of [...new Set(['dump', 'encode', 'lookup', ...commands])]) {
      it(`${name} --help / -h: exit 0 and mention every option ${name} parses, and only those`, function () {
        const opts = parsedOptions(name);
        for (const flag of ['--help', '-h']) {
          const r = lineinfo([name, flag]);
          expect(r.status, `${name} ${flag}`).to.equal(0);
          expect(r.stderr).to.equal('');
          for (const o of opts.long) expect(r.stdout, `${name} help mentions --${o}`).to.match(new RegExp(`(^|[\\s,\\[])--${o}\\b`, 'm'));
          for (const s of opts.short) expect(r.stdout, `${name} help mentions -${s}`).to.match(new RegExp(`(^|[\\s,\\[])-${s}\\b`, 'm'));
          // the reverse: every option the synopsis (text up to the first blank line) or the
          // option list (lines starting with a dash) offers is one the command accepts
          const [synopsis = '', ...rest] = r.stdout.split(/\n\s*\n/);
          const optionLines = rest.join('\n').split('\n').filter((l) => /^\s+-/.test(l));
          const offered = [synopsis, ...optionLines].flatMap((t) => [...t.matchAll(/(?:^|[\s,[(|])--([a-z][a-z0-9-]*)/g)].map((m) => m[1]!));
          expect(offered.length, `${name}: options found in the help`).to.be.greaterThan(0);
          for (const m of offered) expect(opts.long, `${name} help offers --${m}, which ${name} does not accept`).to.include(m);
        }
      });
    }

    it('every --option that dump\'s text output suggests is one dump accepts', function () {
      const out = join(dir.path, 'hint.bin');
      expect(lineinfo(['encode', input, '-o', out]).status).to.equal(0);
      const r = lineinfo(['dump', out, '--summary']);
      expect(r.status, r.stderr).to.equal(0);
      const opts = parsedOptions('dump').long;
      const suggested = [...r.stdout.matchAll(/--([a-z][a-z0-9-]*)/g)].map((m) => m[1]!);
      for (const s of suggested) expect(opts, `dump --summary output suggests --${s}`).to.include(s);
    });
  });

  describe('atomic output', function () {
    const expected = (): Buffer => Buffer.from(LAYOUTS.find((l) => l.id === 'v1')!.encode(TABLE, 'le'));

    it('writes the complete file and leaves no temporary file behind', function () {
      const outDir = join(dir.path, 'atomic-1');
      mkdirSync(outDir);
      const out = join(outDir, 'out.bin');
      const r = lineinfo(['encode', input, '-o', out]);
      expect(r.status, r.stderr).to.equal(0);
      expect(readFileSync(out).equals(expected())).to.equal(true);
      expect(readdirSync(outDir)).to.deep.equal(['out.bin']);
    });

    it('replaces an existing output file (a new file renamed over it, not rewritten in place)', function () {
      const outDir = join(dir.path, 'atomic-2');
      mkdirSync(outDir);
      const out = join(outDir, 'out.bin');
      const junk = Buffer.alloc(100_000, 0xa5);
      writeFileSync(out, junk);
      linkSync(out, join(outDir, 'old-link'));
      const inode = statSync(out).ino;
      const r = lineinfo(['encode', input, '-o', out]);
      expect(r.status, r.stderr).to.equal(0);
      expect(readFileSync(out).equals(expected()), 'new content, no stale tail').to.equal(true);
      expect(statSync(out).ino, 'a new inode').to.not.equal(inode);
      expect(readFileSync(join(outDir, 'old-link')).equals(junk), 'the old file was not modified in place').to.equal(true);
      expect(readdirSync(outDir).sort()).to.deep.equal(['old-link', 'out.bin']);
    });

    it('concurrent writers to one output leave exactly one complete version', async function () {
      const outDir = join(dir.path, 'atomic-3');
      mkdirSync(outDir);
      const out = join(outDir, 'out.bin');
      // one writer per distinct byte image (byte-identical twins such as v7/v5 would match twice)
      const variants = LAYOUTS.filter((l) => l.traits.sameBytesAs === undefined).flatMap((l) => ENDIANS.map((e) => ({ l, e })));
      const results = await Promise.all(variants.map(({ l, e }) => lineinfoAsync(['encode', input, '--revision', l.id, '--endian', e, '-o', out])));
      results.forEach((r) => expect(r.status, r.stderr).to.equal(0));
      const got = readFileSync(out);
      const matches = variants.filter(({ l, e }) => got.equals(Buffer.from(l.encode(TABLE, e))));
      expect(matches, 'the output is one writer\'s complete bytes').to.have.length(1);
      expect(readdirSync(outDir)).to.deep.equal(['out.bin']);
    });

    it('an unwritable output is one error line naming it, and leaves nothing behind', function () {
      const outDir = join(dir.path, 'atomic-4');
      mkdirSync(outDir);
      mkdirSync(join(outDir, 'is-a-dir'));
      const missing = join(outDir, 'no', 'such', 'dir', 'out.bin');
      expectOneLineError(lineinfo(['encode', input, '-o', missing]), 'output in a missing directory', { file: missing });
      const isDir = join(outDir, 'is-a-dir');
      expectOneLineError(lineinfo(['encode', input, '-o', isDir]), 'output is a directory', { file: isDir });
      expect(readdirSync(outDir)).to.deep.equal(['is-a-dir']);
      expect(readdirSync(isDir)).to.deep.equal([]);
    });
  });

  describe('malformed input: exit 2, one stderr line naming the file and byte offset', function () {
    interface Case {
      what: string;
      args: string[];
      file?: string;
      offset?: boolean | number;
      maxOffset?: number;
    }
    const runCases = async (cases: Case[]): Promise<void> => {
      const results = await pool(cases.map((c) => () => lineinfoAsync(c.args)), 8);
      const failures: string[] = [];
      results.forEach((r, i) => {
        const c = cases[i]!;
        try {
          expectOneLineError(r, `${c.what}: lineinfo ${c.args.join(' ')}`, c);
          expect(r.ms, `${c.what}: lineinfo ${c.args.join(' ')} took ${r.ms} ms`).to.be.below(30_000);
        } catch (e) {
          failures.push((e as Error).message.split('\n').slice(0, 4).join('\n'));
        }
      });
      if (failures.length) expect.fail(`${failures.length} of ${cases.length} case(s) failed:\n${failures.slice(0, 8).join('\n')}`);
    };
    const sectionCommands = (file: string, flags: string[]): string[][] => [
      ['dump', file, ...flags],
      ['dump', file, '--json', ...flags],
      ['lookup', file, '0x10', ...flags],
    ];

    const section = (layout: Layout, endian: Endian = 'le'): Uint8Array => layout.encode(TABLE, endian);

    for (const layout of LAYOUTS) {
      it(`${layout.id}: every truncation to 0..${layout.headerSize} bytes`, async function () {
        const full = section(layout);
        const cases: Case[] = [];
        for (let len = 0; len <= layout.headerSize; len++) {
          const f = join(dir.path, `trunc-${layout.id}-${len}.bin`);
          writeFileSync(f, full.subarray(0, len));
          for (const args of sectionCommands(f, ['--revision', layout.id, '--endian', 'le'])) cases.push({ what: `${len} bytes`, args, file: f, offset: true, maxOffset: len });
          cases.push({ what: `${len} bytes, detected`, args: ['dump', f], file: f, offset: true, maxOffset: len });
          cases.push({ what: `${len} bytes, detected`, args: ['lookup', f, '0'], file: f, offset: true, maxOffset: len });
        }
        await runCases(cases);
      });

      it(`${layout.id}: truncations inside every array`, async function () {
        const full = section(layout);
        const model = layout.read(full, 'le');
        const cuts = new Set<number>();
        for (const r of model.regions) {
          if (r.kind === 'header') continue;
          cuts.add(r.offset + Math.floor(r.size / 2));
          cuts.add(r.offset + r.size - 1);
          if (r.size > 4) cuts.add(r.offset + 1);
        }
        expect(cuts.size).to.be.greaterThan(5);
        const cases: Case[] = [];
        for (const len of cuts) {
          const f = join(dir.path, `cut-${layout.id}-${len}.bin`);
          writeFileSync(f, full.subarray(0, len));
          for (const args of sectionCommands(f, ['--revision', layout.id, '--endian', 'le'])) cases.push({ what: `cut at ${len}`, args, file: f, offset: true, maxOffset: len });
        }
        await runCases(cases);
      });

      it(`${layout.id}: header fields set to 0xffffffff and 0x80000000`, async function () {
        for (const endian of ENDIANS) {
          const full = section(layout, endian);
          const model = layout.read(full, endian);
          expect(model.header.length).to.be.greaterThan(1);
          const cases: Case[] = [];
          // A descriptor's anchor and size may hold any value (the size only has to reach past
          // the last entry, which 2^31 and 2^32 - 1 both do): such a blob stays valid.
          for (const field of model.header.filter((h) => !/^sections\[\d+\]\.(anchor_lo|anchor_hi|size)$/.test(h.name))) {
            for (const value of [0xffff_ffff, 0x8000_0000]) {
              const bytes = Buffer.from(full);
              if (endian === 'le') bytes.writeUInt32LE(value, field.offset);
              else bytes.writeUInt32BE(value, field.offset);
              const f = join(dir.path, `hdr-${layout.id}-${endian}-${field.name}-${value.toString(16)}.bin`);
              writeFileSync(f, bytes);
              for (const args of sectionCommands(f, ['--revision', layout.id, '--endian', endian])) cases.push({ what: `${field.name} = 0x${value.toString(16)}`, args, file: f, offset: true, maxOffset: bytes.length });
            }
          }
          await runCases(cases);
        }
      });
    }

    it('non-ELF garbage, a tiny file, and a JSON text given as a section', async function () {
      const r = rng(5);
      const garbage = join(dir.path, 'garbage.bin');
      writeFileSync(garbage, Uint8Array.from({ length: 4096 }, () => Math.floor(r() * 256)));
      const tiny = join(dir.path, 'tiny.bin');
      writeFileSync(tiny, 'abc');
      const empty = join(dir.path, 'empty.bin');
      writeFileSync(empty, '');
      const cases: Case[] = [];
      for (const f of [garbage, tiny, empty, input]) {
        const size = statSync(f).size;
        for (const args of sectionCommands(f, [])) cases.push({ what: 'garbage', args, file: f, offset: true, maxOffset: size });
      }
      await runCases(cases);
    });

    it('ELF files with a truncated identification, header, or section header table', async function () {
      let elf: Buffer;
      if (hasTool('gcc')) {
        const c = join(dir.path, 'obj.c');
        writeFileSync(c, 'int f(int x) { return x * 3; }\n');
        run('gcc', ['-c', '-O2', '-o', join(dir.path, 'obj.o'), c]);
        elf = readFileSync(join(dir.path, 'obj.o'));
      } else {
        elf = readFileSync('/bin/ls');
      }
      const shoff = Number(elf.readBigUInt64LE(0x28));
      const shnum = elf.readUInt16LE(0x3c);
      expect(shoff + 64 * shnum).to.be.at.most(elf.length);
      const cases: Case[] = [];
      const variants: [string, Buffer][] = [
        ['identification truncated', elf.subarray(0, 10)],
        ['ELF header truncated', elf.subarray(0, 40)],
        ['section header table truncated', elf.subarray(0, shoff + 64 * shnum - 10)],
        ['section header table cut to its first entry', elf.subarray(0, shoff + 64)],
        ['only the ELF header', elf.subarray(0, 64)],
      ];
      const badShoff = Buffer.from(elf);
      badShoff.writeBigUInt64LE(BigInt(elf.length + 4096), 0x28);
      variants.push(['e_shoff past the end', badShoff]);
      for (const [what, bytes] of variants) {
        const f = join(dir.path, `elf-${what.replace(/\W+/g, '-')}.o`);
        writeFileSync(f, bytes);
        for (const args of sectionCommands(f, [])) cases.push({ what, args, file: f, offset: true, maxOffset: bytes.length });
      }
      await runCases(cases);
    });

    it('a nonexistent path and a directory, for every command', async function () {
      const missing = join(dir.path, 'does-not-exist.bin');
      const cases: Case[] = [];
      for (const f of [missing, dir.path]) {
        for (const args of [...sectionCommands(f, []), ['encode', f, '-o', join(dir.path, 'never.bin')], ['encode', f, '--asm', '-o', '-']]) {
          cases.push({ what: f === missing ? 'missing' : 'directory', args, file: f });
        }
      }
      await runCases(cases);
      expect(existsSync(join(dir.path, 'never.bin'))).to.equal(false);
    });

    it('encode: invalid JSON, non-JSON bytes, JSON failing the schema, a missing file id', async function () {
      const docs: [string, string | Buffer][] = [
        ['truncated JSON', '{"files": ["a.c"], "entries": ['],
        ['trailing comma', '{"files": ["a.c"], "entries": [{"offset": 1, "file": 0, "line": 2},]}'],
        ['empty file', ''],
        ['binary garbage', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0xff, 0xfe, 0, 0x80])],
        ['not an object', '[1, 2, 3]'],
        ['no entries', '{"files": ["a.c"]}'],
        ['negative offset', '{"files": ["a.c"], "entries": [{"offset": -1, "file": 0, "line": 2}]}'],
        ['offset above u32', '{"files": ["a.c"], "entries": [{"offset": 4294967296, "file": 0, "line": 2}]}'],
        ['fractional line', '{"files": ["a.c"], "entries": [{"offset": 1, "file": 0, "line": 2.5}]}'],
        ['file as a string', '{"files": ["a.c"], "entries": [{"offset": 1, "file": "a.c", "line": 2}]}'],
        ['unknown property', '{"files": ["a.c"], "entries": [], "extra": 1}'],
        ['unknown revision in the input', '{"revision": "v9", "files": ["a.c"], "entries": []}'],
        ['NUL in a file name', '{"files": ["a\\u0000b.c"], "entries": []}'],
        ['missing file id', '{"files": ["a.c", "b.c"], "entries": [{"offset": 1, "file": 0, "line": 2}, {"offset": 9, "file": 5, "line": 3}]}'],
        ['file id with no files', '{"files": [], "entries": [{"offset": 1, "file": 0, "line": 2}]}'],
      ];
      const cases: Case[] = [];
      docs.forEach(([what, text], i) => {
        const f = join(dir.path, `bad-input-${i}.json`);
        writeFileSync(f, text);
        cases.push({ what, args: ['encode', f, '-o', join(dir.path, `bad-out-${i}.bin`)], file: f });
        cases.push({ what: `${what} (--asm)`, args: ['encode', f, '--asm', '-o', '-'], file: f });
      });
      await runCases(cases);
      docs.forEach((_, i) => expect(existsSync(join(dir.path, `bad-out-${i}.bin`)), `no output for a bad input ${i}`).to.equal(false));
    });

    // A JSON syntax error is a problem in the bytes: the message should say where, as a byte
    // offset (not a UTF-16 string index). `at` marks the first offending character; for a
    // truncated document it is the end (the first missing byte).
    const jsonSyntax: [string, string, (text: string) => number][] = [
      ['missing comma (ASCII)', '{"files": ["a.c"] "entries": []}', (t) => t.indexOf('"entries"')],
      ['missing comma after non-ASCII names', '{"files": ["é€", "ü"] "entries": []}', (t) => t.indexOf('"entries"')],
      ['unexpected token', '{"files": ["a.c"], "entries": [x]}', (t) => t.indexOf('x')],
      ['unexpected token after non-ASCII', '{"files": ["€€€"], "entries": [x]}', (t) => t.indexOf('x')],
      ['unexpected end', '{"files": ["a.c"], "entries": [', (t) => t.length],
    ];
    for (const [what, text, at] of jsonSyntax) {
      const byteOffset = Buffer.byteLength(text.slice(0, at(text)), 'utf8');
      it(`encode: invalid JSON (${what}) names the byte offset 0x${byteOffset.toString(16)}`, function () {
        const f = join(dir.path, `syntax-${what.replace(/\W+/g, '-')}.json`);
        writeFileSync(f, text);
        expectOneLineError(lineinfo(['encode', f, '-o', '-']), what, { file: f, offset: byteOffset });
      });
    }

    it('unknown --revision / --endian / options, bad OFFSETs and missing operands', async function () {
      const sec = join(dir.path, 'usage.bin');
      writeFileSync(sec, section(LAYOUTS[1]!));
      const cases: Case[] = [];
      for (const cmd of [['dump', sec], ['lookup', sec, '0x10'], ['encode', input, '-o', '-']]) {
        cases.push({ what: 'unknown revision', args: [...cmd, '--revision', 'v9'] });
        cases.push({ what: 'unknown endian', args: [...cmd, '--endian', 'middle'] });
        cases.push({ what: 'empty revision', args: [...cmd, '--revision', ''] });
        cases.push({ what: 'unknown option', args: [...cmd, '--bogus'] });
      }
      for (const bad of ['zz', '-1', '0x100000000', '4294967296', '1.5', '0x', '', '0x10zz', '99999999999999999999999']) {
        // An OFFSET of 2^32 or more is a question with the answer none (test/lookup-queries.test.ts).
        if (!/^(0x)?[0-9]+$/.test(bad)) cases.push({ what: `OFFSET ${JSON.stringify(bad)}`, args: ['lookup', sec, bad] });
        cases.push({ what: `--symbol-start ${JSON.stringify(bad)}`, args: ['lookup', sec, '0x10', '--symbol-start', bad] });
      }
      cases.push({ what: 'lookup without OFFSET', args: ['lookup', sec] });
      cases.push({ what: 'lookup --mode bogus', args: ['lookup', sec, '1', '--mode', 'bogus'] });
      cases.push({ what: 'dump without FILE', args: ['dump'] });
      cases.push({ what: 'dump with two FILEs', args: ['dump', sec, sec] });
      cases.push({ what: 'encode without -o', args: ['encode', input] });
      cases.push({ what: 'unknown command', args: ['frobnicate'] });
      cases.push({ what: 'lookup with two --mode values, the second bad', args: ['lookup', sec, '1', '--mode', 'kernel', '--mode', 'x'] });
      await runCases(cases);
    });
  });

  describe('lookup --mode kernel on sections that make the kernel read out of bounds', function () {
    const v1 = LAYOUTS.find((l) => l.id === 'v1')!;
    const vmlinuxV1 = LAYOUTS.find((l) => l.id === 'vmlinux-v1')!;

    const expectFault = (file: string, q: number, extra: string[] = []): void => {
      const k = lineinfo(['lookup', file, `0x${q.toString(16)}`, '--mode', 'kernel', ...extra]);
      expect(k.status, k.stderr).to.equal(0);
      expect(k.stdout).to.equal(`0x${q.toString(16)} -\n`);
      const lines = stderrLines(k);
      expect(lines, k.stderr).to.have.length(1);
      expect(lines[0]).to.match(/^lineinfo: /);
      expect(lines[0]).to.include('warning');
      expect(lines[0]).to.include(file);
      expect(lines[0]).to.match(/0x[0-9a-f]+/);
      expect(k.stderr).to.not.match(/^\s{4}at /m);
      // strict mode refuses the table instead
      expectOneLineError(lineinfo(['lookup', file, `0x${q.toString(16)}`, ...extra]), 'strict lookup of a broken table', { file, offset: true });
    };

    it('v1: block_offsets[1..2] far past the section', function () {
      const bytes = Buffer.from(v1.encode(TABLE, 'le'));
      const b = bytes.readUInt32LE(12);
      expect(b).to.be.at.least(3);
      const offsetsOff = 24 + 4 * b;
      bytes.writeUInt32LE(0x7fff_0000, offsetsOff + 4);
      bytes.writeUInt32LE(0x7fff_ffff, offsetsOff + 8);
      const f = join(dir.path, 'kernel-oob-blocks.bin');
      writeFileSync(f, bytes);
      const q = TABLE.entries[64]!.offset + 1; // in block 1
      expectFault(f, q, ['--revision', 'v1', '--endian', 'le']);
      // block 0 is intact: the kernel still answers there, as the oracle does
      const q0 = TABLE.entries[10]!.offset;
      const k0 = lineinfo(['lookup', f, `0x${q0.toString(16)}`, '--mode', 'kernel', '--revision', 'v1', '--endian', 'le']);
      expect(k0.status).to.equal(0);
      expect(k0.stdout).to.equal(lookupLine(q0, bruteLookup(TABLE, q0)) + '\n');
      expect(k0.stderr).to.equal('');
    });

    it('v1: data_size 0xffffffff (the u32 size check wraps) and a last block that never terminates', function () {
      const bytes = Buffer.from(v1.encode(TABLE, 'le'));
      const b = bytes.readUInt32LE(12);
      const offsetsOff = 24 + 4 * b;
      const dataOff = offsetsOff + 4 * b;
      const lastStart = bytes.readUInt32LE(offsetsOff + 4 * (b - 1));
      bytes.writeUInt32LE(0xffff_ffff, 16);
      bytes.fill(0xff, dataOff + lastStart);
      const f = join(dir.path, 'kernel-oob-wrap.bin');
      writeFileSync(f, bytes);
      const q = TABLE.entries[TABLE.entries.length - 1]!.offset;
      expectFault(f, q, ['--revision', 'v1', '--endian', 'le']);
    });

    it('vmlinux-v1: the last block is read unbounded past the image', function () {
      const bytes = Buffer.from(vmlinuxV1.encode(TABLE, 'le'));
      const b = bytes.readUInt32LE(8);
      const offsetsOff = 12 + 4 * b;
      const dataOff = offsetsOff + 4 * b;
      const lastStart = bytes.readUInt32LE(offsetsOff + 4 * (b - 1));
      bytes.fill(0xff, dataOff + lastStart);
      const f = join(dir.path, 'kernel-oob-vmlinux.bin');
      writeFileSync(f, bytes);
      expectFault(f, TABLE.entries[TABLE.entries.length - 1]!.offset, ['--revision', 'vmlinux-v1', '--endian', 'le']);
    });

    it('on valid sections, kernel mode answers exactly like strict mode', function () {
      for (const layout of LAYOUTS) {
        const f = join(dir.path, `${layout.id}-le.bin`);
        if (!existsSync(f)) writeFileSync(f, layout.encode(TABLE, 'le'));
        const qs = queryOffsets(TABLE, 3, 20).map((q) => `0x${q.toString(16)}`);
        const s = lineinfo(['lookup', f, ...qs]);
        const k = lineinfo(['lookup', f, ...qs, '--mode', 'kernel']);
        expect(s.status).to.equal(0);
        expect(k.stdout, layout.id).to.equal(s.stdout);
        expect(k.stderr).to.equal('');
      }
    });
  });
});

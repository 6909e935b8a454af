/**
 * `dump` and strict `lookup` of a module with sectioned blobs (v7), built during the test from C
 * with functions in `.text`, `.init.text`, `.exit.text` and `.noinstr.text` (x86_64 gcc/as/ld;
 * skipped where missing):
 *
 *  - dump shows both blobs, every descriptor with the section its anchor relocation targets, and
 *    every table's header, block index and entries (labelled by section), in text and JSON (the
 *    JSON valid against schemas/section-dump.schema.json, which rejects a table without its
 *    descriptor fields); a raw blob shows all its tables; --summary stays short;
 *  - a module whose assembly anchors `.exit.text`'s descriptor at `.text` (LI-SEC-006, an
 *    ELF-container rule) is an error for dump (exit 2, finding listed) and for strict lookup, as
 *    it is for validate; `--mode kernel` still answers.
 */
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from './support/in-process-cli.js';
import { parseElf } from '../tools/elf/elf-file.js';
import { moduleSectionTables } from '../tools/generator/section-tables.js';
import { entryObjects } from '../tools/model/line-table.js';
import { validator } from '../tools/schemas/json-schemas.js';
import type { SectionDump } from '../tools/dump/section-dump.js';
import { tempDir } from './support/tmp.js';
import { have, must } from './support/processes.js';

const A_C = `int counter;
int text_fn(int x)
{
	counter += x;
	if (counter > 10)
		counter = 0;
	return counter * 3;
}
__attribute__((section(".init.text"))) int init_fn(void)
{
	counter = 5;
	return text_fn(2);
}
__attribute__((section(".exit.text"))) void exit_fn(void)
{
	counter = 0;
}
`;

const B_C = `extern int counter;
__attribute__((section(".noinstr.text"))) int noinstr_fn(int y)
{
	int z = y + counter;
	return z * 2;
}
int helper(int z)
{
	if (z > 3)
		return z * 2;
	return z + counter;
}
`;


function schemaValid(json: unknown, what: string): void {
  const v = validator('section-dump');
  if (!v(json)) expect.fail(`${what}: dump --json does not match schemas/section-dump.schema.json: ${JSON.stringify(v.errors?.slice(0, 3))}`);
}

describe('dump and strict lookup of a v7 module (both blobs, every table, container rules)', function () {
  this.timeout(600_000);
  const tmp = tempDir('module-dump');
  after(() => tmp.remove());
  let ko = '';
  let embedded = '';

  before(async function () {
    if (!have('gcc') || !have('ld') || !have('as')) this.skip();
    writeFileSync(join(tmp.path, 'a.c'), A_C);
    writeFileSync(join(tmp.path, 'b.c'), B_C);
    for (const f of ['a', 'b']) must('gcc', ['-g', '-O1', '-c', `${f}.c`, '-o', `${f}.o`], tmp.path);
    must('ld', ['-r', 'a.o', 'b.o', '-o', 'm.ko'], tmp.path);
    ko = join(tmp.path, 'm.ko');
    embedded = join(tmp.path, 'e.ko');
    const r = await cli(['encode', ko, '--revision', 'v7', '--embed', '-o', embedded]);
    expect(r.status, r.err).to.equal(0);
  });

  /** What the generator puts in each covered section's table: "section offset file:line". */
  function expectedEntries(): { persistent: string[]; init: string[] } {
    const t = moduleSectionTables(parseElf(readFileSync(ko), ko), 'v7');
    const rows = (blob: typeof t.persistent): string[] =>
      blob.sections.flatMap((s) => {
        return entryObjects(s.entries).map((x) => `${s.name} ${x.offset} ${t.files[x.fileId]}:${x.line}`);
      });
    return { persistent: rows(t.persistent), init: rows(t.init) };
  }

  it('--json: both blobs, each descriptor with its relocation target, every table\'s header, blocks and entries', async function () {
    const r = await cli(['dump', embedded, '--json']);
    expect(r.status, r.err).to.equal(0);
    const d = JSON.parse(r.out) as SectionDump;
    schemaValid(d, 'dump e.ko');
    expect(d.layout).to.equal('v7');
    expect(d.source.section).to.equal('.mod_lineinfo');
    expect(d.initBlob?.source.section).to.equal('.init.mod_lineinfo');
    const tables = d.tables!;
    expect(tables.map((t) => t.section)).to.deep.equal(['.text', '.exit.text', '.noinstr.text']);
    expect(d.initBlob!.tables!.map((t) => t.section)).to.deep.equal(['.init.text']);
    const elf = parseElf(readFileSync(embedded), embedded);
    for (const t of [...tables, ...d.initBlob!.tables!]) {
      expect(t.relocations).to.deep.equal([{ type: 'R_X86_64_64', offset: t.descriptorOffset, section: t.section, target: '0x0' }]);
      expect(t.anchor).to.equal('0x0');
      expect(t.size).to.equal(elf.sectionByName(t.section!)!.size);
      expect(t.decoded).to.equal(true);
      expect(t.header.map((f) => f.name)).to.deep.equal(['num_entries', 'num_blocks', 'num_files', 'blocks_offset', 'blocks_size', 'data_offset', 'data_size', 'files_offset', 'files_size', 'filenames_offset', 'filenames_size']);
      expect(t.header[0]!.offset).to.equal(t.tableOffset);
      expect(t.blocks!.length).to.equal(t.header[1]!.value);
      expect(t.entryCount).to.equal(t.header[0]!.value);
    }
    const label = (b: NonNullable<SectionDump['initBlob']>): string[] =>
      b.entries.map((e) => `${e.section} ${e.offset} ${b.tables![e.table!]!.files[e.file]!.name}:${e.line}`);
    const want = expectedEntries();
    expect(label(d)).to.deep.equal(want.persistent);
    expect(label(d.initBlob!)).to.deep.equal(want.init);
    // every covered section has entries in this module
    expect(new Set(want.persistent.map((l) => l.split(' ')[0]))).to.deep.equal(new Set(['.text', '.exit.text', '.noinstr.text']));
  });

  it('text: every table of both blobs with its header, blocks and entries; --summary is short', async function () {
    const r = await cli(['dump', embedded]);
    expect(r.status, r.err).to.equal(0);
    const want = expectedEntries();
    for (const s of ['.text', '.exit.text', '.noinstr.text', '.init.text']) {
      const n = [...want.persistent, ...want.init].filter((l) => l.startsWith(`${s} `)).length;
      expect(r.out).to.include(`Entries of ${s} (${n}):`);
      expect(r.out).to.match(new RegExp(`Table \\d \\(${s.replace(/\./g, '\\.')}\\), header at`));
      expect(r.out).to.match(new RegExp(`\\s${s.replace(/\./g, '\\.')} \\(R_X86_64_64\\)\\s`));
    }
    expect(r.out).to.include('Blob: section .mod_lineinfo');
    expect(r.out).to.include('Blob: section .init.mod_lineinfo');
    expect(r.out.match(/^ {2}Blocks \(\d+\):$/gm)?.length).to.equal(4);
    expect(r.out.match(/^ {4}num_entries/gm)).to.equal(null); // header lines carry offsets
    expect(r.out.match(/^ {4}0x[0-9a-f]{4} {2}num_entries /gm)?.length).to.equal(4);
    const entryLines = r.out.split('\n').filter((l) => /^ {4}0x[0-9a-f]{8} +\d+ +\d+ +\S+:\d+$/.test(l));
    expect(entryLines.length).to.equal(want.persistent.length + want.init.length);

    const s = await cli(['dump', embedded, '--summary']);
    expect(s.status, s.err).to.equal(0);
    expect(s.out).to.not.include('Entries of');
    expect(s.out).to.match(/Table 0 \(\.text\): \d+ entries/);
    expect(s.out).to.match(/Table 0 \(\.init\.text\): \d+ entries/);
    expect(s.out.split('\n').length).to.be.below(r.out.split('\n').length / 2);
  });

  it('a raw sectioned blob shows all its tables', async function () {
    const blob = join(tmp.path, 'p.bin');
    expect((await cli(['encode', ko, '--revision', 'v7', '-o', blob])).status).to.equal(0);
    const r = await cli(['dump', blob, '--json', '--revision', 'v7']);
    expect(r.status, r.err).to.equal(0);
    const d = JSON.parse(r.out) as SectionDump;
    schemaValid(d, 'dump p.bin');
    expect(d.initBlob).to.equal(null);
    expect(d.tables!.map((t) => [t.index, t.section, t.relocations])).to.deep.equal([[0, null, null], [1, null, null], [2, null, null]]);
    expect(d.entries.map((e) => e.table)).to.deep.equal(expectedEntries().persistent.map((l) => ['.text', '.exit.text', '.noinstr.text'].indexOf(l.split(' ')[0]!)));
    const text = await cli(['dump', blob]);
    expect(text.out.match(/^Table \d, header at/gm)?.length).to.equal(3);
  });

  it('the schema rejects a table without its descriptor fields and an entry with unknown properties', async function () {
    const d = JSON.parse((await cli(['dump', embedded, '--json'])).out) as Record<string, unknown> & SectionDump;
    const v = validator('section-dump');
    const noSection = structuredClone(d) as unknown as { tables: Record<string, unknown>[] };
    delete noSection.tables[0]!.section;
    expect(v(noSection)).to.equal(false);
    const extra = structuredClone(d) as unknown as { initBlob: { entries: Record<string, unknown>[] } };
    extra.initBlob.entries[0]!.bogus = 1;
    expect(v(extra)).to.equal(false);
    const badAnchor = structuredClone(d) as unknown as { tables: { anchor: unknown }[] };
    badAnchor.tables[0]!.anchor = 0;
    expect(v(badAnchor)).to.equal(false);
  });

  describe('an anchor relocated against the wrong section (LI-SEC-006)', function () {
    let wrong = '';
    before(async function () {
      const asm = await cli(['encode', ko, '--revision', 'v7', '--asm']);
      expect(asm.status, asm.err).to.equal(0);
      expect(asm.out).to.include('.quad .exit.text');
      writeFileSync(join(tmp.path, 'wrong.s'), asm.out.replace('.quad .exit.text', '.quad .text'));
      must('as', ['wrong.s', '-o', 'wrong.o'], tmp.path);
      must('ld', ['-r', 'wrong.o', 'm.ko', '-o', 'wrong.ko'], tmp.path);
      wrong = join(tmp.path, 'wrong.ko');
    });

    it('validate reports it (the reference for dump and lookup)', async function () {
      const r = await cli(['validate', wrong]);
      expect(r.status).to.equal(1);
      expect(r.out).to.include('LI-SEC-006');
    });

    it('dump lists the finding and exits 2, naming it on stderr', async function () {
      for (const args of [[wrong], [wrong, '--json'], [wrong, '--summary']]) {
        const r = await cli(['dump', ...args]);
        expect(r.status, args.join(' ')).to.equal(2);
        expect(r.err).to.match(/^lineinfo: .*wrong\.ko: 0x[0-9a-f]+: \.mod_lineinfo: LI-SEC-006: .*\n$/);
        if (args.includes('--json')) {
          const d = JSON.parse(r.out) as SectionDump;
          schemaValid(d, 'dump wrong.ko');
          expect(d.findings.map((f) => [f.rule, f.field, f.severity])).to.deep.equal([['LI-SEC-006', 'sections[1].anchor', 'error']]);
          expect(d.tables![1]!.section).to.equal('.text');
        } else {
          expect(r.out).to.match(/error +LI-SEC-006 +0x18 sections\[1\]\.anchor/);
          expect(r.out).to.not.include('Findings: none\n\nBlob: section .init');
        }
      }
    });

    it('strict lookup refuses the module (exit 2); --mode kernel still answers', async function () {
      const r = await cli(['lookup', wrong, 'text_fn+0x4']);
      expect(r.status).to.equal(2);
      expect(r.out).to.equal('');
      expect(r.err).to.match(/\.mod_lineinfo: LI-SEC-006: .*use --mode kernel/);
      const k = await cli(['lookup', wrong, 'text_fn+0x4', '--mode', 'kernel']);
      expect(k.status, k.err).to.equal(0);
      expect(k.out).to.match(/^text_fn\+0x4 a\.c:\d+\n$/);
      // the intact module answers in strict mode
      const ok = await cli(['lookup', embedded, 'text_fn+0x4']);
      expect(ok.status, ok.err).to.equal(0);
      expect(ok.out).to.equal(k.out);
    });
  });
});

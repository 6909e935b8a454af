/**
 * Re-encoding a module's lineinfo to another revision with `encode --embed` (which replaces the
 * existing lineinfo): the old blobs' relocation sections and init blob belong to the old
 * lineinfo and are removed, later sections' indices shift and every sh_link, sh_info, st_shndx
 * and relocation keeps its meaning (readelf shows the same symbols, relocations and code), and
 * the result validates. v7 -> v2, v2 -> v7, v7 -> v5, and a module whose blobs were linked in by
 * `ld -r` from the --asm output (blobs in the middle of the section table, with section symbols).
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from './support/in-process-cli.js';
import { validateFileReports } from '../tools/validate/validate-file.js';
import { tempDir } from './support/tmp.js';
import { have, must, sh } from './support/processes.js';

const A_C = `int counter;
int text_fn(int x) { counter += x; if (counter > 10) counter = 0; return counter * 3; }
__attribute__((section(".init.text"))) int init_fn(void) { counter = 5; return text_fn(2); }
__attribute__((section(".exit.text"))) void exit_fn(void) { counter = 0; }
`;
const B_C = `extern int counter;
__attribute__((section(".noinstr.text"))) int noinstr_fn(int y) { int z = y + counter; return z * 2; }
int helper(int z) { if (z > 3) return z * 2; return z + counter; }
`;


const LINEINFO = /mod_lineinfo/;

/** readelf's view of everything but the lineinfo: section names/types/flags, symbols by name and section, relocations by symbol name. */
function shape(file: string): { sections: string[]; symbols: string[]; relocs: string[]; code: string } {
  const r = sh('readelf', ['-SsW', file]);
  expect(r.stderr, `readelf warnings on ${file}`).to.equal('');
  const names = new Map<string, string>();
  const sections: string[] = [];
  for (const m of r.stdout.matchAll(/^\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+\S+\s+(\S*)\s+\d+\s+\d+\s+\d+$/gm)) {
    names.set(m[1]!, m[2]!);
    // .symtab's size counts the lineinfo blobs' section symbols, compared (and left out) below
    if (!LINEINFO.test(m[2]!) && m[2] !== '.shstrtab') sections.push(`${m[2]} ${m[3]} ${m[3] === 'SYMTAB' ? '-' : m[4]} ${m[5]}`);
  }
  const symbols = [...r.stdout.matchAll(/^\s*\d+: [0-9a-f]+\s+\d+ (\S+)\s+(\S+)\s+\S+\s+(\S+) ?(.*)$/gm)]
    .map((m) => `${m[1]} ${m[2]} ${names.get(m[3]!) ?? m[3]} ${m[4]}`).filter((s) => !LINEINFO.test(s));
  const relocs = sh('readelf', ['-rW', file]).stdout.split(/\n(?=Relocation section)/).filter((s) => s.startsWith('Relocation section') && !LINEINFO.test(s.split('\n')[0]!))
    .map((s) => s.replace(/ at offset 0x[0-9a-f]+/, '').replace(/^([0-9a-f]{8,16})\s+[0-9a-f]{8,16}\s/gm, '$1 ')); // r_info's symbol index may shift
  const code = must('objdump', ['-d', file]).split(file).join('FILE');
  return { sections, symbols, relocs, code };
}

function sameShape(got: ReturnType<typeof shape>, want: ReturnType<typeof shape>): void {
  for (const k of ['sections', 'symbols', 'relocs', 'code'] as const) expect(got[k], k).to.deep.equal(want[k]);
}

describe('encode --embed replaces a module\'s lineinfo of another revision', function () {
  this.timeout(600_000);
  const tmp = tempDir('reencode');
  after(() => tmp.remove());
  let ko = '';
  const p = (f: string): string => join(tmp.path, f);

  before(function () {
    if (!have('gcc') || !have('ld') || !have('as') || !have('readelf') || !have('objdump')) this.skip();
    writeFileSync(p('a.c'), A_C);
    writeFileSync(p('b.c'), B_C);
    for (const f of ['a', 'b']) must('gcc', ['-g', '-O1', '-c', `${f}.c`, '-o', `${f}.o`], tmp.path);
    must('ld', ['-r', 'a.o', 'b.o', '-o', 'm.ko'], tmp.path);
    ko = p('m.ko');
  });

  async function encode(input: string, revision: string, out: string): Promise<void> {
    const r = await cli(['encode', input, '--revision', revision, '--embed', '-o', p(out)]);
    expect(r.status, `${revision}: ${r.err}`).to.equal(0);
  }

  function expectValid(file: string, blobs: string[], layout?: 'v5'): void {
    const reports = validateFileReports(file, layout ? { layout } : {});
    expect(reports.map((r) => r.section?.name)).to.deep.equal(blobs);
    for (const r of reports) expect(r.diagnostics.filter((d) => d.severity === 'error'), `${file} ${r.section?.name}`).to.deep.equal([]);
  }

  const lineinfoSections = (file: string): string[] => [...must('readelf', ['-SW', file]).matchAll(/\]\s+(\S*mod_lineinfo)\s/g)].map((m) => m[1]!);

  it('v7 -> v2: the relocation sections and .init.mod_lineinfo go; the rest keeps its meaning; valid', async function () {
    await encode(ko, 'v7', 'e7.ko');
    await encode(p('e7.ko'), 'v2', 'r2.ko');
    expect(lineinfoSections(p('r2.ko'))).to.deep.equal(['.mod_lineinfo']);
    sameShape(shape(p('r2.ko')), shape(ko));
    expectValid(p('r2.ko'), ['.mod_lineinfo']);
    const l = await cli(['lookup', p('r2.ko'), 'text_fn+0x4']);
    expect(l.status, l.err).to.equal(0);
    expect(l.out).to.match(/^text_fn\+0x4 a\.c:\d+\n$/);
  });

  it('v2 -> v7 and v7 -> v5: both blobs with their relocations; valid', async function () {
    await encode(p('r2.ko'), 'v7', 'r7.ko');
    expect(lineinfoSections(p('r7.ko'))).to.deep.equal(['.mod_lineinfo', '.rela.mod_lineinfo', '.init.mod_lineinfo', '.rela.init.mod_lineinfo']);
    sameShape(shape(p('r7.ko')), shape(ko));
    expectValid(p('r7.ko'), ['.mod_lineinfo', '.init.mod_lineinfo']);
    await encode(p('e7.ko'), 'v5', 'r5.ko');
    sameShape(shape(p('r5.ko')), shape(ko));
    expect(must('readelf', ['-rW', p('r5.ko')])).to.not.match(/\.rela\.mod_lineinfo[^]*\.noinstr\.text[^]*Relocation section '\.rela\.init/);
    expectValid(p('r5.ko'), ['.mod_lineinfo', '.init.mod_lineinfo'], 'v5');
  });

  it('blobs linked in by ld -r (in the middle, with section symbols): removed and renumbered; valid', async function () {
    const asm = await cli(['encode', ko, '--revision', 'v7', '--asm']);
    writeFileSync(p('li.s'), asm.out);
    must('as', ['li.s', '-o', 'li.o'], tmp.path);
    must('ld', ['-r', 'li.o', 'm.ko', '-o', 'asm.ko'], tmp.path);
    const before = shape(p('asm.ko'));
    expect(must('readelf', ['-sW', p('asm.ko')])).to.match(/SECTION LOCAL\s+DEFAULT\s+\d+ \.init\.mod_lineinfo/);
    await encode(p('asm.ko'), 'v2', 'asm2.ko');
    expect(lineinfoSections(p('asm2.ko'))).to.deep.equal(['.mod_lineinfo']);
    sameShape(shape(p('asm2.ko')), before);
    expectValid(p('asm2.ko'), ['.mod_lineinfo']);
    await encode(p('asm2.ko'), 'v7', 'asm7.ko');
    sameShape(shape(p('asm7.ko')), before);
    expectValid(p('asm7.ko'), ['.mod_lineinfo', '.init.mod_lineinfo']);
  });
});

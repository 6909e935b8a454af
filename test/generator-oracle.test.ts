/**
 * `lineinfo encode OBJECT` against an independent oracle: test/oracle/libdw_lineinfo.c, a small
 * C program that reads line tables with libdw (elfutils) and applies the kernel generator's rules
 * as spec/FORMAT.md states them. libdw does not relocate ET_REL objects, so the oracle reads a
 * LINKED COPY of the module-like object, in which every allocated section has its own address
 * (.text at 0x10000) and ld has applied the DWARF relocations. The claim under test: for the
 * relocatable object, our encoder (which applies the relocations itself and assigns rows to
 * sections by their DW_LNE_set_address relocation) emits exactly the bytes the generator emits
 * for relocated DWARF. Also vmlinux mode (a tiny ET_EXEC with `_text`), and lookups against
 * addr2line. Targets: the host gcc and every installed cross gcc + binutils (aarch64, ppc64 big-
 * and little-endian, arm, s390x, riscv64, i686 or gcc -m32); missing ones are skipped. A negative
 * control shows the comparison can fail: the oracle on the unrelocated object disagrees.
 */
import { expect } from 'chai';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseElf } from '../tools/elf/elf-file.js';
import { tableFromDwarf } from '../tools/generator/dwarf-entries.js';
import type { LineTable } from '../tools/model/line-table.js';
import { tempDir } from './support/tmp.js';
import { buildOracle, rowsByAddress, sectionRows as sections } from './support/dwarf-oracles.js';
import type { ReadelfSectionRow as Section } from './support/dwarf-oracles.js';
import { cliOk as cli, have, must, sh } from './support/processes.js';

function elfHeader(file: string): { type: string; bits: 32 | 64; endian: 'le' | 'be' } {
  const h = must('readelf', ['-hW', file]);
  return {
    type: /Type:\s+(\S+)/.exec(h)?.[1] ?? '?',
    bits: /Class:\s+ELF64/.test(h) ? 64 : 32,
    endian: /big endian/.test(h) ? 'be' : 'le',
  };
}

const TEXT_ADDR = 0x10000n;
const HEAD_ADDR = 0x1000n;
const FAR_ADDR = 0x1_0001_0000n;

/**
 * A linker script that keeps every allocated input section in an output section of its own name
 * (so .text keeps exactly its contents, unlike ld's default script, which merges .text.unlikely
 * and friends into .text): .text at 0x10000, .head.text below it at 0x1000, every other code
 * section in its own 1 MiB slot, data after them, and (64-bit, `far`) .text.far more than 4 GiB
 * past .text. `vmlinux` defines `_text` at the start of .text.
 */
function linkerScript(secs: readonly Section[], opts: { vmlinux: boolean; far: boolean }): string {
  const names = [...new Set(secs.filter((s) => s.flags.includes('A')).map((s) => s.name))];
  const code = names.filter((n) => secs.find((s) => s.name === n)!.flags.includes('X'));
  const data = names.filter((n) => !code.includes(n));
  const lines = ['SECTIONS {'];
  let slot = 1n;
  const place = (name: string, addr: bigint | null): void => {
    const body = name === '.text' && opts.vmlinux ? `_text = .; *(${name})` : `*(${name})`;
    lines.push(`  ${name} ${addr === null ? '' : `0x${addr.toString(16)} `}: { ${body} }`);
  };
  if (code.includes('.head.text')) place('.head.text', HEAD_ADDR);
  place('.text', TEXT_ADDR);
  for (const n of code) if (n !== '.text' && n !== '.head.text' && !(opts.far && n === '.text.far')) place(n, 0x100000n * ++slot);
  for (const n of data) place(n, null);
  if (opts.far && code.includes('.text.far')) place('.text.far', FAR_ADDR);
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** Links `obj` into an ET_EXEC whose sections all have their own addresses; DWARF relocated. */
function linkCopy(ld: readonly string[], obj: string, out: string, opts: { vmlinux: boolean; far: boolean }): void {
  const script = `${out}.lds`;
  writeFileSync(script, linkerScript(sections(obj), opts));
  must(ld[0]!, [...ld.slice(1), '-o', out, '-e', '0', '-nostdlib', '--unresolved-symbols=ignore-all', '-T', script, obj]);
}

interface OracleJson { files: string[]; entries: { offset: number; file: number; line: number }[] }

function runOracle(oracle: string, mode: 'module' | 'vmlinux', file: string, json: string): OracleJson {
  const text = must(oracle, [mode, file]);
  writeFileSync(json, text);
  return JSON.parse(text) as OracleJson;
}

/** Our table for the relocatable object, in the oracle's JSON shape. */
function ourTable(file: string, mode: 'module' | 'vmlinux'): OracleJson {
  const t: LineTable = tableFromDwarf(parseElf(readFileSync(file), file), mode).table;
  return { files: [...t.files], entries: t.entries.map((e) => ({ offset: e.offset, file: e.fileId, line: e.line })) };
}

/** The differing entries, by offset, with file names: "0x1a: oracle a.c:3 | ours -". */
function tableDiff(oracle: OracleJson, ours: OracleJson, max = 40): string {
  const show = (t: OracleJson, e: OracleJson['entries'][number] | undefined): string => (e ? `${t.files[e.file]}:${e.line}` : '-');
  const byOff = (t: OracleJson): Map<number, OracleJson['entries'][number]> => new Map(t.entries.map((e) => [e.offset, e]));
  const a = byOff(oracle);
  const b = byOff(ours);
  const out: string[] = [];
  if (JSON.stringify(oracle.files) !== JSON.stringify(ours.files)) out.push(`files: oracle ${JSON.stringify(oracle.files)} | ours ${JSON.stringify(ours.files)}`);
  for (const off of [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => x - y)) {
    const l = show(oracle, a.get(off));
    const r = show(ours, b.get(off));
    if (l !== r) out.push(`0x${off.toString(16)}: oracle ${l} | ours ${r}`);
  }
  return out.length > max ? [...out.slice(0, max), `... ${out.length - max} more`].join('\n') : out.join('\n');
}

/** `addr2line -e FILE ADDR...` as "basename:line" (discriminators dropped). */
function addr2line(tool: string, file: string, addrs: readonly bigint[], extra: readonly string[] = []): string[] {
  const out = must(tool, ['-e', file, ...extra, ...addrs.map((a) => `0x${a.toString(16)}`)]).trim().split('\n');
  return out.map((l) => {
    const m = /^(.*):(\d+|\?)(?: \(discriminator \d+\))?$/.exec(l.trim());
    return m ? `${basename(m[1]!)}:${m[2]}` : l;
  });
}

// ---------------------------------------------------------------------------------------------
// Sources: several units, an inline function from a header (relative include dir), one from a
// header outside the compilation directory (absolute -I, so the generator keeps its basename), a
// cold function and a cold branch (.text.unlikely), .init.text / .exit.text functions, one
// below _text (.head.text) and one more than 4 GiB past it (.text.far, 64-bit only), a unit
// compiled from the source root as drivers/sub/work.c, one compiled inside drivers/sub, and one
// compiled by absolute path.

const HELPERS_H = `static inline int helper_mix(int a, int b)
{
	int r = a * 31 + b;

	if (r & 1)
		r ^= 0x55;
	return r;
}
`;
const EXT_H = `static inline unsigned ext_rot(unsigned x, int n)
{
	return (x << n) | (x >> (32 - n));
}
`;
const MAIN_C = `#include "helpers.h"
#include "ext.h"
extern int sub_work(int);
extern void report(const char *, int);
int table[64];

__attribute__((cold, noinline)) void main_fail(int code)
{
	report("main failed", code);
	report("again", code + 1);
}

int main_compute(int n)
{
	int acc = 0;

	for (int i = 0; i < n; i++) {
		acc += helper_mix(acc, table[i & 63]);
		if (__builtin_expect(acc < -1000, 0)) {
			report("negative", acc);
			main_fail(acc);
		}
	}
	return acc + (int)ext_rot((unsigned)acc, 5);
}

__attribute__((section(".init.text"), noinline)) int main_init(void)
{
	for (int i = 0; i < 64; i++)
		table[i] = helper_mix(i, 3);
	return sub_work(main_compute(7));
}

__attribute__((section(".exit.text"), noinline)) void main_exit(void)
{
	report("bye", table[1]);
}
`;
const WORK_C = `#include "helpers.h"
extern void report(const char *, int);
static int counter;

int sub_work(int x)
{
	counter += helper_mix(x, counter);
	if (counter > 100)
		report("big", counter);
	return counter;
}

int sub_other(int x)
{
	switch (x) {
	case 1: return sub_work(2);
	case 2: return helper_mix(3, x);
	case 7: report("seven", x); return 7;
	default: return x * 3;
	}
}
`;
const ABS_C = `static int flag;

void report(const char *s, int v)
{
	flag += v;
	if (s[0] == 'x')
		flag = 0;
}

__attribute__((section(".head.text"))) int early(int x)
{
	return x + flag;
}

__attribute__((section(".text.far"))) int far_away(int x)
{
	return x * 2 + 1;
}
`;
const LOCAL_C = `#include "../../include/helpers.h"
int local_fn(int a)
{
	return helper_mix(a, 2) + 1;
}
`;

/** Names the generator's rules give these sources (checks the oracle itself). */
const EXPECTED_FILES = ['main.c', 'include/helpers.h', 'ext.h', 'drivers/sub/work.c', 'abs.c', 'local.c', '../../include/helpers.h'];

function writeSources(root: string): string {
  const src = join(root, 'src');
  mkdirSync(join(src, 'include'), { recursive: true });
  mkdirSync(join(src, 'drivers/sub'), { recursive: true });
  mkdirSync(join(root, 'ext'), { recursive: true });
  writeFileSync(join(src, 'include/helpers.h'), HELPERS_H);
  writeFileSync(join(root, 'ext/ext.h'), EXT_H);
  writeFileSync(join(src, 'main.c'), MAIN_C);
  writeFileSync(join(src, 'drivers/sub/work.c'), WORK_C);
  writeFileSync(join(src, 'drivers/sub/local.c'), LOCAL_C);
  writeFileSync(join(src, 'abs.c'), ABS_C);
  return src;
}

// ---------------------------------------------------------------------------------------------
// Targets

interface Target {
  name: string;
  cc: string[];
  ld: string[];
  addr2line: string;
}

const TARGETS: Target[] = [
  { name: 'x86-64', cc: ['gcc'], ld: ['ld'], addr2line: 'addr2line' },
  ...['aarch64-linux-gnu', 'powerpc64-linux-gnu', 'powerpc64le-linux-gnu', 'arm-linux-gnueabi', 's390x-linux-gnu'].map((p) => ({ name: p, cc: [`${p}-gcc`], ld: [`${p}-ld`], addr2line: `${p}-addr2line` })),
  // the final link must not relax (shrink) code, or the linked copy is no longer the module's
  // .text; the kernel's module loader does not relax either
  { name: 'riscv64-linux-gnu', cc: ['riscv64-linux-gnu-gcc'], ld: ['riscv64-linux-gnu-ld', '--no-relax'], addr2line: 'riscv64-linux-gnu-addr2line' },
  have('i686-linux-gnu-gcc')
    ? { name: 'i686-linux-gnu', cc: ['i686-linux-gnu-gcc'], ld: ['i686-linux-gnu-ld'], addr2line: 'i686-linux-gnu-addr2line' }
    : { name: 'gcc -m32', cc: ['gcc', '-m32'], ld: ['ld', '-m', 'elf_i386'], addr2line: 'addr2line' },
];

/** Why the target cannot be used here, or null. */
function unavailable(t: Target, dir: string): string | null {
  for (const tool of [t.cc[0]!, t.ld[0]!, t.addr2line]) if (!have(tool)) return `${tool} not installed`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'probe.c'), 'int probe(int x) { return x + 1; }\n');
  const cc = sh(t.cc[0]!, [...t.cc.slice(1), '-g', '-c', 'probe.c', '-o', 'probe.o'], dir);
  if (cc.status !== 0) return `${t.cc.join(' ')} cannot compile: ${cc.stderr.trim().split('\n')[0] ?? ''}`;
  const ld = sh(t.ld[0]!, [...t.ld.slice(1), '-r', '-o', 'probe2.o', 'probe.o'], dir);
  if (ld.status !== 0) return `${t.ld.join(' ')} cannot link: ${ld.stderr.trim().split('\n')[0] ?? ''}`;
  return null;
}

interface Build {
  dir: string;
  obj: string; // the relocatable module-like object
  linked: string; // linked copy, module mode
  vmlinux: string; // linked copy with _text
  bits: 32 | 64;
  endian: 'le' | 'be';
}

function build(t: Target, dwarf: 4 | 5, root: string): Build {
  const dir = join(root, `${t.name.replace(/[^a-z0-9]+/gi, '_')}-dwarf${dwarf}`);
  const src = writeSources(dir);
  const cc = (cwd: string, args: string[]): void => {
    must(t.cc[0]!, [...t.cc.slice(1), '-g', `-gdwarf-${dwarf}`, '-O2', '-fno-asynchronous-unwind-tables', '-fno-unwind-tables', ...args], cwd);
  };
  cc(src, ['-Iinclude', `-I${join(dir, 'ext')}`, '-c', 'main.c', '-o', 'main.o']);
  cc(src, ['-Iinclude', '-c', 'drivers/sub/work.c', '-o', 'work.o']);
  cc(src, ['-c', join(src, 'abs.c'), '-o', 'abs.o']);
  cc(join(src, 'drivers/sub'), ['-c', 'local.c', '-o', join(src, 'local.o')]);
  const obj = join(dir, 'M.o');
  must(t.ld[0]!, [...t.ld.slice(1), '-r', '-o', obj, 'main.o', 'work.o', 'abs.o', 'local.o'], src);
  const { bits, endian } = elfHeader(obj);
  const linked = join(dir, 'linked');
  const vmlinux = join(dir, 'vmlinux');
  linkCopy(t.ld, obj, linked, { vmlinux: false, far: bits === 64 });
  linkCopy(t.ld, obj, vmlinux, { vmlinux: true, far: bits === 64 });
  return { dir, obj, linked, vmlinux, bits, endian };
}

// ---------------------------------------------------------------------------------------------

describe('generator vs an independent libdw oracle on relocated DWARF', function () {
  this.timeout(600_000);
  this.slow(20_000);
  const tmp = tempDir('gen-oracle');
  let oracle = '';
  let oracleProblem: string | null = null;

  before(function () {
    if (!have('gcc') || !have('readelf')) {
      oracleProblem = 'gcc/readelf not installed';
      return;
    }
    const o = buildOracle(tmp.path);
    if ('reason' in o) oracleProblem = o.reason;
    else oracle = o.path;
  });
  after(() => tmp.remove());

  for (const t of TARGETS) {
    for (const dwarf of [5, 4] as const) {
      describe(`${t.name}, DWARF ${dwarf}`, function () {
        let b: Build | null = null;
        before(function () {
          if (oracleProblem) {
            console.log(`      skipped: ${oracleProblem}`);
            this.skip();
          }
          const why = unavailable(t, join(tmp.path, 'probe', t.name.replace(/\W+/g, '_')));
          if (why) {
            console.log(`      skipped: ${why}`);
            this.skip();
          }
          b = build(t, dwarf, tmp.path);
        });

        it('the linked copy is an ET_EXEC with .text at 0x10000, its contents kept, every code section elsewhere', function () {
          const bb = b!;
          expect(elfHeader(bb.linked).type).to.equal('EXEC');
          expect(elfHeader(bb.vmlinux).type).to.equal('EXEC');
          const orig = sections(bb.obj);
          const linked = sections(bb.linked);
          const text = linked.find((s) => s.name === '.text')!;
          expect(text.addr).to.equal(TEXT_ADDR);
          expect(text.size).to.equal(orig.find((s) => s.name === '.text')!.size);
          for (const name of ['.init.text', '.exit.text', '.text.unlikely', '.head.text', '.text.far']) {
            const s = linked.find((x) => x.name === name);
            expect(s, name).to.not.equal(undefined);
            const disjoint = s!.addr + BigInt(s!.size) <= text.addr || s!.addr >= text.addr + BigInt(text.size);
            expect(disjoint, `${name} at 0x${s!.addr.toString(16)} overlaps .text`).to.equal(true);
          }
          if (bb.bits === 64) expect(linked.find((s) => s.name === '.text.far')!.addr).to.equal(FAR_ADDR);
        });

        it('module mode: oracle(linked copy) == lineinfo encode M.o, byte for byte (v1, v1-flat)', function () {
          const bb = b!;
          const json = join(bb.dir, 'oracle-module.json');
          const want = runOracle(oracle, 'module', bb.linked, json);
          expect(want.files).to.have.members(EXPECTED_FILES);
          expect(want.entries.length).to.be.greaterThan(30);
          const ours = ourTable(bb.obj, 'module');
          const diff = tableDiff(want, ours);
          expect(diff, `module tables differ (${t.name}, DWARF ${dwarf}):\n${diff}`).to.equal('');
          for (const rev of ['v1', 'v1-flat']) {
            const a = join(bb.dir, `oracle.${rev}.bin`);
            const bin = join(bb.dir, `ours.${rev}.bin`);
            cli(['encode', json, '--revision', rev, '--endian', bb.endian, '-o', a]);
            cli(['encode', bb.obj, '--revision', rev, '-o', bin]);
            const x = readFileSync(a);
            const y = readFileSync(bin);
            expect(y.equals(x), `${rev}: ${y.length} bytes vs oracle's ${x.length}`).to.equal(true);
          }
        });

        it('negative control: the oracle on the unrelocated M.o (what libdw sees in an ET_REL, W15/W16) disagrees', function () {
          const bb = b!;
          const raw = runOracle(oracle, 'module', bb.obj, join(bb.dir, 'oracle-unrelocated.json'));
          const ours = ourTable(bb.obj, 'module');
          expect(tableDiff(raw, ours), 'the comparison must be able to fail').to.not.equal('');
        });

        it('vmlinux mode: oracle(vmlinux) == lineinfo encode vmlinux, byte for byte (vmlinux-v1, vmlinux-v1-flat)', function () {
          const bb = b!;
          const json = join(bb.dir, 'oracle-vmlinux.json');
          const want = runOracle(oracle, 'vmlinux', bb.vmlinux, json);
          // rows of every code section at or above _text are in; .head.text (below) and
          // .text.far (> 4 GiB past _text, 64-bit) are not
          const secs = sections(bb.vmlinux);
          const init = secs.find((s) => s.name === '.init.text')!;
          expect(want.entries.some((e) => BigInt(e.offset) + TEXT_ADDR >= init.addr && BigInt(e.offset) + TEXT_ADDR < init.addr + BigInt(init.size))).to.equal(true);
          const ours = ourTable(bb.vmlinux, 'vmlinux');
          const diff = tableDiff(want, ours);
          expect(diff, `vmlinux tables differ (${t.name}, DWARF ${dwarf}):\n${diff}`).to.equal('');
          for (const rev of ['vmlinux-v1', 'vmlinux-v1-flat']) {
            const a = join(bb.dir, `oracle.${rev}.bin`);
            const bin = join(bb.dir, `ours.${rev}.bin`);
            cli(['encode', json, '--revision', rev, '--endian', bb.endian, '-o', a]);
            cli(['encode', bb.vmlinux, '--revision', rev, '-o', bin]);
            const x = readFileSync(a);
            const y = readFileSync(bin);
            expect(y.equals(x), `${rev}: ${y.length} bytes vs oracle's ${x.length}`).to.equal(true);
          }
        });

        it('lookups in the encoded table agree with addr2line on the linked copy', function () {
          const bb = b!;
          if (!have('llvm-dwarfdump')) this.skip();
          const bin = join(bb.dir, 'ours.v1.bin');
          cli(['encode', bb.obj, '--revision', 'v1', '-o', bin]);
          const table = ourTable(bb.obj, 'module');
          // only addresses whose DWARF rows all name one (file, line) and end no sequence: where
          // rows disagree the generator keeps the lowest (file id, line) and addr2line another
          // one, by design; at an end-of-sequence row addr2line has no answer
          const rows = rowsByAddress(bb.linked);
          const comparable = (off: number): boolean => {
            const set = rows.get(TEXT_ADDR + BigInt(off));
            return set !== undefined && set.size === 1 && !set.has('end_sequence');
          };
          const sample = table.entries.filter((e) => comparable(e.offset));
          expect(sample.length, 'comparable entries').to.be.greaterThan(10);
          const addrs = sample.map((e) => TEXT_ADDR + BigInt(e.offset));
          const theirs = addr2line(t.addr2line, bb.linked, addrs);
          const out = cli(['lookup', bin, '--raw', '--revision', 'v1', '--endian', bb.endian, ...sample.map((e) => `0x${e.offset.toString(16)}`)]);
          const ourLines = out.trim().split('\n').map((l) => {
            const [, where] = l.split(' ');
            const m = /^(.*):(\d+)$/.exec(where ?? '');
            return m ? `${basename(m[1]!)}:${m[2]}` : (where ?? '');
          });
          const bad = sample
            .map((e, i) => ({ off: e.offset, ours: ourLines[i], theirs: theirs[i] }))
            .filter((x) => x.ours !== x.theirs)
            .map((x) => `0x${x.off.toString(16)}: lineinfo ${x.ours} | addr2line ${x.theirs}`);
          expect(bad, bad.join('\n')).to.deep.equal([]);
          console.log(`      ${sample.length} of ${table.entries.length} entries compared with ${t.addr2line}`);
        });
      });
    }
  }
});

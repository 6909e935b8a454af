/**
 * [slow] A real out-of-tree kernel module, built with kbuild against Debian's kernel headers
 * (linux-headers-amd64), through the whole tool chain: `encode --embed`, `validate`, the section
 * list, `lookup` against addr2line, the independent libdw oracle (test/oracle/libdw_lineinfo.c)
 * on a linked copy of the module, and `symbolize` on a made-up oops. Built twice: with the
 * headers' own debug-info settings (DWARF 5 with gcc 12) and with KCFLAGS=-gdwarf-4.
 * Skipped, with the reason, where the headers, make, gcc or libdw-dev are missing.
 */
import { expect } from 'chai';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { lineinfo } from './support/cli.js';
import { bruteLookup } from './support/oracle.js';
import { tempDir } from './support/tmp.js';
import { buildOracle, rowsByAddress, sectionRows as sections } from './support/dwarf-oracles.js';
import { cliOk as cli, have, must, sh } from './support/processes.js';

interface OracleJson { files: string[]; entries: { offset: number; file: number; line: number }[] }

const TEXT_ADDR = 0x10000n;

/** Every allocated section in an output section of its own name; .text at 0x10000. */
function linkCopy(obj: string, out: string): void {
  const secs = sections(obj);
  const names = [...new Set(secs.filter((s) => s.flags.includes('A')).map((s) => s.name))];
  const code = names.filter((n) => secs.find((s) => s.name === n)!.flags.includes('X'));
  const lines = ['SECTIONS {', `  .text 0x${TEXT_ADDR.toString(16)} : { *(.text) }`];
  let slot = 1n;
  for (const n of code) if (n !== '.text') lines.push(`  ${n} 0x${(0x100000n * ++slot).toString(16)} : { *(${n}) }`);
  for (const n of names) if (!code.includes(n)) lines.push(`  ${n} : { *(${n}) }`);
  lines.push('}');
  writeFileSync(`${out}.lds`, lines.join('\n') + '\n');
  must('ld', ['-o', out, '-e', '0', '-nostdlib', '--unresolved-symbols=ignore-all', '-T', `${out}.lds`, obj]);
}

// ---------------------------------------------------------------------------------------------
// The module

const KBUILD = `obj-m := hello.o
hello-y := hello_main.o hello_util.o
`;
const UTIL_H = `static inline int hello_mix(int a, int b)
{
	int r = a * 31 + b;

	if (r & 1)
		r ^= 0x55;
	return r;
}

int hello_checksum(const char *s, int n);
int hello_format(char *buf, int len, int v);
`;
const MAIN_C = `#include <linux/module.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include "hello_util.h"

static int hello_value = 7;
module_param(hello_value, int, 0644);

noinline int hello_show(int v)
{
	char buf[32];
	int n = hello_format(buf, sizeof(buf), v);

	pr_info("hello: %s (%d)\\n", buf, hello_checksum(buf, n));
	return n;
}

static int __init hello_init(void)
{
	int i, acc = 0;

	for (i = 0; i < 4; i++)
		acc += hello_mix(acc, hello_value + i);
	return hello_show(acc) < 0 ? -EINVAL : 0;
}

static void __exit hello_exit(void)
{
	pr_info("hello: bye %d\\n", hello_show(hello_value));
}

module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lineinfo-kit test module");
`;
const UTIL_C = `#include <linux/kernel.h>
#include <linux/string.h>
#include "hello_util.h"

noinline int hello_checksum(const char *s, int n)
{
	int i, sum = 0;

	for (i = 0; i < n; i++)
		sum = hello_mix(sum, s[i]);
	return sum;
}

noinline int hello_format(char *buf, int len, int v)
{
	if (unlikely(v < 0))
		return scnprintf(buf, len, "negative %d", -v);
	return scnprintf(buf, len, "value %d", hello_mix(v, 1));
}
`;
const TEXT_FUNCS = ['hello_show', 'hello_checksum', 'hello_format'];
const INIT_EXIT_FUNCS = ['hello_init', 'hello_exit', 'init_module', 'cleanup_module'];

/** The headers tree: the running kernel's build dir, else /usr/src/linux-headers-*-amd64. */
function findHeaders(): string | null {
  const candidates: string[] = [];
  if (existsSync('/usr/src')) {
    for (const d of readdirSync('/usr/src').sort().reverse()) if (/^linux-headers-.*-amd64$/.test(d)) candidates.push(join('/usr/src', d));
  }
  return candidates.find((d) => existsSync(join(d, 'Makefile'))) ?? null;
}

interface FuncSym { name: string; value: number; size: number; section: string }

function funcSymbols(ko: string): FuncSym[] {
  const secs = sections(ko);
  const out: FuncSym[] = [];
  for (const line of must('readelf', ['-sW', ko]).split('\n')) {
    const m = /^\s*\d+:\s+([0-9a-f]+)\s+(\d+)\s+FUNC\s+\S+\s+\S+\s+(\d+)\s+(\S+)\s*$/.exec(line);
    if (m) out.push({ name: m[4]!, value: parseInt(m[1]!, 16), size: Number(m[2]), section: secs.find((s) => s.index === Number(m[3]))?.name ?? '?' });
  }
  return out;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

// ---------------------------------------------------------------------------------------------

describe('[slow] a real kernel module built against the distribution headers', function () {
  this.timeout(180_000);
  this.slow(30_000);
  const tmp = tempDir('kmod');
  let oracle = '';
  let headers = '';
  let setupProblem: string | null = null;

  before(function () {
    for (const tool of ['gcc', 'make', 'ld', 'readelf', 'objcopy', 'addr2line']) if (!have(tool)) setupProblem ??= `${tool} not installed`;
    if (setupProblem) return;
    const h = findHeaders();
    if (!h) {
      setupProblem = 'no kernel headers with a Makefile under /usr/src/linux-headers-*-amd64 (apt-get install linux-headers-amd64)';
      return;
    }
    headers = h;
    const o = buildOracle(tmp.path);
    if ('reason' in o) setupProblem = o.reason;
    else oracle = o.path;
  });
  after(() => tmp.remove());

  for (const variant of [
    { name: "the headers' debug-info settings", kcflags: '' },
    { name: 'KCFLAGS=-gdwarf-4', kcflags: '-gdwarf-4' },
  ]) {
    describe(`hello.ko, ${variant.name}`, function () {
      let dir = '';
      let ko = '';
      let out = '';
      let table: OracleJson = { files: [], entries: [] };

      before(function () {
        if (setupProblem) {
          console.log(`      skipped: ${setupProblem}`);
          this.skip();
        }
        dir = join(tmp.path, variant.kcflags ? 'dwarf4' : 'default');
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'Makefile'), KBUILD);
        writeFileSync(join(dir, 'hello_util.h'), UTIL_H);
        writeFileSync(join(dir, 'hello_main.c'), MAIN_C);
        writeFileSync(join(dir, 'hello_util.c'), UTIL_C);
        const args = ['-C', headers, `M=${dir}`, ...(variant.kcflags ? [`KCFLAGS=${variant.kcflags}`] : []), 'modules'];
        const r = sh('make', args);
        ko = join(dir, 'hello.ko');
        if (r.status !== 0 || !existsSync(ko)) {
          const why = (r.stderr || r.stdout).trim().split('\n').filter((l) => /error|Error|not found/.test(l)).slice(0, 5).join(' | ');
          console.log(`      skipped: make ${args.join(' ')} failed (${r.status}): ${why || r.stderr.trim().slice(-400)}`);
          this.skip();
        }
        if (!sections(ko).some((s) => s.name === '.debug_line')) {
          console.log(`      skipped: ${headers} builds modules without debug info (CONFIG_DEBUG_INFO unset)`);
          this.skip();
        }
        out = join(dir, 'out.ko');
        cli(['encode', ko, '--embed', '-o', out]);
        const linked = join(dir, 'linked');
        linkCopy(ko, linked);
        const text = must(oracle, ['module', linked]);
        writeFileSync(join(dir, 'oracle.json'), text);
        table = JSON.parse(text) as OracleJson;
      });

      it('the oracle on a linked copy agrees with lineinfo encode hello.ko, byte for byte (v1, v1-flat), and --embed embeds those bytes', function () {
        const linked = sections(join(dir, 'linked'));
        const text = linked.find((s) => s.name === '.text')!;
        expect(text.addr).to.equal(TEXT_ADDR);
        expect(text.size).to.equal(sections(ko).find((s) => s.name === '.text')!.size);
        for (const name of ['.init.text', '.exit.text']) expect(linked.find((s) => s.name === name)!.addr >= TEXT_ADDR + BigInt(text.size), `${name} after .text`).to.equal(true);
        expect(table.files).to.have.members(['hello_main.c', 'hello_util.c', 'hello_util.h']);
        expect(table.entries.length).to.be.greaterThan(10);
        for (const rev of ['v1', 'v1-flat']) {
          const a = join(dir, `oracle.${rev}.bin`);
          const b = join(dir, `ours.${rev}.bin`);
          cli(['encode', join(dir, 'oracle.json'), '--revision', rev, '-o', a]);
          cli(['encode', ko, '--revision', rev, '-o', b]);
          expect(readFileSync(b).equals(readFileSync(a)), `${rev} differs from the oracle's bytes`).to.equal(true);
        }
        const sec = join(dir, 'embedded.bin');
        must('objcopy', ['-O', 'binary', '--only-section=.mod_lineinfo', out, sec]);
        expect(readFileSync(sec).equals(readFileSync(join(dir, 'oracle.v1.bin'))), 'embedded .mod_lineinfo').to.equal(true);
      });

      it('lineinfo validate (and validate --dwarf) exits 0 with no errors', function () {
        for (const extra of [[], ['--dwarf']]) {
          const r = lineinfo(['validate', '--json', ...extra, out]);
          expect(r.status, r.stdout + r.stderr).to.equal(0);
          const report = JSON.parse(r.stdout) as { summary: { errors: number; valid: number }; files: { diagnostics: { rule: string; severity: string }[] }[] };
          expect(report.summary.valid).to.equal(1);
          expect(report.summary.errors).to.equal(0);
          expect(report.files[0]!.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
          if (extra.length) expect(report.files[0]!.diagnostics.map((d) => d.rule)).to.not.include('LI-DWF-001');
        }
      });

      it('readelf -S of out.ko is the original plus .mod_lineinfo (flags A, align 4)', function () {
        const before = sections(ko);
        const after = sections(out);
        expect(after.length).to.equal(before.length + 1);
        for (const s of before) {
          const t = after.find((x) => x.index === s.index)!;
          const shstrtabGrowth = s.name === '.shstrtab' ? '.mod_lineinfo\0'.length : 0;
          expect({ ...t, size: t.size - shstrtabGrowth }, s.name).to.deep.equal(s);
        }
        const added = after[after.length - 1]!;
        expect(added.name).to.equal('.mod_lineinfo');
        expect(added.flags).to.equal('A');
        expect(added.align).to.equal(4);
        expect(added.addr).to.equal(0n);
        expect(added.size).to.equal(readFileSync(join(dir, 'oracle.v1.bin')).length);
        // symbols and relocations are untouched
        expect(must('readelf', ['-sW', out])).to.equal(must('readelf', ['-sW', ko]));
        expect(must('readelf', ['-rW', out])).to.equal(must('readelf', ['-rW', ko]));
      });

      it('lookup FUNC+0xOFF matches addr2line -j .text at function starts and other unambiguous entries; .init.text/.exit.text functions get -', function () {
        const funcs = funcSymbols(ko);
        const textFuncs = funcs.filter((f) => f.section === '.text');
        expect(textFuncs.map((f) => f.name)).to.include.members(TEXT_FUNCS);
        // addresses whose DWARF rows all name one (file, line) and end no sequence (elsewhere the
        // generator keeps the lowest (file, line) by design and addr2line may show another)
        const rows = have('llvm-dwarfdump') ? rowsByAddress(join(dir, 'linked')) : null;
        const comparable = (off: number): boolean => {
          const set = rows?.get(TEXT_ADDR + BigInt(off));
          return rows === null || (set !== undefined && set.size === 1 && !set.has('end_sequence'));
        };
        const queries: { q: string; off: number }[] = [];
        for (const f of textFuncs) {
          if (comparable(f.value)) queries.push({ q: `${f.name}+0x0`, off: f.value });
          for (const e of table.entries) {
            if (e.offset > f.value && e.offset < f.value + f.size && comparable(e.offset)) queries.push({ q: `${f.name}+${hex(e.offset - f.value)}`, off: e.offset });
          }
        }
        const starts = queries.filter((x) => x.q.endsWith('+0x0')).map((x) => x.q.replace('+0x0', ''));
        expect(starts, 'function starts with one DWARF row').to.include.members(TEXT_FUNCS);
        const theirs = must('addr2line', ['-e', ko, '-j', '.text', ...queries.map((x) => hex(x.off))])
          .trim()
          .split('\n')
          .map((l) => {
            const m = /^(.*):(\d+|\?)(?: \(discriminator \d+\))?$/.exec(l.trim());
            return m ? `${basename(m[1]!)}:${m[2]}` : l;
          });
        const ours = cli(['lookup', out, ...queries.map((x) => x.q)]).trim().split('\n');
        const bad: string[] = [];
        queries.forEach((x, i) => {
          const line = ours[i] ?? '';
          const where = line.slice(line.indexOf(' ') + 1);
          const m = /^(.*):(\d+)$/.exec(where);
          const mine = m ? `${basename(m[1]!)}:${m[2]}` : where;
          if (!line.startsWith(`${x.q} `) || mine !== theirs[i]) bad.push(`${x.q} (.text ${hex(x.off)}): lineinfo "${line}" | addr2line ${theirs[i]}`);
        });
        expect(bad, bad.join('\n')).to.deep.equal([]);
        console.log(`        ${queries.length} lookups compared with addr2line (${starts.length} function starts)`);

        const initExit = funcs.filter((f) => INIT_EXIT_FUNCS.includes(f.name));
        expect(initExit.map((f) => f.section)).to.have.members(['.init.text', '.exit.text', '.init.text', '.exit.text']);
        const qs = initExit.flatMap((f) => [f.name, `${f.name}+0x4`, `${f.name}+${hex(f.size - 1)}/${hex(f.size)}`]);
        const answers = cli(['lookup', out, ...qs]).trim().split('\n');
        expect(answers).to.deep.equal(qs.map((q) => `${q} -`));
      });

      it('symbolize --modules annotates the frames of this module in a made-up oops', function () {
        const funcs = new Map(funcSymbols(ko).map((f) => [f.name, f]));
        const modules = join(dir, 'lib/modules/6.1.0-test/extra');
        mkdirSync(modules, { recursive: true });
        copyFileSync(out, join(modules, 'hello.ko'));
        const files = table.files;
        const tbl = { files, entries: table.entries.map((e) => ({ offset: e.offset, fileId: e.file, line: e.line })) };
        /** the annotation a CONFIG_KALLSYMS_LINEINFO_MODULES kernel prints for FUNC+OFF */
        const expected = (name: string, off: number, returnAddress: boolean): string => {
          const f = funcs.get(name)!;
          if (f.section !== '.text') return '';
          const q = f.value + off - (returnAddress ? 1 : 0);
          const a = bruteLookup(tbl, q);
          if (a.kind !== 'hit') return '';
          // keep the scenario clear of the symbol-start rule's edge (the entry is inside FUNC)
          expect(a.entryOffset, `${name}+${hex(off)}`).to.be.at.least(f.value);
          return ` (${a.file}:${a.line})`;
        };
        const frame = (name: string, off: number): string => `${name}+${hex(off)}/${hex(funcs.get(name)!.size)} [hello]`;
        const show = funcs.get('hello_show')!;
        // a return address one byte past hello_show's second entry inside the function
        const inShow = table.entries.filter((e) => e.offset > show.value && e.offset < show.value + show.size);
        const callOff = (inShow[1] ?? inShow[0])!.offset - show.value + 1;
        const log = [
          ['[  123.456700] BUG: kernel NULL pointer dereference, address: 0000000000000000', ''],
          [`[  123.456800] RIP: 0010:${frame('hello_format', 4)}`, expected('hello_format', 4, false)],
          ['[  123.456900] Call Trace:', ''],
          ['[  123.456901]  <TASK>', ''],
          [`[  123.456902]  ${frame('hello_checksum', 0x10)}`, expected('hello_checksum', 0x10, true)],
          [`[  123.456903]  ${frame('hello_show', callOff)}`, expected('hello_show', callOff, true)],
          [`[  123.456904]  ${frame('hello_init', 0x20)}`, ''],
          ['[  123.456905]  other_fn+0x10/0x40 [othermod]', ''],
          ['[  123.456906]  do_one_initcall+0x5a/0x220', ''],
          ['[  123.456907]  </TASK>', ''],
        ] as const;
        expect(log.filter(([, a]) => a !== '').length, 'annotated frames expected').to.equal(3);
        const r = lineinfo(['symbolize', '--modules', join(dir, 'lib/modules/6.1.0-test')], { input: log.map(([l]) => l).join('\n') + '\n' });
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout.trimEnd().split('\n')).to.deep.equal(log.map(([l, a]) => l + a));
      });
    });
  }
});

/**
 * The ELF side of the sectioned layouts v5 (= v6) and v7, on modules built during the test: two C
 * files with functions in `.text`, `.init.text`, `.exit.text` and `.noinstr.text`, compiled with
 * `gcc -g -c` and combined with `ld -r`, for x86_64 and every cross target whose compiler is
 * installed (i686 and arm are REL targets, 32-bit; the rest RELA). Skipped, with the reason,
 * where a compiler is missing.
 *
 * Checked: `encode --embed` adds both blobs and their relocation sections (readelf -r shows one
 * absolute relocation per descriptor against the right section symbol; readelf -S/-s show every
 * input section and symbol unchanged), `validate` finds nothing wrong, lookups of SYMBOL+0xOFF at
 * every byte of every covered section give what the target's addr2line gives for that
 * section offset (-O0 code: one row per address, so both agree on which row applies), raw offsets
 * resolve in .text, `symbolize` annotates frames in all four sections, `--asm` assembles to the
 * same bytes, and validate reports W22 (a 32-bit module checked as v5; descriptors at 4) and W23
 * (label before .balign), a missing anchor relocation (LI-SEC-006) and, on loading, an unknown
 * relocation type (W27).
 */
import { expect } from 'chai';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from './support/in-process-cli.js';
import { parseElf } from '../tools/elf/elf-file.js';
import { embedLineinfoBlobs } from '../tools/elf/embed-blobs.js';
import { loadModule } from '../tools/elf/module-load.js';
import { moduleSectionTables } from '../tools/generator/section-tables.js';
import { encodeModuleBlobs } from '../tools/generator/module-blobs.js';
import { moduleBlobsAsm } from '../tools/generator/section-asm.js';
import { lookupAddress, openSectionedModule } from '../tools/lookup/module-lookup.js';
import { validateFileReports } from '../tools/validate/validate-file.js';
import { readLineTables } from '../tools/dwarf/index.js';
import { detectLayout } from '../tools/revisions/detect.js';
import { tempDir } from './support/tmp.js';
import { have, must, sh } from './support/processes.js';

interface Target {
  readonly name: string;
  readonly prefix: string;
  readonly cflags: readonly string[];
  readonly cls: 32 | 64;
  readonly rel: 'REL' | 'RELA';
  readonly relocType: string;
}

const TARGETS: readonly Target[] = [
  { name: 'x86_64', prefix: '', cflags: [], cls: 64, rel: 'RELA', relocType: 'R_X86_64_64' },
  { name: 'i686', prefix: 'i686-linux-gnu-', cflags: [], cls: 32, rel: 'REL', relocType: 'R_386_32' },
  { name: 'arm', prefix: 'arm-linux-gnueabi-', cflags: [], cls: 32, rel: 'REL', relocType: 'R_ARM_ABS32' },
  { name: 'aarch64', prefix: 'aarch64-linux-gnu-', cflags: [], cls: 64, rel: 'RELA', relocType: 'R_AARCH64_ABS64' },
  { name: 'riscv64', prefix: 'riscv64-linux-gnu-', cflags: [], cls: 64, rel: 'RELA', relocType: 'R_RISCV_64' },
  // ELFv2, as big-endian kernels built with CONFIG_PPC64_ELF_ABI_V2 (ELFv1 symbols point at .opd descriptors)
  { name: 'ppc64', prefix: 'powerpc64-linux-gnu-', cflags: ['-mabi=elfv2'], cls: 64, rel: 'RELA', relocType: 'R_PPC64_ADDR64' },
  { name: 'ppc64le', prefix: 'powerpc64le-linux-gnu-', cflags: [], cls: 64, rel: 'RELA', relocType: 'R_PPC64_ADDR64' },
  { name: 's390x', prefix: 's390x-linux-gnu-', cflags: [], cls: 64, rel: 'RELA', relocType: 'R_390_64' },
];

const A_C = `#define __init __attribute__((section(".init.text"), noinline))
#define __exit __attribute__((section(".exit.text"), noinline))
#define __noinstr __attribute__((section(".noinstr.text"), noinline))
int counter;
int text_fn(int x)
{
	counter += x;
	if (counter > 10)
		counter = 0;
	return counter * 3;
}
int __init init_fn(void)
{
	counter = 5;
	return text_fn(2);
}
void __exit exit_fn(void)
{
	counter = 0;
}
int __noinstr noinstr_fn(int y)
{
	int z = y + counter;
	return z * 2;
}
`;

const B_C = `#define __init __attribute__((section(".init.text"), noinline))
#define __exit __attribute__((section(".exit.text"), noinline))
extern int counter;
int helper(int z)
{
	if (z > 3)
		return z * 2;
	return z + counter;
}
int __init init_b(void)
{
	return helper(7);
}
void __exit exit_b(void)
{
	counter = helper(1);
}
`;

const COVERED = ['.text', '.exit.text', '.noinstr.text', '.init.text'];


async function ok(args: string[]): Promise<string> {
  const r = await cli(args);
  if (r.status !== 0) throw new Error(`lineinfo ${args.join(' ')} exited ${r.status}:\n${r.out}${r.err}`);
  return r.out;
}

interface Reloc { offset: number; type: string; symbol: string }

/** `readelf -rW` entries of one relocation section. */
function readelfRelocs(file: string, section: string): Reloc[] {
  const text = must('readelf', ['-rW', file]);
  const out: Reloc[] = [];
  let inside = false;
  for (const line of text.split('\n')) {
    const head = /^Relocation section '([^']+)'/.exec(line);
    if (head) {
      inside = head[1] === section;
      continue;
    }
    const m = /^([0-9a-f]+)\s+[0-9a-f]+\s+(R_\S+)\s+[0-9a-f]+\s+(\S+)/.exec(line);
    if (inside && m) out.push({ offset: parseInt(m[1]!, 16), type: m[2]!, symbol: m[3]! });
  }
  return out;
}

/** readelf's section list and symbol table, minus the parts an embed may change (offsets, shstrtab size). */
function elfShape(file: string): { sections: string[]; symbols: string[]; relocs: string } {
  const sections = must('readelf', ['-SW', file]).split('\n')
    .map((l) => /^\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && m[2] !== '.shstrtab')
    .map((m) => `${m[1]} ${m[2]} ${m[3]} ${m[4]} ${m[5]} ${m[6]}`);
  const symbols = must('readelf', ['-sW', file]).split('\n').filter((l) => /^\s*\d+:/.test(l));
  const relocs = must('readelf', ['-rW', file]).split(/\n(?=Relocation section)/).filter((s) => !/mod_lineinfo/.test(s.split('\n')[0]!)).map((s) => s.replace(/ at offset 0x[0-9a-f]+/, '')).join('\n');
  return { sections, symbols, relocs };
}

function tool(t: Target, name: string): string {
  return `${t.prefix}${name}`;
}

/** Builds the two-file module for a target; null when its compiler or linker is missing. */
function build(t: Target, dir: string): string | null {
  if (!have(tool(t, 'gcc')) || !have(tool(t, 'ld'))) return null;
  writeFileSync(join(dir, 'a.c'), A_C);
  writeFileSync(join(dir, 'bb.c'), B_C);
  for (const f of ['a', 'bb']) must(tool(t, 'gcc'), ['-g', '-O0', '-fno-pic', ...t.cflags, '-c', `${f}.c`, '-o', `${f}.o`], dir);
  must(tool(t, 'ld'), ['-r', 'a.o', 'bb.o', '-o', 'mod.ko'], dir);
  return join(dir, 'mod.ko');
}

/**
 * The distinct file:line pairs of the DWARF rows at each offset of each section (line 0 left
 * out), from lineinfo-kit's reader: where the row address that applies has several, addr2line
 * prints the last and the generator keeps the lowest (file id, line), so there the answer must
 * be one of them.
 */
function rowsBySection(elf: ReturnType<typeof parseElf>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const u of readLineTables(elf).units) {
    const names = new Map(u.fileNames.map((f) => [f.index, f.path.split('/').pop()!]));
    for (const r of u.rows) {
      if (r.line === 0 || r.sectionIndex === null) continue;
      const key = `${r.sectionIndex}:${r.address}`;
      const set = out.get(key) ?? new Set<string>();
      set.add(`${names.get(r.file)}:${r.line}`);
      out.set(key, set);
    }
  }
  return out;
}

/** addr2line's file:line for offsets of one section (basename of the file; null for ??). */
function addr2line(t: Target, file: string, section: string, offsets: readonly number[]): (string | null)[] {
  const out = must(tool(t, 'addr2line'), ['-e', file, '-j', section, ...offsets.map((o) => `0x${o.toString(16)}`)]).trim().split('\n');
  return out.map((l) => {
    const m = /^(.*):(\d+)(?: \(discriminator \d+\))?$/.exec(l.trim());
    if (!m || m[1]!.startsWith('??') || m[2] === '0') return null;
    return `${m[1]!.split('/').pop()}:${m[2]}`;
  });
}

describe('v5/v7 modules: generator, embedding, loading, lookups and validation', function () {
  this.timeout(600_000);
  const tmp = tempDir('module-v5');
  after(() => tmp.remove());

  for (const t of TARGETS) {
    describe(`${t.name} (ELF${t.cls}, ${t.rel})`, () => {
      let ko: string | null = null;
      let dir = '';
      before(function () {
        dir = join(tmp.path, t.name);
        mkdirSync(dir, { recursive: true });
        ko = build(t, dir);
        if (ko === null) this.skip(); // `${t.prefix}gcc` or ld not installed (.ci/run installs them)
      });

      it('encode --embed adds both blobs with anchor relocations against the covered sections\' symbols; nothing else changes', async () => {
        const out = join(dir, 'v7.ko');
        await ok(['encode', ko!, '--revision', 'v7', '--embed', '-o', out]);
        const relSec = t.rel === 'RELA' ? '.rela' : '.rel';
        const persistent = readelfRelocs(out, `${relSec}.mod_lineinfo`);
        const init = readelfRelocs(out, `${relSec}.init.mod_lineinfo`);
        const low = t.cls === 64 ? 0 : parseElf(readFileSync(out), out).endian === 'le' ? 0 : 4;
        expect(persistent).to.deep.equal(['.text', '.exit.text', '.noinstr.text'].map((s, k) => ({ offset: 8 + 16 * k + low, type: t.relocType, symbol: s })));
        expect(init).to.deep.equal([{ offset: 8 + low, type: t.relocType, symbol: '.init.text' }]);
        const sec = must('readelf', ['-SW', out]);
        expect(sec).to.match(/\.mod_lineinfo\s+PROGBITS\s+0+\s+[0-9a-f]+\s+[0-9a-f]+\s+00\s+A\s+0\s+0\s+8/);
        expect(sec).to.match(/\.init\.mod_lineinfo\s+PROGBITS\s+0+\s+[0-9a-f]+\s+[0-9a-f]+\s+00\s+A\s+0\s+0\s+8/);
        const before = elfShape(ko!);
        const after = elfShape(out);
        expect(after.sections.slice(0, before.sections.length)).to.deep.equal(before.sections);
        expect(after.sections.slice(before.sections.length).map((s) => s.split(' ')[1])).to.deep.equal(['.mod_lineinfo', `${relSec}.mod_lineinfo`, '.init.mod_lineinfo', `${relSec}.init.mod_lineinfo`]);
        expect(after.symbols).to.deep.equal(before.symbols);
        expect(after.relocs.startsWith(before.relocs.trimEnd()) || after.relocs === before.relocs).to.equal(true);
        // The input is never written.
        expect(readFileSync(ko!).equals(readFileSync(join(dir, 'mod.ko')))).to.equal(true);
      });

      it('validate finds no error or warning in either blob (v7); as v5 a 32-bit module gets LI-SEC-007 (W22)', async () => {
        const out = join(dir, 'v7.ko');
        const reports = validateFileReports(out);
        expect(reports.map((r) => r.section?.name)).to.deep.equal(['.mod_lineinfo', '.init.mod_lineinfo']);
        for (const r of reports) {
          expect(r.layout).to.equal('v7');
          expect(r.diagnostics.filter((d) => d.severity !== 'note'), r.section?.name).to.deep.equal([]);
        }
        const asV5 = validateFileReports(out, { layout: 'v5' }).flatMap((r) => r.diagnostics.map((d) => d.rule));
        if (t.cls === 32) expect(asV5).to.include('LI-SEC-007');
        else expect(asV5).to.not.include('LI-SEC-007');
      });

      it('SYMBOL+0xOFF at every byte of every covered section gives addr2line\'s file:line', async () => {
        const out = join(dir, 'v7.ko');
        const elf = parseElf(readFileSync(out), out);
        const m = openSectionedModule(elf, { layout: 'v5' }); // no symbol bound: each byte on its own
        const funcs = elf.symbols().filter((s) => s.type === 2 && s.size > 0n);
        const rows = rowsBySection(elf);
        let compared = 0;
        let multi = 0;
        for (const name of COVERED) {
          const section = elf.sectionByName(name)!;
          const inSection = funcs.filter((f) => f.shndx === section.index);
          expect(inSection.length, name).to.be.greaterThan(0);
          const probes: { sym: string; offset: number; at: number }[] = [];
          for (const f of inSection) for (let o = 0; o < Number(f.size); o++) probes.push({ sym: f.name, offset: o, at: Number(f.value) + o });
          const expected = addr2line(t, ko!, name, probes.map((p) => p.at));
          for (let i = 0; i < probes.length; i++) {
            if (expected[i] === null) continue;
            const p = probes[i]!;
            const base = m.load.addresses.get(section.index)!;
            const { answer, blob } = lookupAddress(m, { address: base + BigInt(p.at) }, 'strict');
            const got = answer.kind === 'hit' ? `${answer.file.split('/').pop()}:${answer.line}` : `- (${answer.kind === 'miss' ? answer.reason : answer.kind})`;
            // The rows that apply: those at the greatest row address at or before the byte.
            let rowAt = p.at;
            while (rowAt > 0 && !rows.has(`${section.index}:${rowAt}`)) rowAt--;
            const here = rows.get(`${section.index}:${rowAt}`);
            if (here && here.size > 1) {
              expect([...here], `${name} ${p.sym}+0x${p.offset.toString(16)} (several rows)`).to.include(got);
              multi++;
            } else {
              expect(got, `${name} ${p.sym}+0x${p.offset.toString(16)}`).to.equal(expected[i]);
            }
            expect(blob!.name).to.equal(name === '.init.text' ? '.init.mod_lineinfo' : '.mod_lineinfo');
            compared++;
          }
        }
        expect(compared).to.be.greaterThan(40);
        expect(multi).to.be.lessThan(compared / 4);
        // The CLI: symbol queries in all four sections, raw offsets in .text, JSON names the blob.
        const cliOut = await ok(['lookup', out, 'text_fn+0x0', 'init_fn+0x0', 'exit_b+0x0', 'noinstr_fn+0x0', '0x0', '--json']);
        const answers = cliOut.trim().split('\n').map((l) => JSON.parse(l) as { answer: string; blob: string; file: string; line: number });
        expect(answers.map((r) => r.answer)).to.deep.equal(['hit', 'hit', 'hit', 'hit', 'hit']);
        expect(answers.map((r) => r.blob)).to.deep.equal(['.mod_lineinfo', '.init.mod_lineinfo', '.mod_lineinfo', '.mod_lineinfo', '.mod_lineinfo']);
        expect(answers.map((r) => `${r.file}:${r.line}`)).to.deep.equal(['a.c:6', 'a.c:13', 'bb.c:15', 'a.c:22', 'a.c:6']);
      });

      it('symbolize annotates frames in .text, .init.text, .exit.text and .noinstr.text', async () => {
        const mods = join(dir, 'mods');
        mkdirSync(mods, { recursive: true });
        writeFileSync(join(mods, 'v5mod.ko'), readFileSync(join(dir, 'v7.ko')));
        const log = join(dir, 'oops.txt');
        // the sizes kallsyms prints (symbolize uses them to pick the symbol)
        const elf = parseElf(readFileSync(join(dir, 'v7.ko')), 'v7.ko');
        const frame = (name: string): string => ` ${name}+0x0/0x${elf.symbols().find((s) => s.name === name && s.shndx !== 0)!.size.toString(16)} [v5mod]`;
        const frames = ['text_fn', 'init_b', 'exit_fn', 'noinstr_fn'].map(frame);
        writeFileSync(log, [...frames, ''].join('\n'));
        const text = await ok(['symbolize', '--modules', mods, log, '--exact']);
        expect(text.split('\n').slice(0, 4)).to.deep.equal(frames.map((f, i) => `${f} (${['a.c:6', 'bb.c:11', 'a.c:18', 'a.c:22'][i]})`));
      });

      it('--asm assembles to the bytes of -o / --init-out, with the same anchor relocations', async function () {
        if (!have(tool(t, 'as')) || !have(tool(t, 'objcopy'))) this.skip();
        const asm = join(dir, 'blobs.S');
        await ok(['encode', ko!, '--revision', 'v7', '--asm', '-o', asm]);
        await ok(['encode', ko!, '--revision', 'v7', '-o', join(dir, 'p.bin'), '--init-out', join(dir, 'i.bin')]);
        must(tool(t, 'as'), [asm, '-o', join(dir, 'blobs.o')]);
        for (const [sec, bin] of [['.mod_lineinfo', 'p.bin'], ['.init.mod_lineinfo', 'i.bin']] as const) {
          must(tool(t, 'objcopy'), ['-O', 'binary', `--only-section=${sec}`, join(dir, 'blobs.o'), join(dir, `${bin}.as`)]);
          // Some assemblers (s390x) round the section size up: zero padding after the blob.
          const assembled = readFileSync(join(dir, `${bin}.as`));
          const ours = readFileSync(join(dir, bin));
          expect(assembled.subarray(0, ours.length).equals(ours), sec).to.equal(true);
          expect([...assembled.subarray(ours.length)].every((b) => b === 0) && assembled.length - ours.length < 8, sec).to.equal(true);
        }
        const relSec = t.rel === 'RELA' ? '.rela' : '.rel';
        expect(readelfRelocs(join(dir, 'blobs.o'), `${relSec}.mod_lineinfo`).map((r) => `${r.type} ${r.symbol}`)).to.deep.equal(['.text', '.exit.text', '.noinstr.text'].map((s) => `${t.relocType} ${s}`));
        // lineinfo embed of the raw blobs gives the same module as encode --embed.
        const embedded = join(dir, 'embedded.ko');
        await ok(['embed', ko!, join(dir, 'p.bin'), '--init', join(dir, 'i.bin'), '-o', embedded]);
        expect(readFileSync(embedded).equals(readFileSync(join(dir, 'v7.ko')))).to.equal(true);
      });

      it(t.rel === 'RELA'
        ? 'v5 leaves .noinstr.text uncovered; its blobs keep one relocation per descriptor'
        : 'v5 on a REL target: the generator applies no .rel.debug_line, so every row lands in .text (W32) and only .text gets a table', async () => {
        const out = join(dir, 'v5.ko');
        await ok(['encode', ko!, '--revision', 'v6', '--embed', '-o', out]);
        const relSec = t.rel === 'RELA' ? '.rela' : '.rel';
        const r = await cli(['lookup', out, 'noinstr_fn+0x0', 'exit_fn+0x0', '--revision', 'v5']);
        if (t.rel === 'RELA') {
          expect(readelfRelocs(out, `${relSec}.mod_lineinfo`).map((r) => r.symbol)).to.deep.equal(['.text', '.exit.text']);
          expect(r.out).to.equal('noinstr_fn+0x0 -\nexit_fn+0x0 a.c:18\n');
        } else {
          expect(readelfRelocs(out, `${relSec}.mod_lineinfo`).map((r) => r.symbol)).to.deep.equal(['.text']);
          expect(r.out).to.equal('noinstr_fn+0x0 -\nexit_fn+0x0 -\n');
        }
      });
    });
  }

  describe('defects the validator and the loader report (x86_64 and i686)', () => {
    const made: Record<string, string> = {};
    before(function () {
      for (const t of [TARGETS[0]!, TARGETS[1]!]) {
        const dir = join(tmp.path, `defects-${t.name}`);
        mkdirSync(dir, { recursive: true });
        const ko = build(t, dir);
        if (ko) made[t.name] = ko;
      }
      if (!made.x86_64) this.skip();
    });

    /** The module with blobs encoded with `options`, embedded with their relocations. */
    function embedWith(ko: string, name: string, options: Parameters<typeof encodeModuleBlobs>[2]): string {
      const bytes = new Uint8Array(readFileSync(ko));
      const elf = parseElf(bytes, ko);
      const t = moduleSectionTables(elf, 'v7');
      const blobs = encodeModuleBlobs(t, elf.endian, options);
      const out = join(ko, '..', name);
      writeFileSync(out, embedLineinfoBlobs(bytes, ko, blobs.embed));
      return out;
    }

    it('W23: labelBeforeAlign gives the bytes `as` makes of the generator\'s assembly with each label before its .balign; the validator reports LI-SEC-002 alone, pointing at the header', function () {
      const ko = made.x86_64!;
      if (!have('as') || !have('objcopy')) this.skip();
      const elf = parseElf(readFileSync(ko), ko);
      const t = moduleSectionTables(elf, 'v7');
      const blobs = encodeModuleBlobs(t, elf.endian, { labelBeforeAlign: true });
      const p = blobs.persistent;
      // The defect only shows where a previous table's names end unaligned: make sure one does.
      const offsets = p.headerOffsets.map((_, k) => new DataView(p.bytes.buffer, p.bytes.byteOffset).getUint32(8 + 16 * k + 12, true));
      const shifted = offsets.map((o, k) => o !== p.headerOffsets[k]);
      expect(shifted.some((x) => x), 'the test module has a table after an unaligned one').to.equal(true);

      // The generator's shape: `.Lp_hdr_N:` emitted before its `.balign 4` (our --asm puts it after).
      const dir = join(ko, '..');
      const asm = moduleBlobsAsm(t, { class: 64, endian: 'le' });
      const moved = asm.replace(/\t\.balign 4\n(\.L[pi]_hdr_\d+:)\n/g, '$1\n\t.balign 4\n');
      expect(moved).to.not.equal(asm);
      writeFileSync(join(dir, 'w23.S'), moved);
      must('as', [join(dir, 'w23.S'), '-o', join(dir, 'w23.o')]);
      must('objcopy', ['-O', 'binary', '--only-section=.mod_lineinfo', join(dir, 'w23.o'), join(dir, 'w23.bin')]);
      expect(Buffer.from(p.bytes).equals(readFileSync(join(dir, 'w23.bin')))).to.equal(true);

      const out = embedWith(ko, 'w23.ko', { labelBeforeAlign: true });
      const findings = validateFileReports(out)[0]!.diagnostics.filter((d) => d.severity !== 'note');
      expect(findings.map((d) => d.rule)).to.deep.equal(shifted.filter((x) => x).map(() => 'LI-SEC-002'));
      for (const d of findings) expect(d.message).to.match(/points into alignment padding; the header is at 0x[0-9a-f]+ .*W23/);
    });

    it('W22: a blob with its descriptors at offset 4 breaks LI-SEC-001; a 32-bit module checked as v6 gets LI-SEC-007', function () {
      for (const ko of [made.x86_64!, made.i686].filter((k): k is string => k !== undefined)) {
        const out = embedWith(ko, 'w22.ko', { descriptorsAt4: true });
        for (const report of validateFileReports(out)) {
          expect(report.layout).to.equal('v7');
          const sec1 = report.diagnostics.find((d) => d.rule === 'LI-SEC-001');
          expect(sec1?.message, `${ko} ${report.section?.name}`).to.match(/offset 4.*W22/);
          expect(sec1?.fileOffset).to.equal(report.section!.fileOffset + 4);
        }
      }
      // The raw blob alone: detected as v5, read as the 32-bit kernel reads it, LI-SEC-001 its only error.
      const elf = parseElf(readFileSync(made.x86_64!), made.x86_64!);
      const raw = encodeModuleBlobs(moduleSectionTables(elf, 'v7'), 'le', { descriptorsAt4: true }).persistent.bytes;
      const detected = detectLayout(raw, 'module', { endian: 'le' }).best;
      expect(detected.layout.id).to.equal('v5');
      expect(detected.errors).to.equal(1);
      expect(detected.model.findings.map((f) => f.rule)).to.include('LI-SEC-001');
      expect(detected.model.tables!.every((t) => t.entries.length > 0)).to.equal(true);
      if (!made.i686) this.skip();
      const good = embedWith(made.i686, 'w22-v6.ko', {});
      expect(validateFileReports(good, { layout: 'v5' }).flatMap((r) => r.diagnostics.map((d) => d.rule))).to.include('LI-SEC-007');
    });

    it('LI-SEC-006: an anchor whose relocation was removed stays 0', function () {
      const ko = made.x86_64!;
      const out = join(ko, '..', 'norel.ko');
      const full = join(ko, '..', 'full.ko');
      writeFileSync(full, embedLineinfoBlobs(new Uint8Array(readFileSync(ko)), ko, encodeModuleBlobs(moduleSectionTables(parseElf(readFileSync(ko), ko), 'v7'), 'le').embed));
      if (sh('objcopy', ['-R', '.rela.mod_lineinfo', full, out]).status !== 0) this.skip();
      const diags = validateFileReports(out)[0]!.diagnostics.filter((d) => d.rule === 'LI-SEC-006');
      expect(diags.length).to.equal(3);
      expect(diags[0]!.message).to.match(/no relocation/);
      expect(diags[0]!.severity).to.equal('error');
    });

    it('W27: an unknown relocation type on an anchor fails the load, naming the file and offset', async () => {
      const ko = made.x86_64!;
      const full = join(ko, '..', 'full.ko');
      const bytes = new Uint8Array(readFileSync(full));
      const elf = parseElf(bytes, full);
      const rela = elf.sectionByName('.rela.mod_lineinfo')!;
      // r_info's type of the first entry: R_X86_64_64 (1) -> 250, not an x86_64 type.
      new DataView(bytes.buffer).setUint32(rela.offset + 8, 250, true);
      const bad = join(ko, '..', 'w27.ko');
      writeFileSync(bad, bytes);
      expect(() => loadModule(parseElf(bytes, bad)).relocate(elf.sectionByName('.mod_lineinfo')!)).to.throw(/type 250 is unknown.*W27/);
      const r = await cli(['lookup', bad, 'text_fn+0x1']);
      expect(r.status).to.equal(2);
      expect(r.err).to.equal(`lineinfo: ${bad}: 0x${(rela.offset).toString(16)}: type 250 relocation at offset 0x8 of .mod_lineinfo: type 250 is unknown for EM_X86_64; a kernel fails to load the module (W27)\n`);
    });
  });

  describe('embed of a raw blob: which section each descriptor is for', () => {
    it('two covered sections of one size, only one with a table: the module\'s DWARF decides (.noinstr.text, not the asm-only .exit.text)', async function () {
      if (!have('gcc') || !have('as') || !have('ld') || !have('readelf') || process.arch !== 'x64') this.skip();
      const dir = join(tmp.path, 'same-size');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'd.c'), 'int g;\nint t1(int x) { return x + g; }\n__attribute__((section(".noinstr.text"))) int n1(int v) { return v * 3 + g; }\n');
      must('gcc', ['-g', '-O1', '-c', join(dir, 'd.c'), '-o', join(dir, 'd.o')]);
      const noinstr = parseElf(readFileSync(join(dir, 'd.o')), 'd.o').sectionByName('.noinstr.text')!.size;
      // an .exit.text of the same size without debug info: it gets no table
      writeFileSync(join(dir, 'e.S'), `\t.section .exit.text,"ax"\n\t.globl ex\nex:\n\t.skip ${noinstr}, 0x90\n`);
      must('as', [join(dir, 'e.S'), '-o', join(dir, 'e.o')]);
      const ko = join(dir, 'm.ko');
      must('ld', ['-r', join(dir, 'd.o'), join(dir, 'e.o'), '-o', ko]);
      await ok(['encode', ko, '--revision', 'v7', '-o', join(dir, 'm.bin')]);
      await ok(['embed', ko, join(dir, 'm.bin'), '-o', join(dir, 'e.ko')]);
      expect(readelfRelocs(join(dir, 'e.ko'), '.rela.mod_lineinfo').map((r) => r.symbol)).to.deep.equal(['.text', '.noinstr.text']);
      expect((await ok(['lookup', join(dir, 'e.ko'), 'n1+0x0'])).trim()).to.match(/^n1\+0x0 d\.c:3$/);
    });
  });
});

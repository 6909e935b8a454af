// What the kernel generator did differently from revision to revision, reproduced from real
// objects built here: the v2+ path rule (kernel top-level directories), v5+'s `_etext` cap for
// vmlinux, and the v5-v7 module generator's section biases (W32: v5/v6 alias rows of uncovered
// executable sections into covered ranges, v7 drops them; a row at the end of a section whose
// size is a multiple of 16 lands at offset 0 of the next covered section).
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseElf } from '../tools/elf/elf-file.js';
import { columnsFromDwarf } from '../tools/generator/dwarf-entries.js';
import { generatorRules } from '../tools/generator/generator-rules.js';
import { relativise, relativiseKernelDirs } from '../tools/generator/relative-path.js';
import { moduleSectionTables } from '../tools/generator/section-tables.js';
import { entryObjects } from '../tools/model/line-table.js';
import type { EntryArrays } from '../tools/model/line-table.js';
import { have, must } from './support/processes.js';
import { tempDir } from './support/tmp.js';

describe('generator rules by revision', function () {
  this.timeout(120_000);
  const tmp = tempDir('lineinfo-genrev-');
  after(() => tmp.remove());

  describe('names: v1 (comp_dir or basename) and v2+ (kernel top-level directories)', () => {
    const cases: [path: string, compDir: string | null, v1: string, v2: string][] = [
      ['/home/k/linux/fs/ext4/inode.c', '/home/k/linux', 'fs/ext4/inode.c', 'fs/ext4/inode.c'],
      // outside comp_dir: v1 keeps the basename, v2 finds a top-level directory at any depth
      ['/usr/include/stdio.h', '/home/k/linux', 'stdio.h', 'usr/include/stdio.h'],
      // comp_dir a subdirectory (parisc): v1 loses the directories, v2 recovers them
      ['/home/k/linux/arch/parisc/kernel/irq.c', '/home/k/linux/arch/parisc/kernel', 'irq.c', 'arch/parisc/kernel/irq.c'],
      ['/opt/src/myfs/x.c', '/build', 'x.c', 'x.c'],
      ['/a/b/myfs/x.c', '/a/b', 'myfs/x.c', 'myfs/x.c'],
      ['net/foo/bar.c/net/foo/bar.c', '/k', 'net/foo/bar.c', 'net/foo/bar.c'],
      // a bare name joined to an absolute comp_dir (v2 only)
      ['inode.c', '/home/k/linux/fs/ext4', 'inode.c', 'fs/ext4/inode.c'],
      ['inode.c', 'rel/dir', 'inode.c', 'inode.c'],
      ['inode.c', null, 'inode.c', 'inode.c'],
      // W25: a relative path with a directory is kept by both
      ['../arch/x86/kernel/a.c', '/o', '../arch/x86/kernel/a.c', '../arch/x86/kernel/a.c'],
      ['/x.c', '', 'x.c', 'x.c'],
    ];
    for (const [path, compDir, v1, v2] of cases) {
      it(`${path} in ${compDir ?? '(no comp_dir)'}: v1 ${v1}, v2+ ${v2}`, () => {
        expect(relativise(path, compDir)).to.equal(v1);
        expect(relativiseKernelDirs(path, compDir)).to.equal(v2);
      });
    }

    it('generatorRules: v1 names for v1 and v1-flat, kernel directories from v2 on, _etext from v5 on (aliases keep their number)', () => {
      expect(['v1', 'v1-flat', 'vmlinux-v1', 'vmlinux-v1-flat'].map((r) => generatorRules(r).paths)).to.deep.equal(['v1', 'v1', 'v1', 'v1']);
      expect(['v2', 'v4', 'vmlinux-v3', 'v7'].map((r) => generatorRules(r).paths)).to.deep.equal(['kernel-dirs', 'kernel-dirs', 'kernel-dirs', 'kernel-dirs']);
      expect(['vmlinux-v3', 'vmlinux-v4', 'vmlinux-v5', 'vmlinux-v6', 'vmlinux-v7'].map((r) => generatorRules(r).etextCap)).to.deep.equal([false, false, true, true, true]);
    });
  });

  describe('vmlinux: rows at or past _etext (from v5)', () => {
    let elfPath = '';
    let etextOffset = 0;
    before(function () {
      if (!have('gcc') || !have('ld') || !have('nm')) this.skip();
      const c = join(tmp.path, 'vm.c');
      writeFileSync(c, 'int first(int a)\n{\n  return a * 3;\n}\n\nint second(int a)\n{\n  return a + 11;\n}\n');
      must('gcc', ['-g', '-O0', '-fno-pie', '-c', c, '-o', join(tmp.path, 'vm.o')]);
      const link = (etext: string): void => {
        must('ld', ['-o', join(tmp.path, 'vm.elf'), '-e', '0', '--unresolved-symbols=ignore-all', '-Ttext=0x100000', '--defsym', '_text=0x100000', '--defsym', `_etext=${etext}`, join(tmp.path, 'vm.o')]);
      };
      link('0x100000');
      const second = must('nm', [join(tmp.path, 'vm.elf')]).split('\n').find((l) => / T second$/.test(l))!;
      const at = parseInt(second.split(' ')[0]!, 16);
      link(`0x${at.toString(16)}`);
      etextOffset = at - 0x100000;
      elfPath = join(tmp.path, 'vm.elf');
    });

    const offsets = (revision: string): number[] => {
      const elf = parseElf(readFileSync(elfPath), elfPath);
      return [...columnsFromDwarf(elf, 'vmlinux', generatorRules(revision)).table.columns.offsets];
    };

    it('vmlinux-v3 keeps second()\'s rows; vmlinux-v5, -v6 and -v7 stop at _etext, which second() starts at', () => {
      const v3 = offsets('vmlinux-v3');
      expect(v3.some((o) => o >= etextOffset), 'v3 has rows past _etext').to.equal(true);
      for (const r of ['vmlinux-v5', 'vmlinux-v6', 'vmlinux-v7']) {
        expect(offsets(r), r).to.deep.equal(v3.filter((o) => o < etextOffset));
      }
    });
  });

  describe('v5-v7 modules: the generator\'s section biases (W32)', () => {
    let obj = '';
    before(function () {
      if (!have('gcc') || !have('readelf') || process.arch !== 'x64') this.skip();
      // text_fn and the naked pad_fn fill .text to a multiple of 16 exactly, so the sequence's
      // end-of-sequence row (line 2) sits at .text's size; exit_fn is on line 10 and cold_fn, in
      // an uncovered executable section, on line 20.
      const source = (pad: number): string =>
        'int text_fn(int x) { return x * 3 + 1; }\n' +
        `__attribute__((naked)) void pad_fn(void) { __asm__(".skip ${pad}, 0x90"); }\n` +
        '\n'.repeat(7) +
        '__attribute__((section(".exit.text"))) int exit_fn(int x) { return x - 7; }\n' +
        '\n'.repeat(9) +
        '__attribute__((section(".text.unlikely"))) int cold_fn(int x) { return x * 5 + 2; }\n';
      const build = (pad: number): number => {
        writeFileSync(join(tmp.path, 'w32.c'), source(pad));
        must('gcc', ['-g', '-O1', '-c', join(tmp.path, 'w32.c'), '-o', join(tmp.path, 'w32.o')]);
        const elf = parseElf(readFileSync(join(tmp.path, 'w32.o')), 'w32.o');
        return elf.sectionByName('.text')!.size;
      };
      const size = build(1);
      const padded = build(1 + ((16 - (size % 16)) % 16));
      expect(padded % 16, '.text size').to.equal(0);
      obj = join(tmp.path, 'w32.o');
    });

    const tables = (revision: 'v5' | 'v7') => {
      const t = moduleSectionTables(parseElf(readFileSync(obj), obj), revision);
      const byName = new Map([...t.persistent.sections, ...t.init.sections].map((s) => [s.name, entryObjects(s.entries as EntryArrays)]));
      return { t, byName };
    };

    it('v5: cold_fn\'s rows (line 20) are aliased into .text at their own offsets; v7 drops them', () => {
      const v5 = tables('v5');
      const v7 = tables('v7');
      expect(v5.byName.get('.text')!.map((e) => e.line), 'v5 .text lines').to.include(20);
      expect(v7.byName.get('.text')!.map((e) => e.line), 'v7 .text lines').to.not.include(20);
      expect(v5.t.stats.foreign).to.be.greaterThan(v7.t.stats.foreign);
      expect(v5.t.warnings.join('\n')).to.match(/W32/);
    });

    it('v5 and v7: .text\'s end-of-sequence row (line 2) lands at .exit.text offset 0 and wins over exit_fn\'s own line 10', () => {
      for (const revision of ['v5', 'v7'] as const) {
        const exit = tables(revision).byName.get('.exit.text')!;
        expect(exit[0], revision).to.include({ offset: 0, line: 2 });
        // exit_fn's own line comes back only at its next row
        expect(exit[1], revision).to.include({ line: 10 });
        expect(exit[1]!.offset, revision).to.be.greaterThan(0);
      }
    });
  });
});

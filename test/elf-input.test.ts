/**
 * Tables inside real ELF objects built at test time with gcc/binutils: a module object with a
 * .mod_lineinfo section added by objcopy, and vmlinux-style objects where the generator's
 * assembly is linked (ld -r) next to C code. readelf is the oracle for offsets, and the ELF
 * reader itself is checked against readelf on these objects and on /bin/ls.
 */
import { expect } from 'chai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseElf } from '../tools/elf/elf-file.js';
import type { LineTable } from '../tools/model/line-table.js';
import { layoutById } from '../tools/revisions/registry.js';
import { validator } from '../tools/schemas/json-schemas.js';
import { lineinfo, REPO } from './support/cli.js';
import { expectOneLineError } from './support/cli-expect.js';
import { bruteLookup, encoderInput, lookupLine, queryOffsets } from './support/oracle.js';
import { oddNamesTable, tableWithEntries } from './support/table-set.js';
import { tempDir } from './support/tmp.js';
import { hasTool, readelfSections, readelfSymbols, run } from './support/toolchain.js';

interface DumpJson {
  container: string;
  layout: string;
  endian: string;
  detected: boolean;
  source: { kind: string; section: string | null; fileOffset: number; size: number };
  files: { name: string | null }[];
  entries: { offset: number; file: number; line: number }[];
  findings: { rule: string; level: string }[];
}

function dump(file: string, extra: string[] = []): { status: number | null; json: DumpJson; stderr: string } {
  const r = lineinfo(['dump', file, '--json', ...extra]);
  let json: DumpJson;
  try {
    json = JSON.parse(r.stdout) as DumpJson;
  } catch {
    expect.fail(`dump ${file}: no JSON on stdout (status ${r.status}, stderr ${r.stderr})`);
  }
  const v = validator('section-dump');
  if (!v(json)) expect.fail(`dump --json does not match the schema: ${JSON.stringify(v.errors?.slice(0, 3))}`);
  return { status: r.status, json, stderr: r.stderr };
}

const entriesOf = (d: DumpJson) => d.entries.map((e) => ({ offset: e.offset, fileId: e.file, line: e.line }));

const TABLE: LineTable = (() => {
  const t = tableWithEntries(2024, 180, 6);
  // include names that need escaping in the assembly
  return { files: [...t.files, ...oddNamesTable().files], entries: [...t.entries, { offset: t.entries[t.entries.length - 1]!.offset + 64, fileId: t.files.length + 1, line: 77 }] };
})();

const TINY_C = `const char tiny_rodata[37] = "tiny rodata placed next to the table";
int tiny_fn(int a, int b) { return a * b + tiny_rodata[a & 31]; }
`;

describe('tables inside ELF objects (gcc, objcopy, ld, readelf)', function () {
  let dir: ReturnType<typeof tempDir>;
  let input: string;
  let tinyO: string;

  before(function () {
    if (!['gcc', 'objcopy', 'readelf', 'ld'].every((t) => hasTool(t))) this.skip();
    dir = tempDir('elf');
    input = join(dir.path, 'table.json');
    writeFileSync(input, encoderInput(TABLE.files, TABLE.entries));
    writeFileSync(join(dir.path, 'tiny.c'), TINY_C);
    tinyO = join(dir.path, 'tiny.o');
    run('gcc', ['-g', '-O2', '-c', 'tiny.c', '-o', 'tiny.o'], dir.path);
  });
  after(() => dir?.remove());
  /** objects built for other targets, also checked against readelf below */
  const crossObjects: string[] = [];

  const queries = (): number[] => queryOffsets(TABLE, 11, 50);

  for (const rev of ['v1-flat', 'v1'] as const) {
    describe(`module object with .mod_lineinfo (${rev})`, function () {
      let sec: string;
      let obj: string;
      before(function () {
        sec = join(dir.path, `${rev}.sec`);
        obj = join(dir.path, `mod-${rev}.o`);
        const e = lineinfo(['encode', input, '--revision', rev, '-o', sec]);
        expect(e.status, e.stderr).to.equal(0);
        run('objcopy', ['--add-section', `.mod_lineinfo=${sec}`, '--set-section-flags', '.mod_lineinfo=alloc,readonly', tinyO, obj]);
      });

      it('dump finds the section at the file offset readelf reports and decodes the entries', function () {
        const s = readelfSections(obj).find((x) => x.name === '.mod_lineinfo');
        expect(s, 'readelf lists .mod_lineinfo').to.not.equal(undefined);
        const { status, json, stderr } = dump(obj);
        expect(status, stderr).to.equal(0);
        expect(json.source).to.deep.equal({ kind: 'elf', section: '.mod_lineinfo', fileOffset: s!.offset, size: s!.size });
        expect(json.source.size).to.equal(readFileSync(sec).length);
        expect(json.container).to.equal('module');
        expect(json.endian).to.equal('le');
        expect(json.layout).to.equal(rev);
        expect(entriesOf(json)).to.deep.equal(TABLE.entries);
        expect(json.files.map((f) => f.name)).to.deep.equal(TABLE.files);
        // the section bytes in the object are the encoder's bytes
        expect(readFileSync(obj).subarray(s!.offset, s!.offset + s!.size).equals(readFileSync(sec))).to.equal(true);
      });

      it('lookup in the object == lookup in the raw section == oracle', function () {
        const qs = queries().map((q) => `0x${q.toString(16)}`);
        const want = queries().map((q) => lookupLine(q, bruteLookup(TABLE, q))).join('\n') + '\n';
        for (const mode of ['strict', 'kernel']) {
          const inObj = lineinfo(['lookup', obj, ...qs, '--mode', mode]);
          const inRaw = lineinfo(['lookup', sec, ...qs, '--mode', mode, '--revision', rev]);
          expect(inObj.status, inObj.stderr).to.equal(0);
          expect(inObj.stdout, mode).to.equal(want);
          expect(inRaw.stdout, mode).to.equal(want);
        }
      });

      it('a vmlinux layout is refused for a module object (one line, exit 2)', function () {
        expectOneLineError(lineinfo(['dump', obj, '--revision', 'vmlinux-v1']), 'container mismatch', { file: obj });
      });
    });
  }

  describe('broken .mod_lineinfo inside an object: errors point at file offsets', function () {
    it('a section shorter than the header: the offset is the section start', function () {
      const sec = join(dir.path, 'short.sec');
      writeFileSync(sec, readFileSync(join(dir.path, 'v1.sec')).subarray(0, 10));
      const obj = join(dir.path, 'mod-short.o');
      run('objcopy', ['--add-section', `.mod_lineinfo=${sec}`, '--set-section-flags', '.mod_lineinfo=alloc,readonly', tinyO, obj]);
      const s = readelfSections(obj).find((x) => x.name === '.mod_lineinfo')!;
      expectOneLineError(lineinfo(['dump', obj]), 'short section', { file: obj, offset: s.offset });
      expectOneLineError(lineinfo(['lookup', obj, '0x10']), 'short section', { file: obj, offset: s.offset });
    });

    it('a v1-flat header with reserved != 0: the offset is the reserved field in the file', function () {
      const bytes = Buffer.from(readFileSync(join(dir.path, 'v1-flat.sec')));
      bytes.writeUInt32LE(1, 12);
      const sec = join(dir.path, 'reserved.sec');
      writeFileSync(sec, bytes);
      const obj = join(dir.path, 'mod-reserved.o');
      run('objcopy', ['--add-section', `.mod_lineinfo=${sec}`, '--set-section-flags', '.mod_lineinfo=alloc,readonly', tinyO, obj]);
      const s = readelfSections(obj).find((x) => x.name === '.mod_lineinfo')!;
      expectOneLineError(lineinfo(['dump', obj, '--revision', 'v1-flat']), 'reserved', { file: obj, offset: s.offset + 12 });
      expectOneLineError(lineinfo(['lookup', obj, '0x10', '--revision', 'v1-flat']), 'reserved', { file: obj, offset: s.offset + 12 });
    });

    it('an ELF file with no lineinfo at all', function () {
      expectOneLineError(lineinfo(['dump', tinyO]), 'no tables', { file: tinyO, offset: true });
      expectOneLineError(lineinfo(['lookup', tinyO, '1']), 'no tables', { file: tinyO, offset: true });
    });
  });

  for (const rev of ['vmlinux-v1-flat', 'vmlinux-v1'] as const) {
    for (const order of ['after C rodata', 'before C rodata'] as const) {
      describe(`vmlinux object: ${rev} assembly linked ${order}`, function () {
        let obj: string;
        let img: string;
        before(function () {
          const asm = join(dir.path, `${rev}.S`);
          const e = lineinfo(['encode', input, '--revision', rev, '--asm', '-o', asm]);
          expect(e.status, e.stderr).to.equal(0);
          const tableO = join(dir.path, `${rev}-table.o`);
          run('gcc', ['-c', asm, '-o', tableO]);
          obj = join(dir.path, `vm-${rev}-${order === 'after C rodata' ? 'after' : 'before'}.o`);
          run('ld', ['-r', ...(order === 'after C rodata' ? [tinyO, tableO] : [tableO, tinyO]), '-o', obj]);
          img = join(dir.path, `${rev}.img`);
          expect(lineinfo(['encode', input, '--revision', rev, '-o', img]).status).to.equal(0);
        });

        it('dump follows the lineinfo_* symbols to the table and decodes the same entries', function () {
          const syms = readelfSymbols(obj).get('.symtab')!;
          const start = syms.find((x) => x.name === 'lineinfo_num_entries');
          expect(start, 'readelf sees lineinfo_num_entries').to.not.equal(undefined);
          const home = readelfSections(obj)[Number(start!.ndx)]!;
          expect(home.name).to.equal('.rodata');
          if (order === 'after C rodata') expect(Number(start!.value), 'the table does not start the section').to.be.greaterThan(0);
          const { status, json, stderr } = dump(obj);
          expect(status, stderr).to.equal(0);
          expect(json.container).to.equal('vmlinux');
          expect(json.layout).to.equal(rev);
          expect(json.endian).to.equal('le');
          expect(json.source.kind).to.equal('elf');
          expect(json.source.section).to.equal('.rodata');
          expect(json.source.fileOffset).to.equal(home.offset + Number(start!.value));
          expect(json.source.fileOffset + json.source.size).to.equal(home.offset + home.size);
          expect(entriesOf(json)).to.deep.equal(TABLE.entries);
          expect(json.files.map((f) => f.name)).to.deep.equal(TABLE.files);
          expect(json.findings.filter((f) => f.level === 'MUST')).to.deep.equal([]);
          // every lineinfo_* symbol the layout defines is in the object
          for (const name of layoutById(rev).symbols!) expect(syms.some((x) => x.name === name), name).to.equal(true);
        });

        it('lookup answers in the object equal the raw image\'s and the oracle\'s', function () {
          const qs = queries();
          const args = qs.map((q) => `0x${q.toString(16)}`);
          const want = qs.map((q) => lookupLine(q, bruteLookup(TABLE, q))).join('\n') + '\n';
          for (const mode of ['strict', 'kernel']) {
            const inObj = lineinfo(['lookup', obj, ...args, '--mode', mode]);
            const inImg = lineinfo(['lookup', img, ...args, '--mode', mode, '--revision', rev]);
            expect(inObj.status, inObj.stderr).to.equal(0);
            expect(inImg.status, inImg.stderr).to.equal(0);
            expect(inObj.stdout, `${mode}: object vs image`).to.equal(inImg.stdout);
            expect(inObj.stdout, `${mode}: object vs oracle`).to.equal(want);
            expect(inObj.stderr).to.equal('');
          }
          const s = TABLE.entries[90]!.offset;
          const withStart = lineinfo(['lookup', obj, ...args, '--symbol-start', String(s)]);
          expect(withStart.stdout).to.equal(qs.map((q) => lookupLine(q, bruteLookup(TABLE, q, s))).join('\n') + '\n');
        });

        it('a module layout is refused for a vmlinux object (one line, exit 2)', function () {
          expectOneLineError(lineinfo(['dump', obj, '--revision', 'v1']), 'container mismatch', { file: obj });
        });
      });
    }
  }

  describe('objects for other targets (big-endian, ELF32), built with cross binutils', function () {
    const TARGETS = [
      { prefix: 'powerpc64-linux-gnu', args: [] as string[], ldArgs: [] as string[], endian: 'be', cls: 64 },
      { prefix: 'powerpc64-linux-gnu', args: ['-a32'], ldArgs: ['-m', 'elf32ppc'], endian: 'be', cls: 32 },
      { prefix: 'arm-linux-gnueabi', args: [] as string[], ldArgs: [] as string[], endian: 'le', cls: 32 },
    ] as const;
    for (const t of TARGETS) {
      const name = `${t.prefix}${t.args.length ? ' ' + t.args.join(' ') : ''}`;
      it(`${name}: module and vmlinux objects decode with the ELF's byte order`, function () {
        if (!['as', 'objcopy', 'ld'].every((x) => hasTool(`${t.prefix}-${x}`))) this.skip();
        const tag = `${t.prefix}${t.args.join('')}`;
        // a small object with code and rodata, then .mod_lineinfo added as a module build does
        const S = join(dir.path, `${tag}-code.S`);
        writeFileSync(S, '\t.text\n\t.globl f\nf:\t.long 0\n\t.section .rodata\n\t.ascii "rodata!"\n');
        run(`${t.prefix}-as`, [...t.args, '-o', `${S}.o`, S]);
        const sec = join(dir.path, `${tag}.sec`);
        expect(lineinfo(['encode', input, '--revision', 'v1', '--endian', t.endian, '-o', sec]).status).to.equal(0);
        const mod = join(dir.path, `${tag}-mod.o`);
        run(`${t.prefix}-objcopy`, ['--add-section', `.mod_lineinfo=${sec}`, '--set-section-flags', '.mod_lineinfo=alloc,readonly', `${S}.o`, mod]);
        const bytes = readFileSync(mod);
        expect(bytes[4], 'EI_CLASS').to.equal(t.cls === 64 ? 2 : 1);
        const s = readelfSections(mod).find((x) => x.name === '.mod_lineinfo')!;
        const m = dump(mod);
        expect(m.status, m.stderr).to.equal(0);
        expect({ endian: m.json.endian, layout: m.json.layout, fileOffset: m.json.source.fileOffset }).to.deep.equal({ endian: t.endian, layout: 'v1', fileOffset: s.offset });
        expect(entriesOf(m.json)).to.deep.equal(TABLE.entries);

        // vmlinux: the generator's assembly for this target, linked after the code object's rodata
        for (const rev of ['vmlinux-v1-flat', 'vmlinux-v1'] as const) {
          const asm = join(dir.path, `${tag}-${rev}.S`);
          expect(lineinfo(['encode', input, '--revision', rev, '--asm', '-o', asm]).status).to.equal(0);
          run(`${t.prefix}-as`, [...t.args, '-o', `${asm}.o`, asm]);
          const vm = join(dir.path, `${tag}-${rev}-vm.o`);
          run(`${t.prefix}-ld`, [...t.ldArgs, '-r', `${S}.o`, `${asm}.o`, '-o', vm]);
          const v = dump(vm);
          expect(v.status, v.stderr).to.equal(0);
          expect({ endian: v.json.endian, layout: v.json.layout, container: v.json.container }).to.deep.equal({ endian: t.endian, layout: rev, container: 'vmlinux' });
          expect(entriesOf(v.json)).to.deep.equal(TABLE.entries);
          const qs = queries().slice(0, 30);
          const want = qs.map((q) => lookupLine(q, bruteLookup(TABLE, q))).join('\n') + '\n';
          expect(lineinfo(['lookup', vm, ...qs.map(String)]).stdout).to.equal(want);
          crossObjects.push(vm);
        }
        crossObjects.push(mod);
      });
    }
  });

  describe('parseElf agrees with readelf -S -W and readelf -s -W', function () {
    const SHT_SYMTAB = 2;
    const SHT_DYNSYM = 11;
    const candidates = (): string[] => {
      const files = [
        'tiny.o',
        'mod-v1.o',
        'mod-v1-flat.o',
        'vm-vmlinux-v1-after.o',
        'vm-vmlinux-v1-flat-before.o',
      ].map((f) => join(dir.path, f));
      return [...files.filter((f) => existsSync(f)), ...crossObjects, ...(existsSync('/bin/ls') ? ['/bin/ls'] : [])];
    };

    it('on the objects built here and on /bin/ls', function () {
      const files = candidates();
      expect(files.length).to.be.at.least(5);
      for (const file of files) {
        const elf = parseElf(new Uint8Array(readFileSync(file)), file);
        const ref = readelfSections(file);
        expect(elf.sections.length, `${file}: section count`).to.equal(ref.length);
        ref.forEach((r, i) => {
          const s = elf.sections[i]!;
          expect({ index: s.index, name: s.name, offset: s.offset, size: s.size, addr: s.addr }, `${file} section ${i}`).to.deep.equal({
            index: r.index,
            name: r.name,
            offset: r.offset,
            size: r.size,
            addr: r.addr,
          });
        });
        const refSyms = readelfSymbols(file);
        const tables = elf.sections.filter((s) => s.type === SHT_SYMTAB || s.type === SHT_DYNSYM);
        expect(tables.map((t) => t.name).sort(), `${file}: symbol tables`).to.deep.equal([...refSyms.keys()].sort());
        for (const t of tables) {
          const ours = elf.symbolsOf(t);
          const theirs = refSyms.get(t.name)!;
          expect(ours.length, `${file} ${t.name}: symbol count`).to.equal(theirs.length);
          theirs.forEach((r, i) => {
            const s = ours[i]!;
            const ndx = s.rawShndx === 0 ? 'UND' : s.rawShndx === 0xfff1 ? 'ABS' : s.rawShndx === 0xfff2 ? 'COM' : String(s.shndx);
            // readelf names section symbols after their section
            const name = s.name === '' && r.type === 'SECTION' ? elf.sections[s.shndx]?.name ?? '' : s.name;
            expect({ name, value: s.value, size: Number(s.size), ndx }, `${file} ${t.name}[${i}]`).to.deep.equal({ name: r.name, value: r.value, size: r.size, ndx: r.ndx });
          });
        }
        // the symbol table symbols() reads is .symtab when present, else .dynsym
        const expected = refSyms.get('.symtab') ?? refSyms.get('.dynsym') ?? [];
        expect(elf.symbols().length, `${file}: symbols()`).to.equal(expected.length);
      }
    });
  });
});

describe('relocations of the debug sections that lineinfo-kit cannot apply: an input error, never a wrong table', function () {
  // The bundled x86_64 module, with its relocations made unappliable in two ways: the whole file
  // claimed for another machine (EM_LOONGARCH, whose numbers do not mean R_X86_64_*), and every
  // .rela.debug_line entry given a type no psABI defines.
  let dir: ReturnType<typeof tempDir>;
  let otherMachine: string;
  let badTypes: string;
  before(function () {
    dir = tempDir('reloc-types');
    const hello = new Uint8Array(readFileSync(join(REPO, 'examples', 'hello.ko')));
    const asLoongArch = new Uint8Array(hello);
    new DataView(asLoongArch.buffer).setUint16(18, 258, true);
    otherMachine = join(dir.path, 'machine258.ko');
    writeFileSync(otherMachine, asLoongArch);
    const elf = parseElf(hello, 'hello.ko');
    const rs = elf.sectionByName('.rela.debug_line')!;
    const dead = new Uint8Array(hello);
    const view = new DataView(dead.buffer);
    for (let at = rs.offset; at < rs.offset + rs.size; at += 24) view.setUint32(at + 8, 0xdead, true);
    badTypes = join(dir.path, 'dead.ko');
    writeFileSync(badTypes, dead);
  });
  after(() => dir?.remove());

  /** The one stderr line names relocation N of section I; its offset must be that entry's file offset. */
  function expectRelocationError(file: string, args: string[], type: string, machine: string): void {
    const r = lineinfo(args);
    expectOneLineError(r, args.join(' '), { file, offset: true });
    const line = r.stderr.trim();
    const m = new RegExp(`^lineinfo: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: 0x([0-9a-f]+): relocation (\\d+) of section (\\d+) \\((\\.rela\\.debug_\\w+)\\) has type ${type}, which lineinfo-kit does not apply for ${machine}$`).exec(line);
    expect(m, line).to.not.equal(null);
    const elf = parseElf(new Uint8Array(readFileSync(file)), file);
    const rs = elf.sections[Number(m![3])]!;
    expect(rs.name).to.equal(m![4]);
    expect(parseInt(m![1]!, 16), 'the offset is the relocation entry').to.equal(rs.offset + Number(m![2]) * 24);
  }

  it('encode (v1, --asm, v7 --revision, --embed): exit 2, the relocation entry named at its file offset', function () {
    const out = join(dir.path, 'out.bin');
    for (const extra of [['-o', out], ['--asm'], ['--revision', 'v7', '-o', out], ['--embed', '-o', join(dir.path, 'out.ko')]]) {
      expectRelocationError(otherMachine, ['encode', otherMachine, ...extra], '\\d+ \\(0x[0-9a-f]+\\)', 'EM_LOONGARCH');
      expectRelocationError(badTypes, ['encode', badTypes, ...extra], '57005 \\(0xdead\\)', 'EM_X86_64');
    }
    expect(existsSync(out), 'no output written').to.equal(false);
  });

  it('validate --dwarf: LI-DWF-001 says why the DWARF cannot be read, with the relocation entry\'s file offset', function () {
    for (const [file, why] of [
      [otherMachine, /^cannot derive entries from the DWARF \(file offset 0x[0-9a-f]+\): relocation \d+ of section \d+ \(\.rela\.debug_\w+\) has type \d+ \(0x[0-9a-f]+\), which lineinfo-kit does not apply for EM_LOONGARCH$/],
      [badTypes, /^cannot derive entries from the DWARF \(file offset 0x[0-9a-f]+\): relocation 0 of section \d+ \(\.rela\.debug_line\) has type 57005 \(0xdead\), which lineinfo-kit does not apply for EM_X86_64$/],
    ] as const) {
      const r = lineinfo(['validate', '--dwarf', '--json', file]);
      const report = JSON.parse(r.stdout) as { files: { diagnostics: { rule: string; message: string; severity: string }[] }[] };
      const dwf = report.files[0]!.diagnostics.filter((d) => d.rule === 'LI-DWF-001');
      expect(dwf.map((d) => d.message), file).to.have.length(1);
      expect(dwf[0]!.message).to.match(why);
      expect(r.status, 'LI-DWF-001 is a warning').to.equal(0);
      expect(lineinfo(['validate', '--dwarf', '--warnings-as-errors', file]).status).to.equal(1);
    }
  });

  it('commands that do not read DWARF are unaffected (dump, lookup)', function () {
    expect(lineinfo(['dump', badTypes]).status).to.equal(0);
    expect(lineinfo(['lookup', badTypes, '0x10']).status).to.equal(0);
  });
});

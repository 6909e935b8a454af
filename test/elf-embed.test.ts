/**
 * embedSection() against real toolchains: objects are compiled and `ld -r`-linked at test time for
 * every target whose cross compiler is installed (the host gcc for x86-64 and i386; aarch64, arm,
 * powerpc64 (big-endian), powerpc (32-bit big-endian), s390x and riscv64 cross toolchains when
 * present), a 237-byte `.mod_lineinfo` section is embedded, and binutils must see the result as the
 * same object plus that section. Missing toolchains skip their suite.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHF_ALLOC, SHF_LINK_ORDER, SHT_NOBITS, SHT_NOTE, SHT_PROGBITS } from '../tools/elf/elf-constants.js';
import { embedSection } from '../tools/elf/elf-embed.js';
import { ElfFormatError, parseElf } from '../tools/elf/elf-file.js';
import { UsageError } from '../tools/errors.js';

// ---------------------------------------------------------------------------------------------
// Running tools

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd?: string): Run {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, timeout: 120_000 });
  if (r.error !== undefined) return { status: null, stdout: '', stderr: String(r.error) };
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Run and require success; returns stdout. */
function ok(cmd: string, args: string[], cwd?: string): string {
  const r = run(cmd, args, cwd);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

const availability = new Map<string, boolean>();
function have(cmd: string): boolean {
  let v = availability.get(cmd);
  if (v === undefined) {
    v = run(cmd, ['--version']).status === 0;
    availability.set(cmd, v);
  }
  return v;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}

// ---------------------------------------------------------------------------------------------
// readelf -S -W parsing

interface Row {
  index: number;
  name: string;
  type: string;
  addr: string;
  off: string;
  size: string;
  es: string;
  flg: string;
  lk: string;
  inf: string;
  al: string;
}

function sectionRows(text: string): Row[] {
  const rows: Row[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*\[\s*(\d+)\]\s?(.*)$/.exec(line);
    if (m === null) continue;
    // From the right: al inf lk [flg] es size off addr; what is left is the name (absent for the
    // null section) and the type, which may contain spaces ("SYMTAB SECTION INDICES").
    const t = m[2]!.trim().split(/\s+/);
    const take = () => {
      const v = t.pop();
      if (v === undefined) throw new Error(`cannot parse readelf -S line: ${line}`);
      return v;
    };
    const al = take();
    const inf = take();
    const lk = take();
    // Flag letters are never lower-case hex digits; sh_entsize always is.
    const flg = /^[0-9a-f]+$/.test(t[t.length - 1] ?? '') ? '' : take();
    const es = take();
    const size = take();
    const off = take();
    const addr = take();
    if (t.length === 0) throw new Error(`cannot parse readelf -S line: ${line}`);
    const name = t.length === 1 ? '' : t.shift()!;
    rows.push({ index: Number(m[1]), name, type: t.join(' '), addr, off, size, es, flg, lk, inf, al });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Targets

interface Target {
  label: string;
  /** Tool prefix: '' for the host binutils, else e.g. `aarch64-linux-gnu-`. */
  prefix: string;
  cflags: string[];
  ldflags: string[];
}

const TARGETS: Target[] = [
  { label: 'x86-64 (ELF64 LE, RELA)', prefix: '', cflags: [], ldflags: [] },
  { label: 'i386 (ELF32 LE, REL)', prefix: '', cflags: ['-m32'], ldflags: ['-m', 'elf_i386'] },
  { label: 'aarch64 (ELF64 LE)', prefix: 'aarch64-linux-gnu-', cflags: [], ldflags: [] },
  { label: 'arm (ELF32 LE, REL)', prefix: 'arm-linux-gnueabi-', cflags: [], ldflags: [] },
  { label: 'powerpc64 (ELF64 BE)', prefix: 'powerpc64-linux-gnu-', cflags: [], ldflags: [] },
  { label: 'powerpc (ELF32 BE)', prefix: 'powerpc64-linux-gnu-', cflags: ['-m32'], ldflags: ['-m', 'elf32ppclinux'] },
  { label: 's390x (ELF64 BE)', prefix: 's390x-linux-gnu-', cflags: [], ldflags: [] },
  { label: 'riscv64 (ELF64 LE)', prefix: 'riscv64-linux-gnu-', cflags: [], ldflags: [] },
];

/** A module-like object: code in .text/.init.text/.exit.text, data with relocations, .modinfo, a COMDAT group. */
const MAIN_C = `
static int counter;
static const char banner[] = "lineinfo embed test";
const char *get_banner(void) { return banner; }
int helper(int x) { counter += x; return counter * 3; }
__attribute__((noinline)) int compute(int n) { int s = 0; for (int i = 0; i < n; i++) s += helper(i) ^ i; return s; }
__attribute__((section(".init.text"))) int mod_init(void) { return compute(10); }
__attribute__((section(".exit.text"))) void mod_exit(void) { counter = 0; }
int (*const init_ptr)(void) = mod_init;
__asm__(".pushsection .rodata.grouped,\\"aG\\",%progbits,grouped_sig,comdat\\n"
        ".globl grouped_sig\\ngrouped_sig:\\n.byte 1,2,3,4\\n.popsection\\n");
`;
const MOD_C = `
struct module { const char *name; int (*init)(void); void (*exit)(void); };
extern int mod_init(void);
extern void mod_exit(void);
static const char modinfo_license[] __attribute__((section(".modinfo"), used, aligned(1))) = "license=GPL";
struct module this_module __attribute__((section(".gnu.linkonce.this_module"))) = { "embedtest", mod_init, mod_exit };
`;

function tool(t: Target, name: string): string {
  if (t.prefix === '') return name;
  // readelf is target-independent; use the host one when the cross one is missing.
  return have(t.prefix + name) || name !== 'readelf' ? t.prefix + name : name;
}

function toolchainMissing(t: Target, dir: string): string | null {
  for (const n of ['gcc', 'ld', 'objdump', 'objcopy']) if (!have(tool(t, n))) return `${tool(t, n)} not installed`;
  if (!have(tool(t, 'readelf'))) return 'readelf not installed';
  // e.g. gcc -m32 without 32-bit support files: probe a compile.
  writeFileSync(join(dir, 'probe.c'), 'int probe(void) { return 1; }\n');
  const r = run(tool(t, 'gcc'), [...t.cflags, '-c', 'probe.c', '-o', 'probe.o'], dir);
  return r.status === 0 ? null : `${tool(t, 'gcc')} ${t.cflags.join(' ')} cannot compile: ${r.stderr.split('\n')[0]}`;
}

/** gcc -g -O2 -c both files, then ld -r them into embedtest.ko; returns its path. */
function buildModule(t: Target, dir: string): string {
  writeFileSync(join(dir, 'main.c'), MAIN_C);
  writeFileSync(join(dir, 'mod.c'), MOD_C);
  ok(tool(t, 'gcc'), [...t.cflags, '-g', '-O2', '-c', 'main.c', '-o', 'main.o'], dir);
  ok(tool(t, 'gcc'), [...t.cflags, '-g', '-O2', '-c', 'mod.c', '-o', 'mod.o'], dir);
  ok(tool(t, 'ld'), ['-r', ...t.ldflags, 'main.o', 'mod.o', '-o', 'embedtest.ko'], dir);
  return join(dir, 'embedtest.ko');
}

// ---------------------------------------------------------------------------------------------

const NAME = '.mod_lineinfo';

function embedOptions(data: Uint8Array, extra: { replace?: boolean } = {}) {
  return { name: NAME, data, flags: SHF_ALLOC, addralign: 4, type: SHT_PROGBITS, ...extra };
}

for (const target of TARGETS) {
  describe(`embedSection: ${target.label}`, function () {
    let dir = '';
    let input = '';
    let inputBytes: Buffer;
    let data: Uint8Array;
    let output = '';
    let outputBytes: Uint8Array;
    let inputHash = '';

    /** readelf on a file; its stderr must be empty (no warnings). */
    const readelf = (args: string[], file: string): string => {
      const r = run(tool(target, 'readelf'), [...args, file]);
      expect(r.stderr, `readelf ${args.join(' ')} ${file}: stderr`).to.equal('');
      expect(r.status).to.equal(0);
      return r.stdout.split(file).join('FILE');
    };
    /** readelf on the input and on the output: same stdout (file names aside), same stderr. */
    const sameReadelf = (args: string[], before: string, after: string): string => {
      const a = run(tool(target, 'readelf'), [...args, before]);
      const b = run(tool(target, 'readelf'), [...args, after]);
      expect([b.status, b.stderr.split(after).join('FILE')], `readelf ${args.join(' ')}: status, stderr`).to.deep.equal([
        a.status,
        a.stderr.split(before).join('FILE'),
      ]);
      expect(b.stdout.split(after).join('FILE'), `readelf ${args.join(' ')}`).to.equal(a.stdout.split(before).join('FILE'));
      return b.stdout;
    };

    before(function () {
      dir = mkdtempSync(join(tmpdir(), 'elf-embed-'));
      const missing = toolchainMissing(target, dir);
      if (missing !== null) {
        rmSync(dir, { recursive: true, force: true });
        dir = '';
        this.skip();
      }
      input = buildModule(target, dir);
      inputBytes = readFileSync(input);
      inputHash = sha256(inputBytes);
      data = new Uint8Array(randomBytes(237));
      writeFileSync(join(dir, 'lineinfo.bin'), data);
      outputBytes = embedSection(inputBytes, input, embedOptions(data));
      output = join(dir, 'out.ko');
      writeFileSync(output, outputBytes);
    });

    after(function () {
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    });

    it('does not modify the input buffer or file', function () {
      expect(sha256(inputBytes)).to.equal(inputHash);
      expect(sha256(readFileSync(input))).to.equal(inputHash);
      expect(outputBytes.buffer).to.not.equal(inputBytes.buffer);
    });

    it('appends .mod_lineinfo and keeps every other section header (readelf -S)', function () {
      const before = sectionRows(readelf(['-S', '-W'], input));
      const after = sectionRows(readelf(['-S', '-W'], output));
      const shstrndx = parseElf(inputBytes, input).header.shstrndx;
      expect(after.length).to.equal(before.length + 1);
      for (const [i, b] of before.entries()) {
        const a = after[i]!;
        if (i === shstrndx) {
          // The only header that changes: the string table moved to take the new name.
          expect({ ...a, off: '', size: '' }).to.deep.equal({ ...b, off: '', size: '' });
          expect(parseInt(a.size, 16)).to.equal(parseInt(b.size, 16) + NAME.length + 1);
        } else {
          expect(a, `section ${i}`).to.deep.equal(b);
        }
      }
      const added = after[before.length]!;
      expect(added).to.include({ index: before.length, name: NAME, type: 'PROGBITS', flg: 'A', al: '4', lk: '0', inf: '0', es: '00' });
      expect(parseInt(added.addr, 16)).to.equal(0);
      expect(parseInt(added.size, 16)).to.equal(237);
      expect(parseInt(added.off, 16) % 4).to.equal(0);
    });

    it('keeps the section bytes at their offsets', function () {
      const a = parseElf(inputBytes, input);
      const b = parseElf(outputBytes, output);
      for (const s of a.sections) {
        if (s.index === a.header.shstrndx) {
          const moved = b.sections[s.index]!.data();
          expect(sameBytes(moved.subarray(0, s.size), s.data())).to.equal(true);
          continue;
        }
        expect(sameBytes(outputBytes.subarray(s.offset, s.offset + s.data().length), s.data()), s.name).to.equal(true);
      }
    });

    it('leaves the ELF header as it was but for e_shoff and e_shnum (readelf -h)', function () {
      const strip = (t: string) => t.split('\n').filter((l) => !/Start of section headers|Number of section headers/.test(l));
      expect(strip(readelf(['-h'], output))).to.deep.equal(strip(readelf(['-h'], input)));
    });

    it('leaves symbols, relocations and groups untouched (readelf -s, -r, -g)', function () {
      for (const opt of ['-s', '-r', '-g']) {
        expect(readelf([opt, '-W'], output), `readelf ${opt}`).to.equal(readelf([opt, '-W'], input));
      }
      expect(readelf(['-g', '-W'], input)).to.match(/COMDAT group section/);
      expect(readelf(['-r', '-W'], input)).to.match(/Relocation section/);
    });

    it('leaves the code and the line tables alone (objdump -d, readelf --debug-dump=decodedline)', function () {
      const objdump = (file: string) => ok(tool(target, 'objdump'), ['-d', file]).split(file).join('FILE');
      expect(objdump(output)).to.equal(objdump(input));
      // readelf 2.40 warns "Corrupt file name list" on some `ld -r` outputs (several DWARF 5 CUs
      // in .debug_line), input and output alike: here only "same stdout, same stderr".
      expect(sameReadelf(['--debug-dump=decodedline'], input, output)).to.match(/main\.c/);
    });

    it('works on an object straight from gcc -c as well (no readelf warnings at all)', function () {
      const obj = join(dir, 'main.o');
      const objBytes = readFileSync(obj);
      const out = join(dir, 'main-embedded.o');
      writeFileSync(out, embedSection(objBytes, obj, embedOptions(data)));
      for (const opt of ['-s', '-r', '-g', '--debug-dump=decodedline']) {
        expect(readelf([opt, '-W'], out), opt).to.equal(readelf([opt, '-W'], obj));
      }
      const rows = sectionRows(readelf(['-S', '-W'], out));
      expect(rows.length).to.equal(parseElf(objBytes, obj).sections.length + 1);
      expect(rows.at(-1)).to.include({ name: NAME, flg: 'A', al: '4' });
      const objdump = (file: string) => ok(tool(target, 'objdump'), ['-d', file]).split(file).join('FILE');
      expect(objdump(out)).to.equal(objdump(obj));
    });

    it('holds exactly the bytes given (objcopy -O binary --only-section)', function () {
      const out = join(dir, 'extracted.bin');
      ok(tool(target, 'objcopy'), ['-O', 'binary', `--only-section=${NAME}`, output, out]);
      expect(sameBytes(readFileSync(out), data)).to.equal(true);
    });

    it('is accepted by ld -r, which carries the section along', function () {
      const relinked = join(dir, 'relinked.ko');
      const r = run(tool(target, 'ld'), ['-r', ...target.ldflags, output, '-o', relinked]);
      expect(r.stderr).to.equal('');
      expect(r.status).to.equal(0);
      const s = parseElf(readFileSync(relinked), relinked).sectionByName(NAME);
      expect(s).to.not.equal(undefined);
      expect(sameBytes(s!.data(), data)).to.equal(true);
      expect(s!.isAlloc).to.equal(true);
      readelf(['-S', '-W'], relinked);
    });

    it('gives the same sections and flags as objcopy --add-section (offsets aside)', function () {
      const ref1 = join(dir, 'ref1.ko');
      const ref2 = join(dir, 'ref2.ko');
      const objcopy = tool(target, 'objcopy');
      ok(objcopy, [`--add-section`, `${NAME}=${join(dir, 'lineinfo.bin')}`, `--set-section-flags`, `${NAME}=alloc,readonly`, input, ref1]);
      // binutils 2.40 ignores --set-section-alignment given with --add-section: a second pass.
      ok(objcopy, [`--set-section-alignment`, `${NAME}=4`, ref1, ref2]);
      const key = (r: Row) => `${r.name} ${r.type} ${r.flg}`;
      const ours = sectionRows(readelf(['-S', '-W'], output));
      const theirs = sectionRows(readelf(['-S', '-W'], ref2));
      expect(ours.map(key).sort()).to.deep.equal(theirs.map(key).sort());
      const pick = (rows: Row[]) => {
        const r = rows.find((x) => x.name === NAME)!;
        return { type: r.type, flg: r.flg, size: r.size, al: r.al, es: r.es };
      };
      expect(pick(ours)).to.deep.equal(pick(theirs));
    });

    it('refuses to embed the same name twice, and replaces it on request', function () {
      expect(() => embedSection(outputBytes, output, embedOptions(data)))
        .to.throw(ElfFormatError, /already exists/)
        .with.property('offset', parseElf(outputBytes, output).sectionByName(NAME)!.headerOffset);

      const before = parseElf(outputBytes, output);
      const index = before.sectionByName(NAME)!.index;
      const second = new Uint8Array(randomBytes(101));
      const replacedBytes = embedSection(outputBytes, output, { name: NAME, data: second, flags: SHF_ALLOC, addralign: 8, replace: true });
      const replaced = join(dir, 'replaced.ko');
      writeFileSync(replaced, replacedBytes);
      const after = parseElf(replacedBytes, replaced);
      expect(after.sections.length).to.equal(before.sections.length);
      const s = after.sections[index]!;
      expect(s.name).to.equal(NAME);
      expect(sameBytes(s.data(), second)).to.equal(true);
      expect(s.addralign).to.equal(8n);
      expect(s.offset % 8).to.equal(0);

      const rowsBefore = sectionRows(readelf(['-S', '-W'], output));
      const rowsAfter = sectionRows(readelf(['-S', '-W'], replaced));
      expect(rowsAfter.filter((r) => r.index !== index)).to.deep.equal(rowsBefore.filter((r) => r.index !== index));
      expect(rowsAfter[index]).to.include({ name: NAME, flg: 'A', al: '8', size: (101).toString(16).padStart(rowsBefore[index]!.size.length, '0') });
      for (const opt of ['-s', '-r', '-g']) expect(readelf([opt, '-W'], replaced)).to.equal(readelf([opt, '-W'], input));
      const out = join(dir, 'extracted2.bin');
      ok(tool(target, 'objcopy'), ['-O', 'binary', `--only-section=${NAME}`, replaced, out]);
      expect(sameBytes(readFileSync(out), second)).to.equal(true);
      expect(run(tool(target, 'ld'), ['-r', ...target.ldflags, replaced, '-o', join(dir, 'relinked2.ko')]).status).to.equal(0);

      // The space of the replaced data is reused: replacing again does not grow the file.
      const third = embedSection(replacedBytes, replaced, { name: NAME, data: second, flags: SHF_ALLOC, addralign: 8, replace: true });
      expect(third.length).to.equal(replacedBytes.length);
      expect(sha256(outputBytes)).to.equal(sha256(readFileSync(output)));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Host-only cases (x86-64 gcc/as/ld)

describe('embedSection: refusals and edge cases (host toolchain)', function () {
  let dir = '';
  let ko = '';
  let koBytes: Buffer;
  const host = TARGETS[0]!;

  before(function () {
    if (!have('gcc') || !have('ld') || !have('readelf') || !have('as')) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'elf-embed-host-'));
    ko = buildModule(host, dir);
    koBytes = readFileSync(ko);
  });

  after(function () {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('refuses ET_EXEC and ET_DYN at e_type (0x10)', function () {
    writeFileSync(join(dir, 'start.c'), 'void _start(void) { for (;;) ; }\nint lib(void) { return 2; }\n');
    ok('gcc', ['-nostdlib', '-static', '-O2', 'start.c', '-o', 'exe'], dir);
    ok('gcc', ['-nostdlib', '-shared', '-fPIC', '-O2', 'start.c', '-o', 'lib.so'], dir);
    for (const [file, type] of [['exe', 'ET_EXEC'], ['lib.so', 'ET_DYN']] as const) {
      const bytes = readFileSync(join(dir, file));
      const hash = sha256(bytes);
      let err: unknown;
      try {
        embedSection(bytes, file, embedOptions(new Uint8Array(8)));
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(ElfFormatError);
      const e = err as ElfFormatError;
      expect(e.offset).to.equal(0x10);
      expect(e.message).to.contain(type).and.contain('only relocatable objects');
      expect(e.message.startsWith(`${file}: 0x10: `)).to.equal(true);
      expect(sha256(bytes)).to.equal(hash);
    }
  });

  it('rejects bad options with UsageError', function () {
    const d = new Uint8Array(4);
    const bad: Array<Record<string, unknown>> = [
      { name: '' },
      { name: 'a\0b' },
      { addralign: 3 },
      { addralign: -4 },
      { addralign: 1.5 },
      { flags: -1n },
      { flags: SHF_LINK_ORDER },
      { type: SHT_NOBITS },
      { type: 2 /* SHT_SYMTAB */ },
      { type: 4 /* SHT_RELA */ },
    ];
    for (const b of bad) {
      const options = { ...embedOptions(d), ...b } as Parameters<typeof embedSection>[2];
      expect(() => embedSection(koBytes, ko, options), JSON.stringify(b, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))).to.throw(UsageError);
    }
  });

  it('refuses to replace sections that other parts of the file describe', function () {
    const d = new Uint8Array(4);
    for (const [name, why] of [
      ['.text', /relocations/],
      ['.symtab', /SYMTAB/],
      ['.strtab', /links to it/],
      ['.shstrtab', /section name string table/],
      ['.rodata.grouped', /member of section group/],
      ['.gnu.linkonce.this_module', /holds relocations for it/],
      ['.modinfo', /symbol modinfo_license .* is defined in it/],
      ['.group', /SHT_GROUP/],
    ] as const) {
      expect(() => embedSection(koBytes, ko, { name, data: d, flags: SHF_ALLOC, addralign: 4, replace: true }), name).to.throw(ElfFormatError, why);
    }
  });

  it('refuses a module with an appended signature', function () {
    const signed = Buffer.concat([koBytes, Buffer.from('\x00\x00\x00\x00fake signature~Module signature appended~\n', 'latin1')]);
    expect(() => embedSection(signed, 'signed.ko', embedOptions(new Uint8Array(4)))).to.throw(ElfFormatError, /signature/);
  });

  it('reuses a name already in .shstrtab (a suffix of another name) and leaves .shstrtab in place', function () {
    const out = embedSection(koBytes, ko, { name: 'text', data: new Uint8Array([1, 2, 3]), flags: 0n, addralign: 1, type: SHT_NOTE });
    const a = parseElf(koBytes, ko);
    const b = parseElf(out, 'out');
    const sa = a.sections[a.header.shstrndx]!;
    const sb = b.sections[b.header.shstrndx]!;
    expect([sb.offset, sb.size]).to.deep.equal([sa.offset, sa.size]);
    const added = b.sections[a.sections.length]!;
    expect(added.name).to.equal('text');
    expect(added.typeName).to.match(/NOTE/);
    const file = join(dir, 'suffix.ko');
    writeFileSync(file, out);
    const r = run('readelf', ['-S', '-W', file]);
    expect(r.stderr).to.equal('');
    expect(sectionRows(r.stdout).at(-1)).to.include({ name: 'text', type: 'NOTE', flg: '' });
  });

  it('keeps unrecognised trailing bytes where they were and embeds an empty section', function () {
    const tail = Buffer.from('TRAILING DATA');
    const withTail = Buffer.concat([koBytes, tail]);
    const out = embedSection(withTail, 'tail.ko', { name: '.empty', data: new Uint8Array(0), flags: SHF_ALLOC, addralign: 16 });
    expect(sameBytes(out.subarray(koBytes.length, koBytes.length + tail.length), tail)).to.equal(true);
    const s = parseElf(out, 'tail.ko').sectionByName('.empty')!;
    expect([s.size, s.offset % 16, s.offset >= withTail.length]).to.deep.equal([0, 0, true]);
  });

});

// ---------------------------------------------------------------------------------------------
// SHN_XINDEX: section counts around SHN_LORESERVE (0xff00), generated with `as`

describe('embedSection: extended section numbering (SHN_LORESERVE)', function () {
  let dir = '';

  before(function () {
    if (!have('as') || !have('ld') || !have('readelf')) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'elf-embed-xindex-'));
    // rawHeader() below reads ELF64 little-endian fields: skip on other hosts.
    writeFileSync(join(dir, 'probe.s'), '.byte 0\n');
    ok('as', ['probe.s', '-o', 'probe.o'], dir);
    const probe = parseElf(readFileSync(join(dir, 'probe.o')), 'probe.o');
    if (probe.class !== 64 || probe.endian !== 'le') this.skip();
  });

  after(function () {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  /** An object with exactly `total` section headers (symbols in the high ones force .symtab_shndx). */
  function manySections(total: number): { file: string; bytes: Buffer } {
    const file = join(dir, `many-${total}.o`);
    let n = total;
    for (let attempt = 0; attempt < 3; attempt++) {
      const lines: string[] = [];
      for (let i = 0; i < n; i++) {
        lines.push(`.section .s${i},"a"`);
        if (i % 5000 === 0 || i > 65200) lines.push(`.globl sym${i}`, `sym${i}:`);
        lines.push(`.byte ${i & 0xff}`);
      }
      writeFileSync(join(dir, 'many.s'), lines.join('\n') + '\n');
      ok('as', ['many.s', '-o', file], dir);
      const bytes = readFileSync(file);
      const count = parseElf(bytes, file).sections.length;
      if (count === total) return { file, bytes };
      n += total - count;
    }
    throw new Error(`could not make an object with ${total} sections`);
  }

  function rawHeader(bytes: Uint8Array) {
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const shoff = Number(v.getBigUint64(40, true));
    return {
      shnum: v.getUint16(60, true),
      shstrndx: v.getUint16(62, true),
      sh0size: Number(v.getBigUint64(shoff + 32, true)),
      sh0link: v.getUint32(shoff + 40, true),
    };
  }

  function check(total: number) {
    const { file, bytes } = manySections(total);
    const out = embedSection(bytes, file, embedOptions(new Uint8Array(randomBytes(237))));
    const outFile = file.replace(/\.o$/, '.out.o');
    writeFileSync(outFile, out);
    const re = (args: string[], f: string) => {
      const r = run('readelf', [...args, f]);
      expect(r.stderr, `readelf ${args.join(' ')}`).to.equal('');
      return r.stdout.split(f).join('FILE');
    };
    const before = sectionRows(re(['-S', '-W'], file));
    const after = sectionRows(re(['-S', '-W'], outFile));
    expect(after.length).to.equal(total + 1);
    const shstrndx = parseElf(bytes, file).header.shstrndx;
    for (const [i, b] of before.entries()) {
      if (i === shstrndx) expect({ ...after[i]!, off: '', size: '' }).to.deep.equal({ ...b, off: '', size: '' });
      else if (i === 0) expect({ ...after[i]!, size: '' }).to.deep.equal({ ...b, size: '' });
      else expect(after[i]).to.deep.equal(b);
    }
    expect(after[total]).to.include({ name: NAME, flg: 'A', al: '4' });
    expect(re(['-s', '-W'], outFile)).to.equal(re(['-s', '-W'], file));
    const r = run('ld', ['-r', outFile, '-o', outFile + '.relinked']);
    expect(r.stderr).to.equal('');
    expect(r.status).to.equal(0);
    return { before: rawHeader(bytes), after: rawHeader(out), shstrndx };
  }

  it('0xfefe -> 0xfeff sections: e_shnum stays a plain count', function () {
    const { before, after } = check(0xfefe);
    expect(before.shnum).to.equal(0xfefe);
    expect(after).to.include({ shnum: 0xfeff, sh0size: 0 });
  });

  it('0xfeff -> 0xff00 sections: switches to e_shnum 0 with the count in section 0 sh_size', function () {
    const { before, after } = check(0xfeff);
    expect(before.shnum).to.equal(0xfeff);
    expect(after).to.include({ shnum: 0, sh0size: 0xff00 });
  });

  it('already extended (count and e_shstrndx escaped): both escapes kept', function () {
    const total = 0xff00 + 20;
    const { before, after, shstrndx } = check(total);
    expect(before).to.include({ shnum: 0, sh0size: total, shstrndx: 0xffff });
    expect(shstrndx).to.be.greaterThanOrEqual(0xff00);
    expect(after).to.include({ shnum: 0, sh0size: total + 1, shstrndx: 0xffff, sh0link: shstrndx });
  });
});

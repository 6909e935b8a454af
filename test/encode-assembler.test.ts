/**
 * The encoder must produce exactly the bytes a kernel build would assemble from the generator's
 * assembly: emitAsm() is assembled with the host `as`, the section is extracted with objcopy, and
 * compared byte for byte with encode() in the object's byte order (read from its ELF header).
 */
import { expect } from 'chai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Endian } from '../tools/format/endian.js';
import type { LineTable } from '../tools/model/line-table.js';
import { LAYOUTS } from '../tools/revisions/registry.js';
import { randomTable } from './support/random-tables.js';
import { extremeTable, oddNamesTable, tableWithEntries } from './support/table-set.js';
import { tempDir } from './support/tmp.js';
import { hasTool, run } from './support/toolchain.js';

const TABLES: { label: string; table: LineTable }[] = [
  { label: 'empty (0 entries, 0 files)', table: { files: [], entries: [] } },
  { label: '0 entries, 1 file', table: { files: ['only.c'], entries: [] } },
  { label: '1 entry', table: { files: ['init/main.c'], entries: [{ offset: 0x40, fileId: 0, line: 7 }] } },
  { label: '3 entries (odd: flat padding)', table: tableWithEntries(21, 3) },
  { label: 'exactly 64 entries', table: tableWithEntries(22, 64) },
  { label: '65 entries', table: tableWithEntries(23, 65) },
  { label: '128 entries', table: tableWithEntries(24, 128) },
  { label: 'extreme values', table: extremeTable() },
  { label: 'names with " and \\ and non-ASCII', table: oddNamesTable() },
  { label: 'random seed 101', table: randomTable(101) },
  { label: 'random seed 202 (many files)', table: randomTable(202, 800, 500) },
  { label: 'random seed 303', table: randomTable(303, 3000) },
];

/** Byte order of an ELF object from EI_DATA. */
function elfEndian(file: string): Endian {
  const ident = readFileSync(file).subarray(0, 6);
  expect(ident.subarray(0, 4).toString('latin1')).to.equal('\x7fELF');
  if (ident[5] === 1) return 'le';
  if (ident[5] === 2) return 'be';
  throw new Error(`${file}: EI_DATA ${ident[5]}`);
}

describe('encoder == assembled generator output (as + objcopy)', function () {
  let dir: ReturnType<typeof tempDir>;

  before(function () {
    if (!hasTool('as') || !hasTool('objcopy')) this.skip();
    dir = tempDir('asm');
  });
  after(() => dir?.remove());

  it('the odd-names table really contains the characters that need escaping', function () {
    const names = oddNamesTable().files.join('');
    expect(names).to.include('"');
    expect(names).to.include('\\');
    expect(oddNamesTable().files).to.include('dir\\'); // a name ending in a backslash
  });

  for (const layout of LAYOUTS) {
    describe(layout.id, function () {
      TABLES.forEach(({ label, table }, i) => {
        it(label, function () {
          const base = join(dir.path, `${layout.id}-${i}`);
          writeFileSync(`${base}.S`, layout.emitAsm(table));
          run('as', ['-o', `${base}.o`, `${base}.S`]);
          const section = layout.container === 'module' ? '.mod_lineinfo' : '.rodata';
          run('objcopy', ['-O', 'binary', `--only-section=${section}`, `${base}.o`, `${base}.bin`]);
          const assembled = readFileSync(`${base}.bin`);
          const endian = elfEndian(`${base}.o`);
          const encoded = Buffer.from(layout.encode(table, endian));
          if (!assembled.equals(encoded)) {
            let at = 0;
            while (at < Math.min(assembled.length, encoded.length) && assembled[at] === encoded[at]) at++;
            expect.fail(
              `${layout.id} ${label}: assembled ${assembled.length} bytes, encoded ${encoded.length}; first difference at 0x${at.toString(16)} ` +
                `(as: ${assembled.subarray(at, at + 8).toString('hex')}, encode: ${encoded.subarray(at, at + 8).toString('hex')})`,
            );
          }
          // and the assembled names are the table's names, byte for byte (escaping round-trips)
          const nul = Buffer.from([0]);
          const names = Buffer.concat(table.files.map((f) => Buffer.concat([Buffer.from(f, 'utf8'), nul])));
          if (names.length) expect(assembled.subarray(assembled.length - names.length).equals(names), 'name table at the end').to.equal(true);
        });
      });
    });
  }
});

/**
 * The same check with the cross assemblers installed on the host, which gives big-endian and
 * ELF32 targets: encode(table, endian) must equal what each target assembles. Some targets
 * (s390x) round a section's size up to a multiple of 2; such a tail must be zero bytes after the
 * complete table, never a difference inside it.
 */
const CROSS: { prefix: string; args: string[] }[] = [
  { prefix: 'powerpc64-linux-gnu', args: [] },
  { prefix: 'powerpc64-linux-gnu', args: ['-a32'] },
  { prefix: 's390x-linux-gnu', args: [] },
  { prefix: 'aarch64-linux-gnu', args: [] },
  { prefix: 'arm-linux-gnueabi', args: [] },
  { prefix: 'riscv64-linux-gnu', args: [] },
  { prefix: 'i686-linux-gnu', args: [] },
];

describe('encoder == assembled generator output on cross targets (big-endian, ELF32)', function () {
  let dir: ReturnType<typeof tempDir>;
  const available = CROSS.filter((c) => hasTool(`${c.prefix}-as`) && hasTool(`${c.prefix}-objcopy`));

  before(function () {
    if (available.length === 0) this.skip();
    dir = tempDir('cross-asm');
  });
  after(() => dir?.remove());

  it('at least one big-endian target is available when any cross assembler is', function () {
    const seen = new Set<string>();
    for (const c of available) {
      const S = join(dir.path, 'probe.S');
      writeFileSync(S, '\t.section .mod_lineinfo, "a"\n\t.long 1\n');
      run(`${c.prefix}-as`, [...c.args, '-o', `${S}.o`, S]);
      seen.add(elfEndian(`${S}.o`));
    }
    if (available.some((c) => c.prefix.startsWith('powerpc64-') || c.prefix.startsWith('s390x'))) expect([...seen]).to.include('be');
  });

  for (const c of CROSS) {
    const target = `${c.prefix}${c.args.length ? ` ${c.args.join(' ')}` : ''}`;
    it(`${target}: every layout, every table`, function () {
      if (!available.includes(c)) this.skip();
      let n = 0;
      for (const layout of LAYOUTS) {
        TABLES.forEach(({ label, table }, i) => {
          const base = join(dir.path, `${c.prefix}${c.args.join('')}-${layout.id}-${i}`);
          writeFileSync(`${base}.S`, layout.emitAsm(table));
          run(`${c.prefix}-as`, [...c.args, '-o', `${base}.o`, `${base}.S`]);
          const section = layout.container === 'module' ? '.mod_lineinfo' : '.rodata';
          run(`${c.prefix}-objcopy`, ['-O', 'binary', `--only-section=${section}`, `${base}.o`, `${base}.bin`]);
          expect(existsSync(`${base}.bin`)).to.equal(true);
          const assembled = readFileSync(`${base}.bin`);
          const endian = elfEndian(`${base}.o`);
          const encoded = Buffer.from(layout.encode(table, endian));
          const where = `${target} ${layout.id} ${label} (${endian})`;
          expect(assembled.subarray(0, encoded.length).equals(encoded), `${where}: the table bytes`).to.equal(true);
          const tail = assembled.subarray(encoded.length);
          // assemblers may round the section up to its alignment (.balign 8 for sectioned blobs)
          expect(tail.length, `${where}: section padding after the table`).to.be.below(layout.traits.locate === 'sectioned' ? 8 : 4);
          expect(tail.every((b) => b === 0), `${where}: padding is zero`).to.equal(true);
          n++;
        });
      }
      expect(n).to.equal(LAYOUTS.length * TABLES.length);
    });
  }
});

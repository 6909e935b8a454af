/**
 * `lineinfo symbolize` on a small module assembled during the test (x86_64 `as`, `ld -r`,
 * `lineinfo encode --embed`): the log's bytes pass through exactly (non-UTF-8, CRLF, a last line
 * without newline, very long lines, a log larger than the heap), register markers of every
 * architecture are looked up as printed, the printed /0xSIZE picks among same-name symbols,
 * --revision says the layout, modules compressed with gzip, xz and zstd are read (and a
 * decompression bomb is refused), and a broken module is reported once.
 *
 * The module: `mymod_func` (size 0x79, lines 10, 11 at +2, 41 at +0x10, 42, 43, 12, 51), a local
 * `dup` of size 0x11 in a.c (lines 20, 21 at +6), `plain` (no line rows, size 0x10), and a local
 * `dup` of size 0x1c in b.c (lines 30, 31 at +6) followed by 4 bytes of padding to the end of
 * .text. Encoded as v2, whose bytes here also fit v1.
 */
import { expect } from 'chai';
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { InputError } from '../tools/errors.js';
import { LogSplitter } from '../tools/symbolize/log-lines.js';
import { readModuleFile } from '../tools/symbolize/module-file.js';
import { largestZstdFrameRequest } from '../tools/symbolize/zstd-frames.js';
import { BIN, lineinfo } from './support/cli.js';
import { cliOk, have, must } from './support/processes.js';
import { tempDir } from './support/tmp.js';

const nops = (n: number): string => `\t.rept ${n}\n\tnop\n\t.endr\n`;
const A_S = `\t.file 1 "mymod/a.c"
\t.text
\t.globl mymod_func
\t.type mymod_func, @function
mymod_func:
\t.loc 1 10
${nops(2)}\t.loc 1 11
${nops(14)}\t.loc 1 41
\tnop
\t.loc 1 42
\tnop
\t.loc 1 43
\tnop
\t.loc 1 12
\tnop
\t.loc 1 51
${nops(0x65)}\t.size mymod_func, .-mymod_func
\t.type dup, @function
dup:
\t.loc 1 20
${nops(6)}\t.loc 1 21
${nops(11)}\t.size dup, .-dup
\t.globl plain
\t.type plain, @function
plain:
${nops(16)}\t.size plain, .-plain
`;
const B_S = `\t.file 1 "mymod/b.c"
\t.text
\t.type dup, @function
dup:
\t.loc 1 30
${nops(6)}\t.loc 1 31
${nops(22)}\t.size dup, .-dup
${nops(4)}`;

/** Runs the CLI with raw bytes in and out. */
function symbolize(args: string[], input: Buffer): { status: number | null; out: Buffer; err: string } {
  const r = lineinfo(['symbolize', ...args], { input });
  return { status: r.status, out: r.stdoutBytes, err: r.stderr };
}

describe('lineinfo symbolize', function () {
  this.timeout(300_000);
  const tmp = tempDir('symbolize');
  let tree = '';
  let ko = '';

  before(function () {
    if (process.arch !== 'x64' || !have('as') || !have('ld')) {
      console.log('      skipped: needs x86_64 with as and ld (binutils)');
      this.skip();
    }
    const dir = tmp.path;
    writeFileSync(join(dir, 'a.s'), A_S);
    writeFileSync(join(dir, 'b.s'), B_S);
    must('as', ['a.s', '-o', 'a.o'], dir);
    must('as', ['b.s', '-o', 'b.o'], dir);
    must('ld', ['-r', 'a.o', 'b.o', '-o', 'mymod.o'], dir);
    tree = join(dir, 'tree');
    mkdirSync(join(tree, 'kernel'), { recursive: true });
    ko = join(tree, 'kernel', 'mymod.ko');
    cliOk(['encode', join(dir, 'mymod.o'), '--revision', 'v2', '--embed', '-o', ko]);
  });
  after(() => tmp.remove());

  describe('bytes pass through exactly', () => {
    it('non-UTF-8 bytes, CRLF and a last line without newline; annotations inserted before \\r', () => {
      const input = Buffer.concat([
        Buffer.from([0xe9, 0x74, 0xe9, 0x0a]),
        Buffer.from([0xff, 0xfe, 0x20]),
        Buffer.from(' mymod_func+0x11/0x79 [mymod]\r\n', 'latin1'),
        Buffer.from('caf\u00e9 \u2603 mymod_func+0x1/0x79 [mymod]\r\n', 'utf8'),
        Buffer.from([0x80, 0x0d, 0x0a, 0x0d]),
        Buffer.from('\nlast mymod_func+0x3/0x79 [mymod]', 'latin1'),
      ]);
      const expected = Buffer.concat([
        Buffer.from([0xe9, 0x74, 0xe9, 0x0a]),
        Buffer.from([0xff, 0xfe, 0x20]),
        Buffer.from(' mymod_func+0x11/0x79 [mymod] (mymod/a.c:41)\r\n', 'latin1'),
        Buffer.from('caf\u00e9 \u2603 mymod_func+0x1/0x79 [mymod] (mymod/a.c:10)\r\n', 'utf8'),
        Buffer.from([0x80, 0x0d, 0x0a, 0x0d]),
        Buffer.from('\nlast mymod_func+0x3/0x79 [mymod] (mymod/a.c:11)', 'latin1'),
      ]);
      const r = symbolize(['--modules', tree], input);
      expect(r.status, r.err).to.equal(0);
      expect(r.out.toString('hex')).to.equal(expected.toString('hex'));
    });

    it('a line of 3 MiB with frames at its start, middle and end comes out with each frame annotated once', () => {
      const frame = ' mymod_func+0x11/0x79 [mymod]';
      const filler = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => 0x20 + ((i * 7 + seed) % 0x5f)));
      const parts = [frame, filler(1_500_000, 1), frame, filler(1_500_000, 2), frame];
      const input = Buffer.concat([...parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)), Buffer.from('\n')]);
      const r = symbolize(['--modules', tree], input);
      expect(r.status, r.err).to.equal(0);
      const expected = Buffer.concat([...parts.map((p) => (typeof p === 'string' ? Buffer.from(`${p} (mymod/a.c:41)`, 'latin1') : p)), Buffer.from('\n')]);
      expect(r.out.length).to.equal(expected.length);
      expect(r.out.equals(expected)).to.equal(true);
    });

    it('splits a long line only where no frame or annotation crosses the cut (LogSplitter)', () => {
      const frame = 'mymod_func+0x11/0x79 [mymod] (mymod/a.c:41)';
      // frames every 5000 bytes, so some cut positions fall inside or right after one
      const line = Array.from({ length: 900 }, (_, i) => `${'x'.repeat(5000 - frame.length - 1)} ${frame}`).join('') + '\n';
      const s = new LogSplitter();
      const pieces = [];
      for (let at = 0; at < line.length; at += 65536) pieces.push(...s.push(Buffer.from(line.slice(at, at + 65536), 'latin1')));
      pieces.push(...s.end());
      expect(pieces.length).to.be.greaterThan(1);
      expect(pieces.map((p) => p.text.slice(p.from)).join('')).to.equal(line);
      // every cut falls in the filler or right before a frame, never inside or just after one
      for (const p of pieces.slice(0, -1)) expect(p.text.slice(p.from), 'cut').to.match(/(?:x|x )$/);
    });

    it('streams a log larger than the heap (node --max-old-space-size=48, 160 MB)', function () {
      const log = join(tmp.path, 'big.log');
      const line = Buffer.from('[ 1.000000] just some text that is not a frame at all, 0123456789 abcdefghijklmnopqrstuvwxyz\n', 'latin1');
      const frameLine = Buffer.from(' mymod_func+0x11/0x79 [mymod]\n', 'latin1');
      const block = Buffer.concat([...Array.from({ length: 10_000 }, () => line), frameLine]);
      const fd = openSync(log, 'w');
      const blocks = Math.ceil(160e6 / block.length);
      for (let i = 0; i < blocks; i++) writeFileSync(fd, block);
      closeSync(fd);
      const outPath = join(tmp.path, 'big.out');
      const out = openSync(outPath, 'w');
      const r = spawnSync(process.execPath, ['--max-old-space-size=48', BIN, 'symbolize', '--modules', tree, log], { stdio: ['ignore', out, 'pipe'], timeout: 240_000 });
      closeSync(out);
      expect(r.status, r.stderr.toString()).to.equal(0);
      expect(statSync(outPath).size).to.equal(statSync(log).size + blocks * ' (mymod/a.c:41)'.length);
    });
  });

  describe('register markers print the address itself (%pS), call traces a return address (%pB)', () => {
    // +0x10 is line 41; a return address looks up +0xf, line 11.
    const exact = [
      '[  1.0] NIP [c008000001230010] mymod_func+0x10/0x79 [mymod]',
      '[  1.0] LR [c008000001230010] mymod_func+0x10/0x79 [mymod]',
      '[  1.0]     LR = mymod_func+0x10/0x79 [mymod]',
      '[  1.0] RIP: 0010:mymod_func+0x10/0x79 [mymod]',
      '[  1.0] RIP: 0010:[<ffffffffc0123010>]  [<ffffffffc0123010>] mymod_func+0x10/0x79 [mymod]',
      '[  1.0] EIP: mymod_func+0x10/0x79 [mymod]',
      '[  1.0] pc : mymod_func+0x10/0x79 [mymod]',
      '[  1.0] lr : mymod_func+0x10/0x79 [mymod]',
      '[  1.0] PC is at mymod_func+0x10/0x79 [mymod]',
      '[  1.0] LR is at mymod_func+0x10/0x79 [mymod]',
      '[  1.0] Krnl PSW : 0704c00180000000 000003ff80123010 (mymod_func+0x10/0x79 [mymod])',
      '[  1.0] epc : mymod_func+0x10/0x79 [mymod]',
      '[  1.0]  ra : mymod_func+0x10/0x79 [mymod]',
    ];
    const returns = ['[  1.0]  mymod_func+0x10/0x79 [mymod]', '[  1.0]  ? mymod_func+0x10/0x79 [mymod]', '[  1.0] [c0000000012bfd20] [c008000001230010] mymod_func+0x10/0x79 [mymod]'];

    it('each marker: line 41 (+0x10); call-trace frames: line 11 (+0xf)', () => {
      const r = symbolize(['--modules', tree], Buffer.from([...exact, ...returns].join('\n') + '\n'));
      expect(r.status, r.err).to.equal(0);
      const annotate = (l: string, line: number): string => l.replace('[mymod]', `[mymod] (mymod/a.c:${line})`);
      expect(r.out.toString('latin1').split('\n')).to.deep.equal([...exact.map((l) => annotate(l, 41)), ...returns.map((l) => annotate(l, 11)), '']);
    });
  });

  describe('the printed size picks among symbols of one name', () => {
    it('dup/0x11 is a.c, dup/0x1c is b.c, dup/0x99 fits neither and stays as it was (-v says why)', () => {
      const log = [' dup+0x7/0x11 [mymod]', ' dup+0x7/0x1c [mymod]', ' dup+0x6/0x99 [mymod]', ' dup+0x7/0x10 [mymod]', ''].join('\n');
      const r = symbolize(['--modules', tree, '-v'], Buffer.from(log));
      expect(r.status, r.err).to.equal(0);
      expect(r.out.toString().split('\n')).to.deep.equal([' dup+0x7/0x11 [mymod] (mymod/a.c:21)', ' dup+0x7/0x1c [mymod] (mymod/b.c:31)', ' dup+0x6/0x99 [mymod]', ' dup+0x7/0x10 [mymod]', '']);
      expect(r.err).to.contain('dup+0x6/0x99 [mymod]: no symbol dup has size 0x99');
      expect(r.err).to.contain('dup+0x7/0x10 [mymod]: no symbol dup has size 0x10');
    });

    it('a size that runs to the next symbol or the end of text (padding included) fits too', () => {
      // b.c's dup: st_size 0x1c, then 4 bytes of padding to the end of .text: kallsyms prints 0x20
      const r = symbolize(['--modules', tree], Buffer.from(' dup+0x7/0x20 [mymod]\n dup+0x7/0x1e [mymod]\n'));
      expect(r.out.toString()).to.equal(' dup+0x7/0x20 [mymod] (mymod/b.c:31)\n dup+0x7/0x1e [mymod]\n');
    });
  });

  describe('--revision', () => {
    it('reads the v2 table as v2: no symbol-start rule, so plain (no rows) gets the row before it', () => {
      const log = Buffer.from(' plain+0x4/0x10 [mymod]\n');
      expect(cliOk(['dump', ko]).split('\n')[2]).to.match(/^Layout: v1 /);
      expect(symbolize(['--modules', tree], log).out.toString()).to.equal(' plain+0x4/0x10 [mymod]\n');
      expect(symbolize(['--modules', tree, '--revision', 'v2'], log).out.toString()).to.equal(' plain+0x4/0x10 [mymod] (mymod/a.c:21)\n');
      expect(symbolize(['--modules', tree, '--revision', 'v1'], log).out.toString()).to.equal(' plain+0x4/0x10 [mymod]\n');
    });

    it('rejects unknown and vmlinux layouts with one line, and --help documents it', () => {
      for (const bad of ['v9', 'vmlinux-v1']) {
        const r = symbolize(['--modules', tree, '--revision', bad], Buffer.from(''));
        expect(r.status).to.equal(2);
        expect(r.err.trim().split('\n')).to.have.length(1);
      }
      expect(cliOk(['symbolize', '--help'])).to.match(/--revision R/);
    });
  });

  describe('compressed modules', () => {
    const frame = Buffer.from(' mymod_func+0x11/0x79 [mymod]\n');

    for (const [ext, tool, args] of [
      ['gz', null, []],
      ['xz', 'xz', ['-k', '-f', '--check=crc32', '--lzma2=dict=1MiB']],
      ['zst', 'zstd', ['-q', '-f', '-k']],
    ] as const) {
      it(`.ko.${ext}${tool ? ` (built with the ${tool} CLI)` : ''}`, function () {
        if (tool && !have(tool)) {
          console.log(`      skipped: ${tool} not installed (apt-get install ${tool === 'xz' ? 'xz-utils' : 'zstd'})`);
          this.skip();
        }
        const dir = join(tmp.path, `tree-${ext}`, 'kernel');
        mkdirSync(dir, { recursive: true });
        const file = join(dir, 'mymod.ko');
        copyFileSync(ko, file);
        if (tool) must(tool, [...args, file]);
        else writeFileSync(`${file}.gz`, gzipSync(readFileSync(ko)));
        const plain = join(dir, 'mymod.ko');
        writeFileSync(plain, ''); // only the compressed file may be found
        spawnSync('rm', [plain]);
        const r = symbolize(['--modules', join(tmp.path, `tree-${ext}`), '-v'], frame);
        expect(r.status, r.err).to.equal(0);
        expect(r.out.toString()).to.equal(' mymod_func+0x11/0x79 [mymod] (mymod/a.c:41)\n');

        // a truncated file: one line naming it once, the frame unchanged
        writeFileSync(`${file}.${ext}`, readFileSync(`${file}.${ext}`).subarray(0, 40));
        const t = symbolize(['--modules', join(tmp.path, `tree-${ext}`), '-v'], frame);
        expect(t.status, t.err).to.equal(0);
        expect(t.out.equals(frame)).to.equal(true);
        const line = t.err.split('\n').find((l) => l.includes('mymod.ko'))!;
        expect(line.split(`mymod.ko.${ext}`).length - 1, line).to.equal(1);
      });
    }

    it('refuses to decompress beyond the cap, with one line (gz, xz, zst)', async function () {
      const big = Buffer.alloc(4 << 20);
      const dir = join(tmp.path, 'bombs');
      mkdirSync(dir, { recursive: true });
      const files = [join(dir, 'z.ko.gz')];
      writeFileSync(files[0]!, gzipSync(big));
      for (const [tool, ext] of [['xz', 'xz'], ['zstd', 'zst']] as const) {
        if (!have(tool)) continue;
        writeFileSync(join(dir, 'z.ko'), big);
        must(tool, [...(tool === 'xz' ? ['-k', '-f'] : ['-q', '-f', '-k']), join(dir, 'z.ko')]);
        files.push(join(dir, `z.ko.${ext}`));
      }
      for (const f of files) {
        expect((await readModuleFile(f, 8 << 20)).length, f).to.equal(big.length);
        let err: unknown = null;
        try {
          await readModuleFile(f, 1 << 20);
        } catch (e) {
          err = e;
        }
        expect(err, f).to.be.instanceOf(InputError);
        expect((err as Error).message).to.match(/decompresses to more than 1048576 bytes; refused/);
        expect((err as Error).message).to.not.contain('\n');
      }
    });

    it('a zstd frame that asks for a 1.9 GiB window is refused before decoding', async () => {
      // magic, descriptor 0 (window descriptor follows, no content size), window 2^30 * 1.875
      const hostile = Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, (20 << 3) | 7, 0x01, 0x00, 0x00]);
      expect(largestZstdFrameRequest(hostile)).to.equal(2 ** 30 + 7 * 2 ** 27);
      const f = join(tmp.path, 'hostile.ko.zst');
      writeFileSync(f, hostile);
      let err: unknown = null;
      try {
        await readModuleFile(f);
      } catch (e) {
        err = e;
      }
      expect((err as Error).message).to.match(/hostile\.ko\.zst: decompresses to more than 1073741824 bytes; refused/);
    });
  });

  it('a truncated module is reported with its path once (-v)', () => {
    const dir = join(tmp.path, 'tree2', 'kernel');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'broken.ko'), readFileSync(ko).subarray(0, 0x30));
    const r = symbolize(['--modules', join(tmp.path, 'tree2'), '-v'], Buffer.from(' f+0x1/0x2 [broken]\n'));
    expect(r.status, r.err).to.equal(0);
    const line = r.err.split('\n').find((l) => l.includes('broken.ko'))!;
    expect(line).to.match(/^lineinfo: symbolize: broken: /);
    expect(line.split('broken.ko').length - 1, line).to.equal(1);
  });
});

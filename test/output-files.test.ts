/**
 * Where outputs go, driven through the built CLI: special files are written into (never replaced
 * by a regular file), symlinks are followed, an output naming an input is refused, a replaced
 * file keeps its mode (and owner), write errors on files and on standard output are one error
 * line with exit 2, and a closed pipe ends the command quietly.
 *
 * Device files are never the system's own: as root the tests make private nodes (mknod) for the
 * null and full devices in a temporary directory, so a regression cannot destroy /dev/full.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, linkSync, lstatSync, openSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, REPO, lineinfo } from './support/cli.js';
import type { CliResult } from './support/cli.js';
import { expectOneLineError } from './support/cli-expect.js';
import { lineinfoAsync } from './support/run-async.js';
import { tempDir } from './support/tmp.js';

const HELLO = join(REPO, 'examples', 'hello.ko');
const isRoot = process.getuid?.() === 0;

/** A private device node (root only): null if it cannot be made here. */
function deviceNode(path: string, major: number, minor: number): string | null {
  if (!isRoot) return null;
  const r = spawnSync('mknod', ['-m', '666', path, 'c', String(major), String(minor)]);
  return r.status === 0 && statSync(path).isCharacterDevice() ? path : null;
}

/** Runs the CLI with standard output on `path` (opened for writing by the test). */
function withStdoutOn(path: string, args: string[]): CliResult {
  const fd = openSync(path, 'w');
  try {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO, stdio: ['ignore', fd, 'pipe'], timeout: 60_000 });
    return { status: r.status, stdout: '', stderr: r.stderr.toString('utf8'), stdoutBytes: Buffer.alloc(0) };
  } finally {
    closeSync(fd);
  }
}

describe('output files and standard output', function () {
  const dir = tempDir('output');
  after(() => dir.remove());
  let section: Buffer;
  before(function () {
    const r = lineinfo(['encode', HELLO, '-o', '-']);
    expect(r.status, r.stderr).to.equal(0);
    section = r.stdoutBytes;
    expect(section.length).to.be.above(0);
  });

  describe('-o onto something that is not a regular file', function () {
    it('a FIFO is written into and stays a FIFO', async function () {
      const fifo = join(dir.path, 'out.fifo');
      expect(spawnSync('mkfifo', [fifo]).status).to.equal(0);
      // The reader gives up after 20 s, so a FIFO replaced by a file fails the test, not hangs it.
      const reader = spawn('timeout', ['20', 'cat', fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
      const got: Buffer[] = [];
      reader.stdout.on('data', (d: Buffer) => got.push(d));
      const done = new Promise<void>((resolve) => reader.on('close', () => resolve()));
      const r = await lineinfoAsync(['encode', HELLO, '-o', fifo]);
      if (r.status !== 0) spawnSync('sh', ['-c', `exec 3<>"${fifo}"`]); // release the reader
      await done;
      expect(lstatSync(fifo).isFIFO(), 'still a FIFO').to.equal(true);
      expect(r.status, r.stderr).to.equal(0);
      expect(Buffer.concat(got).equals(section), 'the reader got the section').to.equal(true);
      expect(readdirSync(dir.path).filter((f) => f.endsWith('.tmp')), 'no temporary file left').to.deep.equal([]);
    });

    it('a null device is written into and stays a device', function () {
      const dev = deviceNode(join(dir.path, 'null'), 1, 3);
      if (!dev) this.skip();
      const r = lineinfo(['encode', HELLO, '-o', dev]);
      expect(statSync(dev).isCharacterDevice(), 'still a character device').to.equal(true);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stderr).to.equal('');
    });

    it('a full device: ENOSPC is one error line naming it, exit 2, and it stays a device', function () {
      const dev = deviceNode(join(dir.path, 'full'), 1, 7);
      if (!dev) this.skip();
      const r = lineinfo(['encode', HELLO, '-o', dev]);
      expect(statSync(dev).isCharacterDevice(), 'still a character device').to.equal(true);
      expectOneLineError(r, 'encode -o full device', { file: dev });
      expect(r.stderr).to.match(/^lineinfo: .*: cannot write: .*no space left on device/i);
    });

    it('-o /dev/stdout writes to standard output', function () {
      const r = lineinfo(['encode', HELLO, '-o', '/dev/stdout']);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdoutBytes.equals(section)).to.equal(true);
    });

    it('a symlink is followed: its target is replaced, the link stays', function () {
      const target = join(dir.path, 'link-target.bin');
      const link = join(dir.path, 'link.bin');
      writeFileSync(target, 'old');
      symlinkSync('link-target.bin', link);
      const r = lineinfo(['encode', HELLO, '-o', link]);
      expect(r.status, r.stderr).to.equal(0);
      expect(lstatSync(link).isSymbolicLink(), 'the link is kept').to.equal(true);
      expect(readFileSync(target).equals(section)).to.equal(true);
      // a dangling link: its target is created
      const dangling = join(dir.path, 'dangling.bin');
      symlinkSync('created-through-link.bin', dangling);
      expect(lineinfo(['encode', HELLO, '-o', dangling]).status).to.equal(0);
      expect(lstatSync(dangling).isSymbolicLink()).to.equal(true);
      expect(readFileSync(join(dir.path, 'created-through-link.bin')).equals(section)).to.equal(true);
    });
  });

  describe('an output that names an input is refused', function () {
    const copies = (name: string): { ko: string; bytes: Buffer } => {
      const ko = join(dir.path, name);
      writeFileSync(ko, readFileSync(HELLO));
      return { ko, bytes: readFileSync(ko) };
    };

    it('embed, encode --embed, encode and validate, through the same name, ./, a symlink and a hard link', function () {
      const { ko, bytes } = copies('same.ko');
      const sec = join(dir.path, 'same-section.bin');
      writeFileSync(sec, section);
      const sym = join(dir.path, 'same-symlink.ko');
      symlinkSync(ko, sym);
      const hard = join(dir.path, 'same-hardlink.ko');
      linkSync(ko, hard);
      const dotted = join(dir.path, '.', 'same.ko');
      for (const out of [ko, dotted, sym, hard]) {
        for (const args of [
          ['embed', ko, sec, '-o', out, '--replace'],
          ['encode', ko, '--embed', '-o', out],
          ['encode', ko, '-o', out],
          ['encode', ko, '--revision', 'v7', '--embed', '-o', out],
          ['validate', ko, '-o', out],
          ['validate', ko, '--html', out],
        ]) {
          const r = lineinfo(args);
          expectOneLineError(r, args.join(' '), { file: out });
          expect(r.stderr).to.include('names the input');
          expect(readFileSync(ko).equals(bytes), `${args.join(' ')}: the input is unchanged`).to.equal(true);
        }
      }
      const r = lineinfo(['embed', ko, sec, '-o', hard, '--replace']);
      expect(r.stderr).to.include('use --in-place');
      // SECTION.bin is an input as well
      expectOneLineError(lineinfo(['embed', ko, sec, '-o', sec, '--replace']), 'embed -o SECTION.bin', { file: sec });
      expect(readFileSync(sec).equals(section)).to.equal(true);
    });

    it('encode: -o and --init-out naming one file is a usage error', function () {
      const out = join(dir.path, 'both.bin');
      const r = lineinfo(['encode', HELLO, '--revision', 'v7', '-o', out, '--init-out', join(dir.path, '.', 'both.bin')]);
      expectOneLineError(r, '-o X --init-out X');
      expect(existsSync(out)).to.equal(false);
    });
  });

  describe('--in-place and replaced outputs keep the file mode (and owner)', function () {
    it('embed --in-place keeps mode 0640', function () {
      const ko = join(dir.path, 'mode.ko');
      writeFileSync(ko, readFileSync(HELLO));
      chmodSync(ko, 0o640);
      const sec = join(dir.path, 'mode-section.bin');
      writeFileSync(sec, section);
      const r = lineinfo(['embed', ko, sec, '--in-place', '--replace']);
      expect(r.status, r.stderr).to.equal(0);
      expect(statSync(ko).mode & 0o7777).to.equal(0o640);
    });

    it('-o over an existing file keeps its mode; a new file gets 0644 less the umask', function () {
      const out = join(dir.path, 'mode-out.bin');
      writeFileSync(out, 'old');
      chmodSync(out, 0o600);
      expect(lineinfo(['encode', HELLO, '-o', out]).status).to.equal(0);
      expect(statSync(out).mode & 0o7777).to.equal(0o600);
      const fresh = join(dir.path, 'mode-new.bin');
      const r = spawnSync('sh', ['-c', `umask 027 && exec "${process.execPath}" "${BIN}" encode "${HELLO}" -o "${fresh}"`]);
      expect(r.status, r.stderr.toString()).to.equal(0);
      expect(statSync(fresh).mode & 0o7777).to.equal(0o640);
    });

    it('as root, the owner and group of a replaced file are kept', function () {
      if (!isRoot) this.skip();
      const ko = join(dir.path, 'owner.ko');
      writeFileSync(ko, readFileSync(HELLO));
      chownSync(ko, 1234, 2345);
      chmodSync(ko, 0o604);
      const sec = join(dir.path, 'owner-section.bin');
      writeFileSync(sec, section);
      const r = lineinfo(['embed', ko, sec, '--in-place', '--replace']);
      expect(r.status, r.stderr).to.equal(0);
      const st = statSync(ko);
      expect([st.uid, st.gid, st.mode & 0o7777]).to.deep.equal([1234, 2345, 0o604]);
    });
  });

  it('embed onto a module that has the section names the option --replace', function () {
    const sec = join(dir.path, 'again-section.bin');
    writeFileSync(sec, section);
    const r = lineinfo(['embed', HELLO, sec, '-o', join(dir.path, 'again.ko')]);
    expectOneLineError(r, 'embed without --replace', { file: HELLO, offset: true });
    expect(r.stderr).to.include('--replace');
    expect(r.stderr).to.not.match(/pass replace\b/);
  });

  describe('standard output', function () {
    const full = (): string => {
      const dev = deviceNode(join(dir.path, `stdout-full-${Math.random().toString(36).slice(2)}`), 1, 7);
      return dev ?? '/dev/full'; // opened for writing only: the device itself is never replaced here
    };

    for (const args of [
      ['encode', HELLO, '--asm'],
      ['encode', HELLO, '-o', '-'],
      ['dump', HELLO],
      ['lookup', HELLO, '0x10'],
      ['validate', HELLO],
      ['--help'],
    ]) {
      it(`a write error is one line naming <stdout>, exit 2: lineinfo ${args.map((a) => a.replace(REPO, '')).join(' ')} > full`, function () {
        const r = withStdoutOn(full(), args);
        expectOneLineError(r, args.join(' '));
        expect(r.stderr).to.match(/^lineinfo: <stdout>: cannot write: .*no space left on device/i);
      });
    }

    it('symbolize: a write error is one line naming <stdout>, exit 2', function () {
      const log = join(dir.path, 'trace.log');
      writeFileSync(log, ' hello_init+0x10/0x40 [hello]\n'.repeat(10));
      const r = withStdoutOn(full(), ['symbolize', '--modules', join(REPO, 'examples'), log]);
      expectOneLineError(r, 'symbolize > full');
      expect(r.stderr).to.include('<stdout>');
    });

    it('a reader that closes the pipe early ends the command quietly with status 0', function () {
      const json = join(dir.path, 'big.json');
      const entries = Array.from({ length: 100_000 }, (_, i) => ({ offset: 4 * i, file: 0, line: i + 1 }));
      writeFileSync(json, JSON.stringify({ files: ['a.c'], entries }));
      const big = join(dir.path, 'big.bin');
      expect(lineinfo(['encode', json, '-o', big]).status).to.equal(0);
      const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" dump "${big}" | head -1; echo "status \${PIPESTATUS[0]}" >&2`], { timeout: 60_000 });
      expect(r.stdout.toString()).to.equal(`File: ${big}\n`);
      expect(r.stderr.toString()).to.equal('status 0\n');
    });
  });

  describe('encode INPUT that is neither ELF nor JSON', function () {
    for (const [what, bytes, at, detail] of [
      ['an empty .ko', Buffer.alloc(0), 0, 'the file is empty'],
      ['binary bytes', Buffer.from([0x00, 0x01, 0x02, 0x03]), 0, 'byte 0x00'],
      ['text after blank lines', Buffer.from('\n\n  hello'), 4, 'byte 0x68'],
    ] as const) {
      it(`${what}: says so, with the byte offset`, function () {
        const f = join(dir.path, `neither-${what.replace(/\W+/g, '-')}.ko`);
        writeFileSync(f, bytes);
        const r = lineinfo(['encode', f, '-o', join(dir.path, 'neither.bin')]);
        expectOneLineError(r, what, { file: f, offset: at });
        expect(r.stderr).to.include('not an ELF file (no \\x7fELF magic) and not JSON encoder input');
        expect(r.stderr).to.include(detail);
        expect(r.stderr).to.not.include('not valid JSON');
      });
    }

    it('a file meant as JSON still gets the JSON parser\'s message', function () {
      const f = join(dir.path, 'broken.json');
      writeFileSync(f, '{"files": [');
      const r = lineinfo(['encode', f, '-o', '-']);
      expectOneLineError(r, 'broken JSON', { file: f, offset: true });
      expect(r.stderr).to.include('not valid JSON');
    });
  });
});

/**
 * `lineinfo lookup` with several queries: each is answered in order, one that cannot be resolved
 * gets its own error line (file, query, what) while the others are still answered, and offsets
 * outside [0, 2^32) answer none as spec/FORMAT.md requires; malformed QUERY text stays a usage
 * error.
 */
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, lineinfo } from './support/cli.js';
import { expectOneLineError, stderrLines } from './support/cli-expect.js';
import { tempDir } from './support/tmp.js';

const HELLO = join(REPO, 'examples', 'hello.ko');

describe('lookup: one answer or one error per query', function () {
  const dir = tempDir('lookup-queries');
  after(() => dir.remove());
  let v7: string;
  let raw: string;
  before(function () {
    v7 = join(dir.path, 'hello-v7.ko');
    const e = lineinfo(['encode', HELLO, '--revision', 'v7', '--embed', '-o', v7]);
    expect(e.status, e.stderr).to.equal(0);
    raw = join(dir.path, 'hello.bin');
    const r = lineinfo(['encode', HELLO, '-o', raw]);
    expect(r.status, r.stderr).to.equal(0);
  });

  /** The answer lines of single-query runs, for comparison with one run of them all. */
  const alone = (file: string, q: string): string => {
    const r = lineinfo(['lookup', file, q]);
    expect(r.status, r.stderr).to.equal(0);
    return r.stdout;
  };

  for (const which of ['v1 module', 'v7 module'] as const) {
    it(`${which}: an unknown symbol is reported on its own; the other queries are answered in order`, function () {
      const file = which === 'v1 module' ? HELLO : v7;
      const r = lineinfo(['lookup', file, '0x10', 'nosuch+0x1', '0x4', 'alsonot']);
      expect(r.status, 'exit 2 at the end: a query failed').to.equal(2);
      expect(r.stdout).to.equal(alone(file, '0x10') + alone(file, '0x4'));
      const lines = stderrLines(r);
      expect(lines, r.stderr).to.have.length(2);
      expect(lines[0]).to.equal(`lineinfo: ${file}: nosuch+0x1: no function symbol named nosuch`);
      expect(lines[1]).to.equal(`lineinfo: ${file}: alsonot: no function symbol named alsonot`);
      // --json: the same answers as objects, the errors still on stderr
      const j = lineinfo(['lookup', file, '0x10', 'nosuch+0x1', '0x4', '--json']);
      expect(j.status).to.equal(2);
      expect(j.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { query: string }).query)).to.deep.equal(['0x10', '0x4']);
      expect(stderrLines(j)).to.have.length(1);
    });
  }

  it('a symbol query on a raw section names the file, its offset and the query', function () {
    const r = lineinfo(['lookup', raw, 'mymod_func+0x10', '0x10']);
    expect(r.status).to.equal(2);
    expect(r.stdout).to.equal(alone(raw, '0x10'));
    expect(stderrLines(r)).to.deep.equal([`lineinfo: ${raw}: 0x0: mymod_func+0x10: a symbol query needs an ELF file with a symbol table; the file has no \\x7fELF magic`]);
  });

  it('an empty file with a symbol query: the error names the file and offset, not the query', function () {
    const empty = join(dir.path, 'empty.ko');
    writeFileSync(empty, '');
    const r = lineinfo(['lookup', empty, 'mymod_func+0x10']);
    expectOneLineError(r, 'lookup empty.ko SYMBOL+OFF', { file: empty, offset: 0 });
    expect(r.stderr.startsWith(`lineinfo: ${empty}: 0x0: `)).to.equal(true);
  });

  for (const [what, file] of [['v1 section', 'raw'], ['v1 module', 'hello'], ['v7 module', 'v7']] as const) {
    it(`${what}: offsets of 2^32 and more answer none ("-"), as spec/FORMAT.md requires`, function () {
      const f = file === 'raw' ? raw : file === 'hello' ? HELLO : v7;
      const r = lineinfo(['lookup', f, '0x100000000', '4294967296', '0xffffffffffffffff1', '0x10']);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stderr).to.equal('');
      expect(r.stdout).to.equal(`0x100000000 -\n0x100000000 -\n0xffffffffffffffff1 -\n${alone(f, '0x10')}`);
      const j = lineinfo(['lookup', f, '0x100000000', '--json']);
      expect(j.status, j.stderr).to.equal(0);
      expect(JSON.parse(j.stdout)).to.include({ query: '0x100000000', answer: 'miss' });
    });
  }

  it('the spec still says so', function () {
    expect(readFileSync(join(REPO, 'spec', 'FORMAT.md'), 'utf8').replace(/\s+/g, ' ')).to.include('A lookup given an offset outside [0, 2^32) MUST answer none.');
  });

  for (const bad of ['-1', '1.5', '0x', '0x10zz', '']) {
    it(`QUERY ${JSON.stringify(bad)} is a usage error before any answer`, function () {
      const r = lineinfo(['lookup', HELLO, '0x10', '--', bad]);
      expectOneLineError(r, `QUERY ${bad}`);
      expect(r.stdout).to.equal('');
    });
  }
});

/**
 * The KSC-generated parsers (structure, from spec/revisions/*.ksy) and the hand-written reference
 * decoder (semantics, tools/revisions/) are two independent readings of the spec: they must
 * agree on every valid section, and the generated parsers must fail only with the Kaitai
 * runtime's documented errors on malformed ones. Also: the committed parsers are not stale.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { isKaitaiParseError } from '../tools/generated/index.js';
import { kaitaiTable } from '../tools/kaitai/kaitai-table.js';
import { LAYOUTS } from '../tools/revisions/registry.js';
import { loadTable } from '../tools/input/load-input.js';
import { resolveLayout } from '../tools/input/resolve-layout.js';
import { REPO } from './support/cli.js';
import { rng } from './support/random-tables.js';
import { standardTables } from './support/table-set.js';
import { tempDir } from './support/tmp.js';

describe('generated Kaitai parsers', () => {
  const tables = standardTables(120).filter((t) => t.table.files.length < 60000);

  for (const layout of LAYOUTS) {
    for (const endian of ['le', 'be'] as const) {
      it(`${layout.id}/${endian}: agree with the reference decoder on ${tables.length} encoded tables`, () => {
        for (const { label, table } of tables) {
          const bytes = layout.encode(table, endian);
          const k = kaitaiTable(layout.id, bytes, endian);
          const ref = layout.read(bytes, endian);
          expect(k.entries, label).to.deep.equal(ref.entries.map((e) => ({ offset: e.offset, fileId: e.fileId, line: e.line })));
          expect(k.entries, label).to.deep.equal(table.entries.map((e) => ({ offset: e.offset, fileId: e.fileId, line: e.line })));
          expect(k.files, label).to.deep.equal(ref.files.map((f) => f.name));
        }
      });
    }
  }

  it('agree with the reference decoder on the bundled example module', () => {
    const t = loadTable(join(REPO, 'examples/hello.ko'));
    const r = resolveLayout(t, {});
    const k = kaitaiTable(r.layout.id, t.bytes, r.endian);
    expect(k.entries.length).to.be.greaterThan(10);
    expect(k.entries).to.deep.equal(r.model.entries.map((e) => ({ offset: e.offset, fileId: e.fileId, line: e.line })));
    expect(k.files).to.deep.equal(r.model.files.map((f) => f.name));
  });

  for (const layout of LAYOUTS) {
    it(`${layout.id}: malformed sections make the parser parse or throw a Kaitai error, never anything else`, function () {
      const r = rng(0x5eed + layout.id.length);
      const base = layout.encode(standardTables(30)[20]!.table, 'le');
      let kaitaiErrors = 0;
      for (let i = 0; i < 3000; i++) {
        const b = Uint8Array.from(base);
        const kind = i % 4;
        if (kind === 0) b[Math.floor(r() * b.length)] ^= 1 << Math.floor(r() * 8);
        else if (kind === 1) new DataView(b.buffer).setUint32(4 * Math.floor(r() * Math.min(8, b.length / 4)), [0, 1, 0x7fffffff, 0x80000000, 0xffffffff][i % 5]!, true);
        else if (kind === 2) b.fill(0x80, Math.floor(r() * b.length));
        const input = kind === 3 ? b.subarray(0, Math.floor(r() * b.length)) : b;
        try {
          kaitaiTable(layout.id, input, 'le');
        } catch (e) {
          if (!isKaitaiParseError(e)) throw new Error(`case ${i}: unexpected ${(e as Error).name}: ${(e as Error).message}`);
          kaitaiErrors++;
        }
      }
      expect(kaitaiErrors).to.be.greaterThan(100);
    });
  }
});

describe('npm run generate:check', () => {
  it('passes on the committed parsers', () => {
    const r = spawnSync(process.execPath, ['generators/generate.mjs', '--check'], { cwd: REPO, encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).to.equal(0);
  });

  it('fails when a generated file is stale, missing or extra', () => {
    const tmp = tempDir('gen');
    try {
      const out = join(tmp.path, 'generated');
      cpSync(join(REPO, 'tools/generated'), out, { recursive: true });
      const check = () => spawnSync(process.execPath, ['generators/generate.mjs', '--check', '--out-dir', out], { cwd: REPO, encoding: 'utf8' });
      expect(check().status).to.equal(0);
      const f = join(out, 'ModLineinfoV1.cjs');
      writeFileSync(f, readFileSync(f, 'utf8').replace('numEntries', 'numEntriez'));
      const stale = check();
      expect(stale.status).to.equal(1);
      expect(stale.stdout + stale.stderr).to.contain('ModLineinfoV1.cjs');
    } finally {
      tmp.remove();
    }
  });

  it('regenerates when a .ksy changes (a new field shows up in the typed declarations)', () => {
    const tmp = tempDir('gen2');
    try {
      const spec = join(tmp.path, 'spec');
      const out = join(tmp.path, 'out');
      cpSync(join(REPO, 'spec/revisions'), spec, { recursive: true });
      const ksy = join(spec, 'mod_lineinfo_v1_flat.ksy');
      writeFileSync(ksy, readFileSync(ksy, 'utf8').replace(/- id: reserved\b/, '- id: reserved_renamed'));
      const r = spawnSync(process.execPath, ['generators/generate.mjs', '--spec-dir', spec, '--out-dir', out], { cwd: REPO, encoding: 'utf8' });
      expect(r.status, r.stderr).to.equal(0);
      expect(readFileSync(join(out, 'ModLineinfoV1Flat.d.cts'), 'utf8')).to.contain('readonly reservedRenamed: number;');
    } finally {
      tmp.remove();
    }
  });
});

/**
 * External decoders: the protocol codec (conformance/external/protocol.ts), the exec: driver and
 * the C harness with guard pages, plain and under ASan + UBSan. careful.c must answer exactly like
 * the reference on valid sections and never read outside malformed ones; naive.c (the v1 kernel's
 * trust in the header) must be caught on W7, W10, W11 and W12 inputs; hanging and crashing
 * decoders must yield `timeout` / `crash` on the right case while the driver carries on.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DecoderAnswer, DecoderQuery } from '../conformance/decoder-interface.js';
import type { CaseOutcome, DecoderCase, DecoderDriver } from '../conformance/driver.js';
import { referenceDecoder } from '../conformance/reference-decoders.js';
import {
  classifyFailure,
  createDriver,
  findCompiler,
  protocolDecodeRequest,
  protocolDecodeResponse,
  protocolEncodeRequest,
  protocolEncodeResponse,
  ProtocolError,
} from '../conformance/external/index.js';
import type { ProtocolAnswer, ProtocolRequest } from '../conformance/external/index.js';
import type { Endian } from '../tools/format/endian.js';
import { normaliseEntries } from '../tools/model/line-table.js';
import type { LineTable } from '../tools/model/line-table.js';
import { RULE_BREAKERS, breakerFor } from '../tools/mutate/rule-breakers.js';
import type { Layout } from '../tools/revisions/layout.js';
import { LAYOUTS, layoutById } from '../tools/revisions/registry.js';
import { randomTable, rng } from './support/random-tables.js';
import { tableWithEntries } from './support/table-set.js';
import { tempDir } from './support/tmp.js';

const ENDIANS: readonly Endian[] = ['le', 'be'];
const BUILDS = [
  { sanitize: false, label: 'plain build' },
  { sanitize: true, label: 'ASan + UBSan build' },
] as const;
const HAVE_CC = findCompiler() !== null;

/** Queries that hit entries exactly, fall between and around them, with and without symbol starts. */
function queriesFor(table: LineTable, random: () => number, count = 12): DecoderQuery[] {
  const e = table.entries;
  const out: DecoderQuery[] = [{ offset: 0 }, { offset: 0xffff_ffff }];
  while (out.length < count) {
    const pick = e.length ? e[Math.floor(random() * e.length)]!.offset : Math.floor(random() * 0x1_0000);
    const offset = Math.min(0xffff_ffff, Math.max(0, pick + Math.floor(random() * 9) - 3));
    const r = random();
    if (r < 0.6) out.push({ offset });
    else if (r < 0.8) out.push({ offset, symbolStart: Math.max(0, pick - Math.floor(random() * 3)) });
    else out.push({ offset, symbolStart: Math.min(0xffff_ffff, offset + Math.floor(random() * 2)) });
  }
  return out;
}

/** The contract for any answer on any section: a name lying in the section, NUL-terminated there. */
function answerIsSafe(section: Uint8Array, a: DecoderAnswer): boolean {
  if (a === null) return true;
  if (a.nameOffset >= section.length) return false;
  return section.indexOf(0, a.nameOffset) >= 0;
}

async function runAll(driver: DecoderDriver, cases: readonly DecoderCase[]): Promise<CaseOutcome[]> {
  return Promise.all(cases.map((c) => driver.run(c)));
}

function describeOutcome(o: CaseOutcome): string {
  return JSON.stringify(o).slice(0, 600);
}

/** The layouts naive.c implements: the original series' v1 layouts, whose kernel decoders it mimics. */
const NAIVE_LAYOUTS: readonly string[] = ['v1-flat', 'v1', 'vmlinux-v1-flat', 'vmlinux-v1'];

describe('external decoders', function () {
  this.timeout(600_000);

  describe('protocol', () => {
    it('round-trips requests and responses, and waits for complete frames', () => {
      const random = rng(42);
      for (let i = 0; i < 300; i++) {
        const section = Uint8Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256));
        const queries: DecoderQuery[] = Array.from({ length: Math.floor(random() * 6) }, () => {
          const offset = Math.floor(random() * 2 ** 32);
          return random() < 0.5 ? { offset } : { offset, symbolStart: Math.floor(random() * 2 ** 32) };
        });
        const req: ProtocolRequest = { endian: random() < 0.5 ? 'le' : 'be', layout: LAYOUTS[i % LAYOUTS.length]!.id, section, queries };
        const frame = protocolEncodeRequest(req);
        const back = protocolDecodeRequest(frame);
        expect(back?.bytes).to.equal(frame.length);
        expect(back?.request).to.deep.equal(req);
        for (const cut of [0, 3, 7, 8, frame.length - 1]) if (cut < frame.length) expect(protocolDecodeRequest(frame.subarray(0, cut))).to.equal(null);

        const answers: ProtocolAnswer[] = queries.map(() => {
          const r = random();
          return r < 0.3 ? null : r < 0.4 ? 'unsupported' : { line: Math.floor(random() * 2 ** 32), nameOffset: Math.floor(random() * 2 ** 32) };
        });
        const resp = protocolEncodeResponse(answers);
        const two = new Uint8Array(resp.length * 2);
        two.set(resp);
        two.set(resp, resp.length);
        const decoded = protocolDecodeResponse(two);
        expect(decoded?.bytes).to.equal(resp.length);
        expect(decoded?.answers).to.deep.equal(answers);
        for (let cut = 0; cut < resp.length; cut++) expect(protocolDecodeResponse(resp.subarray(0, cut))).to.equal(null);
      }
    });

    it('encodes the example exchange of PROTOCOL.md byte for byte', () => {
      const section = sectionForExample();
      const queries: DecoderQuery[] = [{ offset: 0x18 }, { offset: 0x20, symbolStart: 0x21 }];
      expect(Buffer.from(protocolEncodeRequest({ endian: 'le', layout: 'v1-flat', section, queries })).toString('hex')).to.equal(EXAMPLE_REQUEST_HEX);
      const answers = referenceDecoder.decode(section, 'le', 'v1-flat', queries);
      expect(answers).to.deep.equal([{ line: 10, nameOffset: 44 }, null]);
      expect(Buffer.from(protocolEncodeResponse(answers)).toString('hex')).to.equal(EXAMPLE_RESPONSE_HEX);
    });

    it('rejects malformed frames', () => {
      expect(() => protocolDecodeResponse(Buffer.from('LIXX\x04\0\0\0\0\0\0\0', 'latin1'))).to.throw(ProtocolError);
      expect(() => protocolDecodeResponse(Buffer.from('LIA1\x05\0\0\0\x01\0\0\0\x07', 'latin1'))).to.throw(ProtocolError, /unknown kind/);
      expect(() => protocolDecodeResponse(Buffer.from('LIA1\x06\0\0\0\x01\0\0\0\0\0', 'latin1'))).to.throw(ProtocolError, /after/);
      expect(() => protocolDecodeResponse(Buffer.from('LIA1\x05\0\0\0\x02\0\0\0\0', 'latin1'))).to.throw(ProtocolError, /ends after/);
      expect(() => protocolEncodeRequest({ endian: 'le', layout: 'v1', section: new Uint8Array(0), queries: [{ offset: 2 ** 32 }] })).to.throw(RangeError);
    });
  });

  describe('failure classification', () => {
    const outcome = (stderr: string, code: number | null = 1, signal: NodeJS.Signals | null = null): CaseOutcome => classifyFailure({ stderr, code, signal });
    it('reads AddressSanitizer reports: heap/global overflow READs are out-of-bounds with their offset, the rest crashes', () => {
      const heap = (what: string, access: string): string =>
        `=================================================================\n==1==ERROR: AddressSanitizer: ${what} on address 0x602000000017 at pc 0x1 bp 0x2 sp 0x3\n${access} of size 1 at 0x602000000017 thread T0\n    #0 0x55 in rd32 naive.c:22\n\n0x602000000017 is located 2 bytes to the right of 5-byte region [0x602000000010,0x602000000015)\n`;
      expect(outcome(heap('heap-buffer-overflow', 'READ'))).to.include({ kind: 'out-of-bounds', offset: 7 });
      expect(outcome(heap('global-buffer-overflow', 'READ').replace('to the right of', 'after'))).to.include({ kind: 'out-of-bounds', offset: 7 });
      expect(outcome(heap('heap-buffer-overflow', 'READ').replace('2 bytes to the right of', '3 bytes to the left of'))).to.include({ kind: 'out-of-bounds', offset: -3 });
      expect(outcome(heap('heap-buffer-overflow', 'WRITE'))).to.include({ kind: 'crash' });
      expect(outcome(heap('heap-use-after-free', 'READ'))).to.include({ kind: 'crash' });
      expect(outcome('==1==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000\n')).to.include({ kind: 'crash' });
    });

    it('reads the harness lines, UBSan reports, Go and Rust panics, and plain deaths', () => {
      const fault = (guard: string, offset: number, addr = '0x7f0000001000'): string =>
        `lineinfo-harness: fault signal=11 name=SIGSEGV phase=decode placement=end query=2 size=62 guard=${guard} offset=${offset} addr=${addr}\n`;
      expect(outcome(fault('upper', 62), 70)).to.include({ kind: 'out-of-bounds', offset: 62 });
      expect(outcome(fault('lower', -1), 70)).to.include({ kind: 'out-of-bounds', offset: -1 });
      expect(outcome(fault('none', 8 * 2 ** 30), 70)).to.include({ kind: 'out-of-bounds', offset: 8 * 2 ** 30 });
      expect(outcome(fault('none', -140000000000000, '0x0'), 70)).to.include({ kind: 'crash' });
      expect(outcome('lineinfo-harness: name-outside-section placement=end query=0 size=40 offset=4000\n', 3)).to.include({ kind: 'out-of-bounds', offset: 4000 });
      expect(outcome('lineinfo-harness: placement-mismatch query=0 size=40 end=none start=line=3@name_offset=9\n', 3)).to.include({ kind: 'out-of-bounds', offset: null });
      expect(outcome('lineinfo-harness: bad-answer placement=end query=0 return=7\n', 3)).to.include({ kind: 'crash' });
      expect(outcome('dec.c:12:7: runtime error: left shift of 1 by 31 places cannot be represented in type \'int\'\n')).to.deep.include({ kind: 'crash' });
      expect(outcome('panic: runtime error: index out of range [70] with length 62\n\ngoroutine 1 [running]:\n', 2)).to.include({ kind: 'out-of-bounds', offset: null });
      expect(outcome('panic: runtime error: invalid memory address or nil pointer dereference\n', 2)).to.include({ kind: 'crash' });
      expect(outcome("thread 'main' panicked at src/main.rs:10:5:\nindex out of bounds: the len is 62 but the index is 70\n", 101)).to.include({ kind: 'out-of-bounds', offset: null });
      expect(outcome('', null, 'SIGKILL')).to.deep.equal({ kind: 'crash', detail: 'the decoder was killed by SIGKILL' });
      expect(outcome('', 0)).to.deep.equal({ kind: 'crash', detail: 'the decoder exited (status 0) without answering' });
    });
  });

  describe('C harness', function () {
    before(function () {
      if (!HAVE_CC) this.skip();
    });

    // Shared inputs: valid sections with their reference answers, malformed sections.
    const validCases: { c: DecoderCase; expected: DecoderAnswer[] }[] = [];
    const malformed: DecoderCase[] = [];
    before(function () {
      if (!HAVE_CC) return;
      const random = rng(7);
      let seed = 1;
      for (const layout of LAYOUTS) {
        for (const endian of ENDIANS) {
          for (let i = 0; i < 2000; i++, seed++) {
            const table = randomTable(seed, i % 10 === 0 ? 1500 : 200, 30);
            const section = layout.encode(table, endian);
            const queries = queriesFor(table, random);
            validCases.push({ c: { section, endian, layout: layout.id, queries }, expected: referenceDecoder.decode(section, endian, layout.id, queries) });
          }
        }
      }
      malformed.push(...malformedCases(random));
    });

    for (const build of BUILDS) {
      describe(`careful.c, ${build.label}`, () => {
        let driver: DecoderDriver;
        before(async function () {
          if (!HAVE_CC) this.skip();
          driver = await createDriver({ kind: 'c', source: 'conformance/decoders/careful.c', sanitize: build.sanitize });
        });
        after(async () => driver?.close());

        it('supports all four layouts', () => {
          expect([...driver.layouts]).to.deep.equal(LAYOUTS.map((l) => l.id));
        });

        it('answers like the reference on 2,000 random valid sections per layout and byte order', async () => {
          expect(validCases.length).to.equal(2000 * LAYOUTS.length * ENDIANS.length);
          const outcomes = await runAll(driver, validCases.map((v) => v.c));
          let hits = 0;
          outcomes.forEach((o, i) => {
            const v = validCases[i]!;
            expect(o.kind, `${v.c.layout} ${v.c.endian} case ${i}: ${describeOutcome(o)}`).to.equal('answers');
            if (o.kind !== 'answers') return;
            expect(o.answers, `${v.c.layout} ${v.c.endian} case ${i}`).to.deep.equal(v.expected);
            hits += o.answers.filter((a) => a !== null).length;
          });
          expect(hits).to.be.greaterThan(validCases.length * 5);
        });

        it('never reads outside malformed sections (rule breakers, byte flips, truncations, wild header fields)', async () => {
          expect(malformed.length).to.be.greaterThan(3000);
          const outcomes = await runAll(driver, malformed);
          outcomes.forEach((o, i) => {
            const c = malformed[i]!;
            expect(o.kind, `${c.layout} ${c.endian} malformed case ${i}: ${describeOutcome(o)}`).to.equal('answers');
            if (o.kind === 'answers') for (const a of o.answers) expect(answerIsSafe(c.section, a), `${c.layout} case ${i}: ${JSON.stringify(a)}`).to.equal(true);
          });
        });

        it('answers none on the constructed W7/W10/W11/W12 inputs instead of reading past them', async () => {
          for (const w of weaknessCases()) {
            const o = await driver.run(w.c);
            expect(o, w.name).to.deep.equal({ kind: 'answers', answers: w.c.queries.map(() => null) });
          }
        });
      });

      describe(`naive.c, ${build.label}`, () => {
        let driver: DecoderDriver;
        before(async function () {
          if (!HAVE_CC) this.skip();
          driver = await createDriver({ kind: 'c', source: 'conformance/decoders/naive.c', sanitize: build.sanitize });
        });
        after(async () => driver?.close());

        it('implements the v1 layouts, agreeing with the reference on valid sections (it is only wrong on bad ones)', async () => {
          expect([...driver.layouts]).to.deep.equal([...NAIVE_LAYOUTS]);
          const sample = validCases.filter((v, i) => i % 20 === 0 && NAIVE_LAYOUTS.includes(v.c.layout));
          const outcomes = await runAll(driver, sample.map((v) => v.c));
          outcomes.forEach((o, i) => expect(o, `case ${i}`).to.deep.equal({ kind: 'answers', answers: sample[i]!.expected }));
        });

        for (const w of weaknessCases()) {
          it(`is caught reading outside the section on ${w.name}`, async () => {
            // the input really triggers the kernel defect
            const kernel = layoutById(w.c.layout).lookupKernel(w.c.section, w.c.endian, w.c.queries[0]!);
            expect(kernel.kind, 'kernel model').to.equal('fault');
            const o = await driver.run(w.c);
            expect(o.kind, describeOutcome(o)).to.equal('out-of-bounds');
            if (o.kind === 'out-of-bounds' && w.faultAt !== undefined) expect(o.offset, o.detail).to.equal(w.faultAt);
            // the driver restarted the harness: the next case is answered
            const next = validCases[0]!;
            expect(await driver.run(next.c)).to.deep.equal({ kind: 'answers', answers: next.expected });
          });
        }
      });
    }

    describe('misbehaving decoders', () => {
      let dir: { path: string; remove(): void };
      before(function () {
        if (!HAVE_CC) this.skip();
        dir = tempDir('external-decoders');
      });
      after(() => dir?.remove());

      const sample = (layout: string, offset: number): DecoderCase => {
        const l = layoutById(layout as Layout['id']);
        return { section: l.encode(tableWithEntries(3, 10), 'le'), endian: 'le', layout: l.id, queries: [{ offset }, { offset: offset + 1 }] };
      };

      for (const build of BUILDS) {
        it(`a decoder that hangs on one layout times out on those cases only (${build.label})`, async () => {
          const src = join(dir.path, 'sleepy.c');
          writeFileSync(src, TEST_DECODER_PRELUDE + `
  if (!strcmp(layout, "v1")) for (;;) sleep(1);
  if (!strncmp(layout, "vmlinux", 7)) return LINEINFO_UNSUPPORTED;
  return LINEINFO_NONE;
}
`);
          const driver = await createDriver({ kind: 'c', source: src, sanitize: build.sanitize }, { timeoutMs: 400 });
          try {
            // the probe of v1 timed out, so v1 stays listed; the vmlinux layouts answered "unsupported"
            expect([...driver.layouts]).to.deep.equal(LAYOUTS.filter((l) => l.container === 'module').map((l) => l.id));
            const t0 = Date.now();
            const outcomes = await runAll(driver, [sample('v1-flat', 5), sample('v1', 5), sample('v1-flat', 6), sample('v1', 7), sample('v1-flat', 8)]);
            expect(outcomes.map((o) => o.kind)).to.deep.equal(['answers', 'timeout', 'answers', 'timeout', 'answers']);
            expect(outcomes[1]).to.deep.equal({ kind: 'timeout', afterMs: 400 });
            expect(outcomes[0]).to.deep.equal({ kind: 'answers', answers: [null, null] });
            expect(Date.now() - t0).to.be.lessThan(5000);
          } finally {
            await driver.close();
          }
        });

        it(`a crashing decoder is restarted and the crash is pinned on its case (${build.label})`, async () => {
          const src = join(dir.path, 'crashy.c');
          writeFileSync(src, TEST_DECODER_PRELUDE + `
  if (offset == 0xdead) return *(volatile int *)(uintptr_t)(size >> 62); /* a NULL dereference */
  *line = offset;
  *name = (const char *)section + 4;
  return size > 8 && offset < 0x100 && memchr(section + 4, 0, size - 4) ? LINEINFO_HIT : LINEINFO_NONE;
}
`);
          const driver = (await createDriver({ kind: 'c', source: src, sanitize: build.sanitize })) as DecoderDriver & { starts: number };
          try {
            const base = driver.starts;
            const cases = [sample('v1', 5), sample('v1', 6), sample('v1', 0xdead), sample('v1', 7), sample('v1', 0xdead), sample('v1', 9)];
            const outcomes = await runAll(driver, cases);
            expect(outcomes.map((o) => o.kind)).to.deep.equal(['answers', 'answers', 'crash', 'answers', 'crash', 'answers']);
            const crash = outcomes[2]!;
            if (crash.kind === 'crash') expect(crash.detail).to.match(build.sanitize ? /SIGSEGV|null pointer/ : /SIGSEGV at address 0x0 while decoding \(query 0/);
            expect(outcomes[3]).to.deep.equal({ kind: 'answers', answers: [{ line: 7, nameOffset: 4 }, { line: 8, nameOffset: 4 }] });
            expect(driver.starts - base).to.equal(2);
          } finally {
            await driver.close();
          }
        });

        it(`reads before the section start are caught by the lower guard page / ASan (${build.label})`, async () => {
          const src = join(dir.path, 'underrun.c');
          writeFileSync(src, TEST_DECODER_PRELUDE + `
  static volatile uint8_t sink;
  if (offset == 0xbeef) sink = section[-1];
  return LINEINFO_NONE;
}
`);
          const driver = await createDriver({ kind: 'c', source: src, sanitize: build.sanitize });
          try {
            const outcomes = await runAll(driver, [sample('v1', 5), sample('v1', 0xbeef), sample('v1', 5)]);
            expect(outcomes.map((o) => o.kind)).to.deep.equal(['answers', 'out-of-bounds', 'answers']);
            expect(outcomes[1]).to.include({ offset: -1 });
          } finally {
            await driver.close();
          }
        });
      }
    });
  });

  describe('exec: decoders in other languages', () => {
    it('learns the supported layouts by probing, and answers through a JavaScript decoder', async () => {
      const dir = tempDir('external-exec');
      try {
        const script = join(dir.path, 'decoder.mjs');
        writeFileSync(script, JS_DECODER);
        const driver = await createDriver({ kind: 'exec', argv: [process.execPath, script] });
        try {
          expect([...driver.layouts]).to.deep.equal(['v1']);
          const section = layoutById('v1').encode(tableWithEntries(4, 5), 'le');
          const o = await driver.run({ section, endian: 'le', layout: 'v1', queries: [{ offset: 1 }, { offset: 2 ** 32 }, { offset: 3, symbolStart: 2 }] });
          // query 1 never reaches the decoder (an offset of 2^32 must give none)
          expect(o).to.deep.equal({ kind: 'answers', answers: [{ line: 1, nameOffset: section.length - 1 }, null, { line: 3, nameOffset: section.length - 1 }] });
        } finally {
          await driver.close();
        }
      } finally {
        dir.remove();
      }
    });

    it('refuses a command that cannot run', async () => {
      let error: unknown;
      try {
        await createDriver({ kind: 'exec', argv: ['/nonexistent/lineinfo-decoder'] });
      } catch (e) {
        error = e;
      }
      expect(String(error)).to.match(/did not answer the protocol probe: cannot run/);
    });
  });
});

// ---- inputs ----

/** Sections breaking every rule (rule breakers), plus random byte flips, cuts and wild fields. */
function malformedCases(random: () => number): DecoderCase[] {
  const out: DecoderCase[] = [];
  const tables: LineTable[] = [];
  for (let seed = 100; tables.length < 6; seed++) {
    const t = randomTable(seed, tables.length % 2 ? 400 : 50, 6);
    const used = new Set(t.entries.map((e) => e.fileId));
    if (t.entries.length < 3 || used.size < 2) continue;
    const ids = [...used].sort((a, b) => a - b);
    const remap = new Map(ids.map((id, i) => [id, i]));
    tables.push({ files: ids.map((id) => `dir${id}/file${id}.c`), entries: normaliseEntries(t.entries.map((e) => ({ ...e, fileId: remap.get(e.fileId)! }))) });
  }
  for (const breaker of RULE_BREAKERS) {
    for (const id of breaker.layouts) {
      const layout = layoutById(id);
      for (const endian of ENDIANS) {
        for (const table of tables) {
          const made = breaker.make({ layout, endian, table, random });
          if (made) out.push({ section: made.bytes, endian, layout: id, queries: queriesFor(table, random, 16) });
        }
      }
    }
  }
  let seed = 5000;
  for (const layout of LAYOUTS) {
    for (const endian of ENDIANS) {
      for (let i = 0; i < 400; i++) {
        const table = randomTable(seed++, i % 4 === 0 ? 300 : 40, 8);
        out.push({ section: mutate(layout.encode(table, endian), random), endian, layout: layout.id, queries: queriesFor(table, random) });
      }
    }
  }
  return out;
}

/** One random mutation: byte flips, a cut, a wild u32 in the first 64 bytes, or a spliced run. */
function mutate(bytes: Uint8Array, random: () => number): Uint8Array {
  const b = Uint8Array.from(bytes);
  const r = random();
  if (r < 0.35) {
    const flips = 1 + Math.floor(random() * 4);
    for (let i = 0; i < flips && b.length; i++) {
      const at = Math.floor(random() * b.length);
      b[at] = b[at]! ^ (1 << Math.floor(random() * 8));
    }
    return b;
  }
  if (r < 0.5) return b.subarray(0, Math.floor(random() * b.length));
  if (r < 0.85) {
    const at = 4 * Math.floor(random() * Math.min(16, Math.floor(b.length / 4)));
    const wild = [0, 1, 0xffff_ffff, 0x8000_0000, 0x4000_0000, 0x3fff_ffff, b.length, b.length + 1, Math.floor(random() * 2 ** 32)];
    if (at + 4 <= b.length) new DataView(b.buffer).setUint32(at, wild[Math.floor(random() * wild.length)]!, random() < 0.5);
    return b;
  }
  const from = Math.floor(random() * b.length);
  const to = Math.floor(random() * b.length);
  const len = Math.floor(random() * 32);
  b.copyWithin(to, from, from + len);
  return b;
}

interface WeaknessCase {
  readonly name: string;
  readonly c: DecoderCase;
  /** the section offset the first outside read is at, when it is known */
  readonly faultAt?: number;
}

function u32At(b: Uint8Array, at: number, value: number, endian: Endian): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(at, value >>> 0, endian === 'le');
}

function region(layout: Layout, bytes: Uint8Array, endian: Endian, name: string): { offset: number; size: number } {
  const m = layout.read(bytes, endian);
  const r = m.regions.find((x) => x.name === name || x.name === `lineinfo_${name}`);
  if (!r) throw new Error(`${layout.id} has no region ${name}`);
  return r;
}

/** Inputs on which the v1 kernel decoders read outside the section (spec W7, W10, W11, W12). */
function weaknessCases(): WeaknessCase[] {
  const out: WeaknessCase[] = [];
  const small: LineTable = { files: ['fs/a.c', 'mm/b.c'], entries: [{ offset: 0x10, fileId: 0, line: 10 }, { offset: 0x13, fileId: 1, line: 5 }, { offset: 0x19, fileId: 0, line: 12 }] };
  for (const endian of ENDIANS) {
    // W12: the last name is not NUL-terminated inside the section; printing it reads past the end.
    // naive.c is the v1 kernel's decoder: it implements (and mis-implements) the v1 layouts only.
    for (const layout of LAYOUTS.filter((l) => NAIVE_LAYOUTS.includes(l.id))) {
      const full = layout.encode(small, endian);
      const section = layout.container === 'module' ? Uint8Array.from(full) : full.slice(0, full.length - 1);
      if (layout.container === 'module') section[section.length - 1] = 0x78;
      out.push({ name: `W12 ${layout.id} ${endian}: unterminated last name`, c: { section, endian, layout: layout.id, queries: [{ offset: 0x13 }] }, faultAt: section.length });
    }
    // W10: filenames_size 0xffffffff wraps the u32 size check; file 1's name offset then points at the section's end.
    for (const id of ['v1-flat', 'v1'] as const) {
      const layout = layoutById(id);
      const section = Uint8Array.from(layout.encode(small, endian));
      const names = region(layout, section, endian, 'filenames');
      const fo = region(layout, section, endian, 'file_offsets');
      u32At(section, 8, 0xffff_ffff, endian);
      u32At(section, fo.offset + 4, section.length - names.offset, endian);
      out.push({ name: `W10 ${id} ${endian}: filenames_size wraps the size check`, c: { section, endian, layout: id, queries: [{ offset: 0x13 }] }, faultAt: section.length });
    }
    // W11: block_offsets[1] far past data_size; block 0's stream runs on (continuation bytes) to the end.
    {
      const layout = layoutById('v1');
      const table = tableWithEntries(11, 100, 4);
      const section = Uint8Array.from(layout.encode(table, endian));
      const offsets = region(layout, section, endian, 'block_offsets');
      const data = region(layout, section, endian, 'data');
      u32At(section, offsets.offset + 4, 0xffff_fff0, endian);
      section.fill(0x80, data.offset);
      out.push({ name: `W11 v1 ${endian}: block bound not clamped to data_size`, c: { section, endian, layout: 'v1', queries: [{ offset: table.entries[0]!.offset }] }, faultAt: section.length });
    }
    // W7: the vmlinux-v1 image ends inside the last varint; the last block is read without a bound.
    {
      const layout = layoutById('vmlinux-v1');
      const table = tableWithEntries(12, 70, 4);
      const made = breakerFor('LI-STR-001')!.make({ layout, endian, table, random: rng(1) })!;
      out.push({ name: `W7 vmlinux-v1 ${endian}: last block read without a bound`, c: { section: made.bytes, endian, layout: 'vmlinux-v1', queries: [{ offset: table.entries[69]!.offset }] }, faultAt: made.bytes.length });
    }
  }
  return out;
}

// ---- fixtures ----

/** v1-flat, 2 entries (0x10: file 0 "a" line 10; 0x20: file 1 "b" line 20): 48 bytes. */
function sectionForExample(): Uint8Array {
  return layoutById('v1-flat').encode({ files: ['a', 'b'], entries: [{ offset: 0x10, fileId: 0, line: 10 }, { offset: 0x20, fileId: 1, line: 20 }] }, 'le');
}

const EXAMPLE_REQUEST_HEX =
  '4c495131' + '53000000' + // "LIQ1", frame length 83
  '0007' + Buffer.from('v1-flat').toString('hex') + // little-endian, layout "v1-flat"
  '30000000' + // section size 48
  '02000000' + '02000000' + '04000000' + '00000000' + // N=2 F=2 S=4 reserved
  '10000000' + '20000000' + '0000' + '0100' + // addrs, file_ids
  '0a000000' + '14000000' + '00000000' + '02000000' + '61006200' + // lines, file_offsets, "a\0b\0"
  '02000000' + '180000000000000000' + '200000000121000000'; // 2 queries: 0x18; 0x20 with symbol start 0x21
const EXAMPLE_RESPONSE_HEX = '4c4941310e000000' + '02000000' + '010a0000002c000000' + '00';

const TEST_DECODER_PRELUDE = `#include "lineinfo_decoder.h"
#include <stdint.h>
#include <string.h>
#include <unistd.h>
int lineinfo_decode(const uint8_t *section, size_t size, int big_endian, const char *layout,
		    uint32_t offset, int has_symbol_start, uint32_t symbol_start,
		    uint32_t *line, const char **name)
{
  (void)big_endian; (void)has_symbol_start; (void)symbol_start; (void)line; (void)name; (void)size; (void)section;
`;

/** A decoder in plain JavaScript that implements PROTOCOL.md from scratch: v1 only, answers (offset, last byte). */
const JS_DECODER = `
let buf = Buffer.alloc(0);
process.stdin.on('data', (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  for (;;) {
    if (buf.length < 8) return;
    if (buf.toString('latin1', 0, 4) !== 'LIQ1') process.exit(2);
    const len = buf.readUInt32LE(4);
    if (buf.length < 8 + len) return;
    const f = buf.subarray(8, 8 + len);
    buf = buf.subarray(8 + len);
    const layoutLen = f[1];
    const layout = f.toString('latin1', 2, 2 + layoutLen);
    let at = 2 + layoutLen;
    const size = f.readUInt32LE(at);
    at += 4 + size;
    const n = f.readUInt32LE(at);
    at += 4;
    const parts = [];
    for (let i = 0; i < n; i++, at += 9) {
      if (layout !== 'v1') { parts.push(Buffer.from([2])); continue; }
      const a = Buffer.alloc(9);
      a[0] = 1;
      a.writeUInt32LE(f.readUInt32LE(at), 1);
      a.writeUInt32LE(size - 1, 5);
      parts.push(a);
    }
    const body = Buffer.concat(parts);
    const head = Buffer.alloc(12);
    head.write('LIA1', 0, 'latin1');
    head.writeUInt32LE(4 + body.length, 4);
    head.writeUInt32LE(n, 8);
    process.stdout.write(Buffer.concat([head, body]));
  }
});
`;

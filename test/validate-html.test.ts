/**
 * `lineinfo validate --html`: the page is written beside the normal report, is self-contained,
 * and works in a real browser. A table with known diagnostics (LI-HDR-002, LI-ENT-001), the
 * bundled hello.ko under a hostile file name, a file without a table and an unreadable one are
 * validated by the built CLI; the page is opened in headless Chromium and checked: no console
 * errors, no requests but the page itself, one cell per section byte, cells coloured by region,
 * a click on a diagnostic highlights exactly its bytes (and a second click moves the highlight),
 * hostile names stay text. A section above the 64 KiB map limit is elided, and says so.
 */
import { expect } from 'chai';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { htmlReport, HTML_MAP_LIMIT } from '../tools/validate/report-html.js';
import { validateFile } from '../tools/validate/validate-file.js';
import { BIN, REPO, lineinfo } from './support/cli.js';
import { tempDir } from './support/tmp.js';

const CHROMIUM = '/usr/bin/chromium';
const HOSTILE = '<img src=x onerror="window.__pwned=1">&amp;.ko';
const SCREENSHOT = '/tmp/lineinfo-validate-html.png';

interface JsonDiag { rule: string; severity: string; offset: number; length: number; fileOffset: number; message: string }
interface JsonFile { file: string; status: string; section: { size: number; fileOffset: number } | null; diagnostics: JsonDiag[] }

/** An encoder input of `n` entries over three files, offsets 16 apart, lines from 10 on. */
function encoderJson(n: number): string {
  const files = ['drivers/net/foo/main.c', 'drivers/net/foo/main.h', 'include/linux/list.h'];
  const entries = Array.from({ length: n }, (_, i) => ({ offset: i * 16, file: i % 3, line: 10 + i }));
  return JSON.stringify({ files, entries });
}

/** Encodes `n` entries as a little-endian v1-flat section with the CLI. */
function encodeFlat(dir: string, name: string, n: number): Buffer {
  const json = join(dir, `${name}.json`);
  const out = join(dir, `${name}.bin`);
  writeFileSync(json, encoderJson(n));
  const r = lineinfo(['encode', json, '--revision', 'v1-flat', '--endian', 'le', '-o', out]);
  expect(r.status, r.stderr).to.equal(0);
  return readFileSync(out);
}

/** Swaps addrs[i-1] and addrs[i] of a v1-flat section, so entry i breaks LI-ENT-001. */
function swapAddrs(b: Buffer, i: number): void {
  const a = b.readUInt32LE(16 + 4 * (i - 1));
  b.writeUInt32LE(b.readUInt32LE(16 + 4 * i), 16 + 4 * (i - 1));
  b.writeUInt32LE(a, 16 + 4 * i);
}

describe('validate --html', function () {
  let dir: ReturnType<typeof tempDir>;
  let corrupt: string;
  let hostile: string;
  let unreadable: string;
  let big: string;
  const page1 = (): string => join(dir.path, 'report.html');
  const page2 = (): string => join(dir.path, 'big.html');

  before(function () {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npx tsc -p tsconfig.json first`);
    dir = tempDir('html');
    // 12 entries: reserved = 7 (LI-HDR-002 at 0xc..0xf), addrs[2] and addrs[3] swapped (LI-ENT-001 at 0x1c..0x1f)
    const t = encodeFlat(dir.path, 'table', 12);
    t.writeUInt32LE(7, 12);
    swapAddrs(t, 3);
    corrupt = join(dir.path, 'corrupt.bin');
    writeFileSync(corrupt, t);
    hostile = join(dir.path, HOSTILE);
    copyFileSync(join(REPO, 'examples/hello.ko'), hostile);
    unreadable = join(dir.path, '<b>truncated.ko');
    writeFileSync(unreadable, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]));
    // 8000 entries (about 80 KiB, above the map limit): a line 0 near the end (LI-ENT-003)
    const b = encodeFlat(dir.path, 'big', 8000);
    const linesAt = 16 + 6 * 8000;
    b.writeUInt32LE(0, linesAt + 4 * 7990);
    big = join(dir.path, 'big.bin');
    writeFileSync(big, b);
  });
  after(() => dir?.remove());

  function jsonReport(files: string[]): JsonFile[] {
    const r = lineinfo(['validate', '--json', ...files]);
    return (JSON.parse(r.stdout) as { files: JsonFile[] }).files;
  }

  it('writes the page beside the normal report, atomically, and keeps the exit status', function () {
    const examples = join(REPO, 'examples/hello.o');
    const r = lineinfo(['validate', corrupt, hostile, examples, unreadable, '--html', page1()]);
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stdout).to.match(/error LI-HDR-002 header\.reserved \(section 0xc\.\.0xf/);
    expect(r.stdout).to.match(/error LI-ENT-001 entries\[3\]/);
    expect(r.stdout).to.contain('Summary:');
    const html = readFileSync(page1(), 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).to.equal(true);
    // self-contained: nothing that loads from elsewhere
    expect(html).not.to.match(/\b(src|href)\s*=\s*"(?!#)/i);
    expect(html).not.to.match(/@import|url\(|https?:\/\//i);
    expect(html).to.contain('64 KiB');
    // no temporary file left behind; a page that cannot be written is an error naming it
    expect(readdirSync(dir.path).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    const bad = lineinfo(['validate', corrupt, '--html', join(dir.path, 'missing-dir', 'x.html')]);
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.contain('x.html');
    const r2 = lineinfo(['validate', big, '--html', page2()]);
    expect(r2.stdout).to.contain('LI-ENT-003');
  });

  it('escapes every input string (pure function)', function () {
    const reports = [validateFile(hostile), validateFile(unreadable)];
    const html = htmlReport(reports);
    expect(html).not.to.contain('<img');
    expect(html).not.to.contain('<b>truncated');
    expect(html).to.contain('&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;&amp;amp;.ko');
    expect(html).to.contain('&lt;b&gt;truncated.ko');
  });

  it('limits the map of a big section to 64 KiB, keeping the bytes of every diagnostic (pure function)', function () {
    const report = validateFile(big);
    expect(report.section!.size).to.be.greaterThan(HTML_MAP_LIMIT);
    const html = htmlReport([report]);
    const cells = [...html.matchAll(/<span class="b [^"]*" data-offset="(\d+)">/g)].map((m) => Number(m[1]));
    // whole rows of 16 up to the limit; the section's last row is partial
    expect(cells.length).to.be.within(HTML_MAP_LIMIT - 15, HTML_MAP_LIMIT);
    const set = new Set(cells);
    expect(report.diagnostics.length).to.be.greaterThan(0);
    for (const d of report.diagnostics) for (let i = d.offset; i < d.offset + d.length; i++) expect(set.has(i), `${d.rule} byte ${i}`).to.equal(true);
    for (let i = 0; i < 1024; i++) expect(set.has(i)).to.equal(true);
    expect(html).to.match(/class="gap"[^>]*>… 0x[0-9a-f]+\.\.0x[0-9a-f]+: \d+ bytes not shown/);
    expect(html).to.contain(`The map shows ${cells.length} bytes of ${report.section!.size}`);
  });

  describe('in headless Chromium', function () {
    let browser: Browser;
    let page: Page;
    let consoleErrors: string[];
    let requests: string[];

    before(async function () {
      if (!existsSync(CHROMIUM)) this.skip();
      const { chromium } = await import('playwright-core');
      // playwright gives every launch a fresh temporary user-data-dir of its own
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
    });
    after(async () => browser?.close());

    async function open(file: string): Promise<void> {
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      consoleErrors = [];
      requests = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    }
    afterEach(async () => page?.close());

    /** The section element of the file whose name is `name`. */
    function fileSection(name: string) {
      return page.locator('section.file').filter({ has: page.locator('h2 .fname', { hasText: name }) });
    }

    async function highlighted(): Promise<number[]> {
      return page.$$eval('.hexmap .b.hl', (els) => els.map((e) => Number(e.getAttribute('data-offset'))));
    }

    const range = (o: number, n: number): number[] => Array.from({ length: n }, (_, i) => o + i);

    it('renders without console errors or network requests, one cell per byte, coloured by region', async function () {
      const expected = jsonReport([corrupt, hostile]);
      await open(page1());
      expect(consoleErrors).to.deep.equal([]);
      expect(requests).to.deep.equal([pathToFileURL(page1()).href]);

      for (const f of expected) {
        const sec = fileSection(f.file);
        expect(await sec.count(), f.file).to.equal(1);
        const offsets = await sec.locator('.hexmap .b').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-offset'))));
        expect(offsets, `${f.file}: one cell per section byte`).to.deep.equal(range(0, f.section!.size));
        // every diagnostic is a button with its byte range, and its bytes carry the marker
        const buttons = await sec.locator('button.diag').evaluateAll((els) => els.map((e) => ({ rule: e.getAttribute('data-rule'), offset: Number(e.getAttribute('data-offset')), length: Number(e.getAttribute('data-length')) })));
        expect(buttons).to.deep.equal(f.diagnostics.map((d) => ({ rule: d.rule, offset: d.offset, length: d.length })));
        const marked = new Set(await sec.locator('.hexmap .b[class*="dm-"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-offset')))));
        const inDiag = new Set(f.diagnostics.flatMap((d) => range(d.offset, d.length)));
        expect([...marked].sort((a, b) => a - b)).to.deep.equal([...inDiag].sort((a, b) => a - b));
      }

      // colours: a header byte and a names byte differ; so do index, entries, file table
      const sec = fileSection(corrupt);
      const regions = await sec.locator('tr.region').evaluateAll((els) => els.map((e) => ({ kind: e.getAttribute('data-kind')!, offset: Number(e.getAttribute('data-offset')) })));
      expect(regions.map((r) => r.kind)).to.include.members(['header', 'index', 'entries', 'file_table', 'names']);
      const bg = async (offset: number): Promise<string> => sec.locator(`.hexmap .b[data-offset="${offset}"]`).evaluate((e) => getComputedStyle(e).backgroundColor);
      const colour = new Map<string, string>();
      for (const r of regions) if (!colour.has(r.kind)) colour.set(r.kind, await bg(r.offset));
      expect(colour.get('header')).not.to.equal(colour.get('names'));
      expect(new Set(['header', 'index', 'entries', 'file_table', 'names'].map((k) => colour.get(k))).size).to.equal(5);

      // a marked byte shows its marker (an inset underline)
      const shadow = await sec.locator('.hexmap .b[data-offset="12"]').evaluate((e) => getComputedStyle(e).boxShadow);
      expect(shadow).not.to.equal('none');

      // hovering a byte names its region and offsets
      const namesAt = regions.find((r) => r.kind === 'names')!.offset;
      await sec.locator(`.hexmap .b[data-offset="${namesAt + 2}"]`).hover();
      const title = await sec.locator(`.hexmap .b[data-offset="${namesAt + 2}"]`).getAttribute('title');
      expect(title).to.contain('filenames (names) +0x2');
      expect(title).to.contain(`section 0x${(namesAt + 2).toString(16)}`);
    });

    it('highlights exactly the bytes of the chosen diagnostic, moves the highlight, scrolls to it', async function () {
      const [corruptReport, helloReport] = jsonReport([corrupt, hostile]);
      await open(page1());
      const sec = fileSection(corrupt);
      const hdr = corruptReport!.diagnostics.find((d) => d.rule === 'LI-HDR-002')!;
      const ent = corruptReport!.diagnostics.find((d) => d.rule === 'LI-ENT-001')!;
      expect([hdr.offset, hdr.length]).to.deep.equal([12, 4]);

      const before12 = await sec.locator('.hexmap .b[data-offset="12"]').evaluate((e) => getComputedStyle(e).backgroundColor);
      await sec.locator('button.diag[data-rule="LI-HDR-002"]').click();
      expect(await highlighted()).to.deep.equal(range(hdr.offset, hdr.length));
      expect(await sec.locator('button.diag[data-rule="LI-HDR-002"]').getAttribute('aria-pressed')).to.equal('true');
      const after12 = await sec.locator('.hexmap .b[data-offset="12"]').evaluate((e) => getComputedStyle(e).backgroundColor);
      expect(after12).not.to.equal(before12);

      await sec.locator('button.diag[data-rule="LI-ENT-001"]').click();
      expect(await highlighted()).to.deep.equal(range(ent.offset, ent.length));
      expect(await sec.locator('button.diag[data-rule="LI-HDR-002"]').getAttribute('aria-pressed')).to.equal('false');
      expect(await sec.locator('.inspect').textContent()).to.contain('LI-ENT-001');

      // the LI-ALN-001 warning of hello.ko, further down the page: highlighted and scrolled into view
      const aln = helloReport!.diagnostics.find((d) => d.rule === 'LI-ALN-001');
      if (aln) {
        const hello = fileSection(hostile);
        await hello.locator('button.diag[data-rule="LI-ALN-001"]').click();
        expect(await highlighted()).to.deep.equal(range(aln.offset, aln.length));
        const inView = await hello.locator(`.hexmap .b[data-offset="${aln.offset}"]`).evaluate((e) => {
          const r = e.getBoundingClientRect();
          return r.top >= 0 && r.bottom <= window.innerHeight;
        });
        expect(inView).to.equal(true);
        await page.screenshot({ path: SCREENSHOT });
      }
      expect(consoleErrors).to.deep.equal([]);
    });

    it('shows hostile file names as text and lists files without a table', async function () {
      await open(page1());
      expect(await page.locator('img').count()).to.equal(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).to.equal(undefined);
      const names = await page.locator('.fname').allTextContents();
      expect(names).to.include(hostile);
      const problems = await page.locator('section.problems li').allTextContents();
      expect(problems.some((t) => t.includes('hello.o') && t.includes('no lineinfo tables'))).to.equal(true);
      expect(problems.some((t) => t.includes(unreadable))).to.equal(true);
      expect(await page.locator('section.problems b').count()).to.equal(0);
      expect(consoleErrors).to.deep.equal([]);
    });

    it('elides a big section to 64 KiB and still highlights a diagnostic past the start', async function () {
      await open(page2());
      expect(consoleErrors).to.deep.equal([]);
      expect(requests).to.deep.equal([pathToFileURL(page2()).href]);
      const cells = await page.locator('.hexmap .b').count();
      expect(cells).to.be.within(HTML_MAP_LIMIT - 15, HTML_MAP_LIMIT);
      expect(await page.locator('.hexmap .gap').count()).to.be.greaterThan(0);
      const note = await page.locator('p.elided').textContent();
      expect(note).to.contain('64 KiB');
      expect(note).to.contain(`The map shows ${cells} bytes of`);
      const btn = page.locator('button.diag[data-rule="LI-ENT-003"]');
      const offset = Number(await btn.getAttribute('data-offset'));
      const length = Number(await btn.getAttribute('data-length'));
      expect(offset).to.be.greaterThan(HTML_MAP_LIMIT);
      await btn.click();
      expect(await highlighted()).to.deep.equal(range(offset, length));
      await page.screenshot({ path: SCREENSHOT.replace('.png', '-big.png') });
    });
  });
});

/**
 * The HTML validation report: one self-contained page (inline CSS and JS, no network, no
 * external fonts) with, per file that has a table, its facts, a legend, the diagnostics and the
 * section as a hex map whose bytes are coloured by region. Clicking a diagnostic highlights
 * exactly its byte range in the map. Files without a table, and unreadable files, are listed with
 * their problem.
 *
 * Every string that comes from the input (file and section names, messages, bytes shown as
 * ASCII) is escaped; the page's markup depends only on this module.
 */
import { VERSION } from '../package-root.js';
import { RULES } from '../rules/catalogue.js';
import type { Rule, Severity } from '../rules/catalogue.js';
import type { Diagnostic } from './diagnostics.js';
import { summarise } from './report-text.js';
import type { FileReport } from './validate-file.js';

/** The hex map renders at most this many bytes of one file's section. */
export const HTML_MAP_LIMIT = 64 * 1024;

const ROW = 16;
/** Always shown first: the header and the start of the first arrays. */
const START_BYTES = 1024;
/** Bytes shown before and after a diagnostic's range. */
const CONTEXT_BYTES = 128;
/** Of a long diagnostic range, this many bytes from its start (and 256 from its end) are shown. */
const LONG_RANGE_BYTES = 2048;
/** Bytes shown from the start of each region, so every region appears in the map. */
const REGION_START_BYTES = 256;

const KINDS: readonly { kind: string; label: string }[] = [
  { kind: 'header', label: 'header' },
  { kind: 'index', label: 'index (addresses, block offsets)' },
  { kind: 'entries', label: 'entries (file ids, lines)' },
  { kind: 'stream', label: 'entry stream (compressed blocks)' },
  { kind: 'file_table', label: 'file table (name offsets)' },
  { kind: 'names', label: 'file names' },
  { kind: 'padding', label: 'alignment padding' },
  { kind: 'trailing', label: 'trailing bytes' },
  { kind: 'none', label: 'not described by the header' },
];
const KNOWN_KINDS = new Set(KINDS.map((k) => k.kind));

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'note'];
const RULE_BY_ID = new Map<string, Rule>(RULES.map((r) => [r.id, r]));

type Region = FileReport['regions'][number];

/** Escapes text for element content and for double-quoted attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

const hx = (n: number): string => `0x${n.toString(16)}`;
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** Escaped text with `code` spans (as the rule summaries use) set in <code>. */
function withCode(s: string): string {
  return esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function kindClass(kind: string): string {
  return KNOWN_KINDS.has(kind) ? kind : 'none';
}

function rangeText(offset: number, length: number): string {
  return length > 0 ? `${hx(offset)}..${hx(offset + length - 1)} (${plural(length, 'byte')})` : `${hx(offset)} (no bytes)`;
}

/** Half-open byte ranges [start, end) of the section that the map shows, sorted and disjoint. */
export function shownRanges(size: number, diagnostics: readonly Diagnostic[], regions: readonly Region[], limit = HTML_MAP_LIMIT): [number, number][] {
  const rows = Math.ceil(size / ROW);
  const budgetRows = Math.floor(limit / ROW);
  if (rows <= budgetRows) return size > 0 ? [[0, size]] : [];
  const chosen = new Uint8Array(rows);
  let left = budgetRows;
  const add = (start: number, end: number): void => {
    const first = Math.max(0, Math.floor(Math.max(0, start) / ROW));
    const last = Math.min(rows, Math.ceil(Math.min(size, end) / ROW));
    for (let r = first; r < last && left > 0; r++) {
      if (!chosen[r]) {
        chosen[r] = 1;
        left--;
      }
    }
  };
  add(0, START_BYTES);
  const bySeverity = [...diagnostics].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.offset - b.offset);
  for (const d of bySeverity) {
    const len = Math.max(d.length, 1);
    add(d.offset - CONTEXT_BYTES, d.offset + Math.min(len, LONG_RANGE_BYTES) + CONTEXT_BYTES);
    if (len > LONG_RANGE_BYTES) add(d.offset + len - 256, d.offset + len + CONTEXT_BYTES);
  }
  for (const r of regions) add(r.offset - 32, r.offset + REGION_START_BYTES);
  add(0, size); // what is left of the budget: the map from the start on
  const out: [number, number][] = [];
  for (let r = 0; r < rows; r++) {
    if (!chosen[r]) continue;
    const start = r * ROW;
    const end = Math.min(size, start + ROW);
    const lastRange = out[out.length - 1];
    if (lastRange && lastRange[1] === start) lastRange[1] = end;
    else out.push([start, end]);
  }
  return out;
}

function regionAt(sorted: readonly Region[], offset: number): Region | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.offset <= offset) lo = mid + 1;
    else hi = mid;
  }
  const r = sorted[lo - 1];
  return r && offset < r.offset + r.size ? r : undefined;
}

/** Per byte of [start, end): the rank (1 note, 2 warning, 3 error) of the most severe diagnostic covering it. */
function diagnosticMarks(start: number, end: number, diagnostics: readonly Diagnostic[]): Uint8Array {
  const n = end - start;
  const diff = SEVERITIES.map(() => new Int32Array(n + 1));
  for (const d of diagnostics) {
    const a = Math.max(start, d.offset);
    const b = Math.min(end, d.offset + d.length);
    if (a >= b) continue;
    const arr = diff[SEVERITIES.indexOf(d.severity)]!;
    arr[a - start]!++;
    arr[b - start]!--;
  }
  const marks = new Uint8Array(n);
  const running = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < 3; s++) running[s]! += diff[s]![i]!;
    marks[i] = running[0]! > 0 ? 3 : running[1]! > 0 ? 2 : running[2]! > 0 ? 1 : 0;
  }
  return marks;
}

const MARK_CLASS = ['', ' dm-note', ' dm-warning', ' dm-error'];

function asciiOf(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? esc(String.fromCharCode(byte)) : '.';
}

function regionsOverlapping(sorted: readonly Region[], start: number, end: number): string {
  const names = sorted.filter((r) => r.offset < end && r.offset + r.size > start).map((r) => r.name);
  return names.length ? `: ${names.join(', ')}` : '';
}

function hexMap(r: FileReport, sorted: readonly Region[], ranges: readonly [number, number][]): string {
  const bytes = r.bytes!;
  const size = bytes.length;
  const out: string[] = [];
  let prevEnd = 0;
  const gap = (a: number, b: number): void => {
    out.push(`<div class="gap" data-offset="${a}" data-length="${b - a}">… ${hx(a)}..${hx(b - 1)}: ${plural(b - a, 'byte')} not shown${esc(regionsOverlapping(sorted, a, b))}</div>`);
  };
  for (const [start, end] of ranges) {
    if (start > prevEnd) gap(prevEnd, start);
    const marks = diagnosticMarks(start, end, r.diagnostics);
    for (let row = start; row < end; row += ROW) {
      const rowEnd = Math.min(end, row + ROW);
      let cells = '';
      let ascii = '';
      for (let i = row; i < rowEnd; i++) {
        const b = bytes[i]!;
        const region = regionAt(sorted, i);
        cells += `<span class="b k-${kindClass(region?.kind ?? 'none')}${MARK_CLASS[marks[i - start]!]}" data-offset="${i}">${b.toString(16).padStart(2, '0')}</span>`;
        ascii += asciiOf(b);
      }
      out.push(`<div class="row"><span class="off">${row.toString(16).padStart(8, '0')}</span><span class="bytes">${cells}</span><span class="ascii">${ascii}</span></div>`);
    }
    prevEnd = end;
  }
  if (prevEnd < size) gap(prevEnd, size);
  return out.join('\n');
}

function diagnosticItem(d: Diagnostic, fileIndex: number, i: number): string {
  const rule = RULE_BY_ID.get(d.rule);
  const summary = rule ? `<span class="summary">${d.level === 'SHOULD' ? 'should' : 'must'}: ${withCode(rule.summary)}</span>` : '';
  return `<li><button type="button" class="diag sev-${esc(d.severity)}" id="f${fileIndex}-d${i}" aria-pressed="false" data-offset="${d.offset}" data-length="${d.length}" data-rule="${esc(d.rule)}">`
    + `<span class="line1"><span class="sev">${esc(d.severity)}</span> <span class="rule">${esc(d.rule)}</span> <span class="field">${esc(d.field)}</span></span>`
    + `<span class="where">section ${rangeText(d.offset, d.length)}, file ${hx(d.fileOffset)}</span>`
    + `<span class="msg">${esc(d.message)}</span>${summary}</button></li>`;
}

function fileSection(r: FileReport, index: number): string {
  const sec = r.section!;
  const bytes = r.bytes!;
  const sorted = [...r.regions].sort((a, b) => a.offset - b.offset);
  const ranges = shownRanges(bytes.length, r.diagnostics, sorted);
  const shown = ranges.reduce((n, [a, b]) => n + b - a, 0);
  const counts = SEVERITIES.map((s) => r.diagnostics.filter((d) => d.severity === s).length);
  const kindBytes = new Map<string, number>();
  let covered = 0;
  for (const reg of sorted) {
    kindBytes.set(kindClass(reg.kind), (kindBytes.get(kindClass(reg.kind)) ?? 0) + reg.size);
    covered += reg.size;
  }
  if (covered < bytes.length) kindBytes.set('none', (kindBytes.get('none') ?? 0) + bytes.length - covered);
  const legend = KINDS.filter((k) => kindBytes.has(k.kind))
    .map((k) => `<li><span class="swatch k-${k.kind}" aria-hidden="true"></span>${esc(k.label)} <span class="dim">(${plural(kindBytes.get(k.kind)!, 'byte')})</span></li>`)
    .join('');
  const regionRows = sorted
    .map((reg) => `<tr class="region" data-kind="${esc(kindClass(reg.kind))}" data-name="${esc(reg.name)}" data-offset="${reg.offset}" data-length="${reg.size}"><td><span class="swatch k-${kindClass(reg.kind)}" aria-hidden="true"></span>${esc(reg.kind)}</td><td>${esc(reg.name)}</td><td>${hx(reg.offset)}</td><td>${reg.size}</td></tr>`)
    .join('');
  const how = r.detected ? (r.status === 'invalid' ? ' (detected; no layout fits without errors, the closest is shown)' : ' (detected)') : ' (as requested)';
  const also = r.alsoFits.length ? `<dt>also fits</dt><dd>${esc(r.alsoFits.map((a) => `${a.layout}/${a.endian}`).join(', '))}</dd>` : '';
  const elided = shown < bytes.length
    ? `<p class="elided">The map shows ${plural(shown, 'byte')} of ${bytes.length}: the start of the section, the bytes around every diagnostic and the start of every region, up to the limit of ${HTML_MAP_LIMIT / 1024} KiB per file; the rows marked “not shown” are left out.</p>`
    : '';
  const diags = r.diagnostics.length
    ? `<ol class="diags">${r.diagnostics.map((d, i) => diagnosticItem(d, index, i)).join('')}</ol>`
    : '<p class="ok">No diagnostics: the table satisfies every rule checked.</p>';
  return `<section class="file status-${esc(r.status)}" id="file-${index}" data-file-offset="${sec.fileOffset}" data-size="${bytes.length}">
<h2><span class="badge status-${esc(r.status)}">${esc(r.status)}</span> <span class="fname">${esc(r.file)}</span></h2>
<dl class="facts">
<dt>section</dt><dd>${esc(sec.name ?? 'raw table')}, ${plural(sec.size, 'byte')} at file offset ${hx(sec.fileOffset)}</dd>
<dt>layout</dt><dd>${esc(r.layout ?? '?')}${r.container ? ` (${esc(r.container)})` : ''}${how}</dd>
<dt>byte order</dt><dd>${r.endian === 'be' ? 'big-endian' : 'little-endian'}</dd>${also}
<dt>diagnostics</dt><dd>${plural(counts[0]!, 'error')}, ${plural(counts[1]!, 'warning')}, ${plural(counts[2]!, 'note')}</dd>
<dt>regions</dt><dd>${plural(sorted.length, 'region')}</dd>
</dl>
<h3>Legend</h3>
<ul class="legend">${legend}<li><span class="swatch dm-sample" aria-hidden="true"></span>underlined: bytes a diagnostic points at</li><li><span class="swatch hl-sample" aria-hidden="true"></span>the selected diagnostic's bytes</li></ul>
<details class="regions"><summary>Regions</summary><table><thead><tr><th>kind</th><th>name</th><th>offset</th><th>size</th></tr></thead><tbody>${regionRows}</tbody></table></details>
<h3>Diagnostics</h3>
${diags}
<h3>Hex map</h3>
${elided}<p class="inspect" aria-live="polite">Point at a byte for its region and offsets; choose a diagnostic to highlight its bytes.</p>
<div class="hexmap">${bytes.length ? hexMap(r, sorted, ranges) : '<p>The section is empty.</p>'}</div>
</section>`;
}

const CSS = `
:root{--fg:#1a1a1a;--dim:#5a5a5a;--bg:#fff;--line:#d6d6d6;--err:#b3001b;--warn:#8a5300;--note:#1f5fbf;
--k-header:#f4b183;--k-index:#9dc3e6;--k-entries:#a9d18e;--k-stream:#a9d18e;--k-file_table:#cdb6ea;--k-names:#ffe28a;--k-padding:#d4d4d4;--k-trailing:#f0908a;--k-none:#ffffff}
*{box-sizing:border-box}
body{margin:0;padding:1rem 1.5rem 3rem;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:1.5rem;margin:.2rem 0 .5rem}h2{font-size:1.2rem;margin:0 0 .5rem;word-break:break-all}h3{font-size:1rem;margin:1rem 0 .4rem}
code,.off,.bytes,.ascii,.rule,.field,.where,.fname,.gap{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace}
.dim{color:var(--dim)}
.summary-table td{padding:0 1rem 0 0}
nav ul{margin:.3rem 0;padding-left:1.2rem}
section.file,section.problems{border:1px solid var(--line);border-radius:6px;padding:1rem;margin:1rem 0}
.badge{display:inline-block;font:600 .75rem/1.6 system-ui,sans-serif;text-transform:uppercase;padding:0 .45rem;border-radius:3px;color:#fff;background:#555;vertical-align:middle}
.badge.status-valid{background:#2b6e2b}.badge.status-invalid{background:var(--err)}.badge.status-no-table{background:#666}.badge.status-unreadable{background:#7a1f5c}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.3rem 0}dl.facts dt{color:var(--dim)}dl.facts dd{margin:0}
ul.legend{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem}
.swatch{display:inline-block;width:1.1em;height:1.1em;border:1px solid #777;vertical-align:-.2em;margin-right:.35em}
.k-header{background:var(--k-header)}.k-index{background:var(--k-index)}.k-entries{background:var(--k-entries)}.k-stream{background:var(--k-stream)}
.k-file_table{background:var(--k-file_table)}.k-names{background:var(--k-names)}
.k-padding{background:repeating-linear-gradient(135deg,var(--k-padding) 0 3px,#eee 3px 6px)}
.k-trailing{background:var(--k-trailing)}.k-none{background:var(--k-none);outline:1px dashed #999;outline-offset:-1px}
.swatch.dm-sample{background:#fff;box-shadow:inset 0 -3px 0 var(--err)}.swatch.hl-sample{background:#111;border-color:#111}
details.regions table{border-collapse:collapse;margin:.4rem 0}details.regions td,details.regions th{padding:.1rem .8rem .1rem 0;text-align:left}
ol.diags{list-style:none;padding:0;margin:0;display:grid;gap:.35rem}
button.diag{display:block;width:100%;text-align:left;font:inherit;color:inherit;background:#fafafa;border:1px solid var(--line);border-left:5px solid #888;border-radius:4px;padding:.35rem .6rem;cursor:pointer}
button.diag:hover{background:#f0f4fa}button.diag:focus-visible{outline:3px solid #1f5fbf;outline-offset:1px}
button.diag[aria-pressed=true]{background:#e6eefb;border-color:#1f5fbf}
button.diag>span{display:block}
.sev-error{border-left-color:var(--err)!important}.sev-warning{border-left-color:var(--warn)!important}.sev-note{border-left-color:var(--note)!important}
.sev{font-weight:700;text-transform:uppercase;font-size:.8rem}.sev-error .sev{color:var(--err)}.sev-warning .sev{color:var(--warn)}.sev-note .sev{color:var(--note)}
.rule{font-weight:700}.where{color:var(--dim);font-size:.9rem}.summary{color:var(--dim);font-size:.9rem;font-style:italic}
.inspect{min-height:1.5em;margin:.3rem 0;padding:.2rem .5rem;background:#f4f4f4;border-radius:4px;font-size:.9rem}
.elided{margin:.3rem 0;padding:.3rem .5rem;border-left:4px solid var(--warn);background:#fff8ec}
.hexmap{max-height:70vh;overflow:auto;border:1px solid var(--line);border-radius:4px;padding:.4rem .6rem;font-size:13px;line-height:1.6}
.row{white-space:nowrap}
.off{color:var(--dim);display:inline-block;width:10ch;user-select:none}
.bytes{display:inline-block;width:calc(16 * 2.6ch + 1ch);vertical-align:top}
.b{display:inline-block;width:2.4ch;margin-right:.2ch;text-align:center;color:#111;border-radius:2px;cursor:default}
.b:nth-child(8){margin-right:1.2ch}
.dm-note{box-shadow:inset 0 -2px 0 var(--note)}.dm-warning{box-shadow:inset 0 -2px 0 var(--warn)}.dm-error{box-shadow:inset 0 -2px 0 var(--err)}
.b.hl{background:#111;color:#fff;outline:2px solid #111;box-shadow:none}
.b.caret{box-shadow:inset 3px 0 0 #111}
.ascii{color:var(--dim);white-space:pre;margin-left:1ch}
.gap{color:var(--warn);font-size:.85rem;padding:.15rem 0;border-top:1px dashed var(--line);border-bottom:1px dashed var(--line);margin:.15rem 0}
.problems li{margin:.3rem 0}.problems .fname{font-weight:600}
footer{margin-top:2rem;color:var(--dim);font-size:.85rem}
@media (prefers-reduced-motion:reduce){*{scroll-behavior:auto!important}}
`;

/** The page's behaviour: highlight on click, tooltips on hover. No network, no globals. */
const JS = `
(function () {
  'use strict';
  var hx = function (n) { return '0x' + n.toString(16); };
  function num(el, name) { return Number(el.getAttribute('data-' + name)); }
  // one selection for the whole page: choosing a diagnostic of any file moves it
  var lit = [];
  var pressed = null;
  function clear() {
    lit.forEach(function (c) { c.classList.remove('hl'); c.classList.remove('caret'); });
    lit = [];
    if (pressed) pressed.setAttribute('aria-pressed', 'false');
    pressed = null;
  }
  function setup(sec) {
    var fileOffset = num(sec, 'file-offset');
    var regions = Array.prototype.map.call(sec.querySelectorAll('tr.region'), function (tr) {
      return { kind: tr.getAttribute('data-kind'), name: tr.getAttribute('data-name'), offset: num(tr, 'offset'), length: num(tr, 'length') };
    });
    var buttons = Array.prototype.slice.call(sec.querySelectorAll('button.diag'));
    var inspect = sec.querySelector('.inspect');
    var cells = null;
    function cellAt(offset) {
      if (!cells) {
        cells = new Map();
        sec.querySelectorAll('.hexmap .b').forEach(function (c) { cells.set(num(c, 'offset'), c); });
      }
      return cells.get(offset);
    }
    function select(button) {
      clear();
      pressed = button;
      button.setAttribute('aria-pressed', 'true');
      var offset = num(button, 'offset'), length = num(button, 'length');
      var shown = 0, first = null;
      for (var i = offset; i < offset + length; i++) {
        var c = cellAt(i);
        if (!c) continue;
        c.classList.add('hl');
        lit.push(c);
        if (!first) first = c;
        shown++;
      }
      if (length === 0) {
        first = cellAt(offset) || cellAt(offset - 1) || null;
        if (first) { first.classList.add('caret'); lit.push(first); }
      }
      var rule = button.getAttribute('data-rule');
      var text;
      if (length === 0) text = rule + ' points at ' + hx(offset) + ' and covers no bytes' + (first ? ' (marked by a bar)' : '') + '.';
      else if (shown === length) text = rule + ': ' + length + ' byte(s) ' + hx(offset) + '..' + hx(offset + length - 1) + ' highlighted.';
      else text = rule + ': ' + shown + ' of ' + length + ' byte(s) ' + hx(offset) + '..' + hx(offset + length - 1) + ' are in the map; the rest are in rows not shown.';
      inspect.textContent = text;
      if (first) first.scrollIntoView({ block: 'center', inline: 'nearest' });
    }
    sec.addEventListener('click', function (ev) {
      var b = ev.target instanceof Element ? ev.target.closest('button.diag') : null;
      if (!b) return;
      if (b.getAttribute('aria-pressed') === 'true') { clear(); inspect.textContent = 'Highlight cleared.'; return; }
      select(b);
    });
    function describe(cell) {
      var offset = num(cell, 'offset');
      var region = null;
      for (var i = 0; i < regions.length; i++) {
        var r = regions[i];
        if (offset >= r.offset && offset < r.offset + r.length) region = r;
      }
      var where = region ? region.name + ' (' + region.kind + ') +' + hx(offset - region.offset) : 'not described by the header';
      var rules = buttons.filter(function (b) {
        var o = num(b, 'offset'), l = num(b, 'length');
        return offset >= o && offset < o + l;
      }).map(function (b) { return b.getAttribute('data-rule'); });
      return where + ', section ' + hx(offset) + ', file ' + hx(fileOffset + offset) + ', byte 0x' + cell.textContent
        + (rules.length ? '; ' + rules.filter(function (r, i) { return rules.indexOf(r) === i; }).join(', ') : '');
    }
    var map = sec.querySelector('.hexmap');
    if (map) map.addEventListener('mouseover', function (ev) {
      var cell = ev.target instanceof Element ? ev.target.closest('.b') : null;
      if (!cell) return;
      var text = describe(cell);
      if (!cell.hasAttribute('title')) cell.setAttribute('title', text);
      inspect.textContent = text;
    });
  }
  document.querySelectorAll('section.file').forEach(setup);
})();
`;

export function htmlReport(reports: readonly FileReport[]): string {
  const s = summarise(reports);
  const withTable = reports.map((r, i) => ({ r, i })).filter(({ r }) => r.problem === null && r.section !== null && r.bytes !== null);
  const without = reports.filter((r) => !(r.problem === null && r.section !== null && r.bytes !== null));
  const rows: [string, number][] = [
    ['files', s.files], ['valid', s.valid], ['with errors', s.invalid], ['without a lineinfo table', s.noTable],
    ['unreadable', s.unreadable], ['errors', s.errors], ['warnings', s.warnings], ['notes', s.notes],
  ];
  const nav = withTable.length > 1
    ? `<nav><h2>Files</h2><ul>${withTable.map(({ r, i }) => `<li><a href="#file-${i}"><span class="fname">${esc(r.file)}</span></a> <span class="dim">${esc(r.status)}, ${plural(r.diagnostics.length, 'diagnostic')}</span></li>`).join('')}</ul></nav>`
    : '';
  const problems = without.length
    ? `<section class="problems"><h2>Files without a table or unreadable</h2><ul>${without
      .map((r) => `<li><span class="badge status-${esc(r.status)}">${esc(r.status)}</span> <span class="fname">${esc(r.file)}</span>: ${r.problemOffset === null ? '' : `at ${hx(r.problemOffset)}: `}${esc(r.problem ?? 'no table')}</li>`)
      .join('')}</ul></section>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>lineinfo validate: ${plural(s.files, 'file')}, ${plural(s.errors, 'error')}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>lineinfo validation report</h1>
<table class="summary-table"><tbody>${rows.map(([k, v]) => `<tr><td>${k}</td><td>${v}</td></tr>`).join('')}</tbody></table>
<p class="dim">Each file's section is shown as a hex map, 16 bytes a row, every byte coloured by the region of the layout it belongs to. Choose a diagnostic to highlight the bytes it points at. The map of one file shows at most ${HTML_MAP_LIMIT / 1024} KiB (${HTML_MAP_LIMIT} bytes): for larger sections it shows the start, the bytes around each diagnostic and the start of each region, and says which rows it leaves out.</p>
</header>
${nav}
${withTable.map(({ r, i }) => fileSection(r, i)).join('\n')}
${problems}
<footer>Written by lineinfo-kit ${esc(VERSION)} (lineinfo validate --html). Rules: spec/FORMAT.md.</footer>
<script>${JS}</script>
</body>
</html>
`;
}

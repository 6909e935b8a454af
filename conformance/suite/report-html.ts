/**
 * A self-contained HTML page (inline CSS, no scripts, no external links) with every failing case
 * of a conformance run: the outcome, the reason, the offending query, and a hex map of the section
 * coloured by part (header, index, stream, file table, names...) with the offending bytes marked:
 * the out-of-bounds offset, the returned name, and the bytes the broken rules point at.
 */
import { layoutById } from '../../tools/revisions/registry.js';
import type { Finding, Region, RegionKind } from '../../tools/revisions/layout.js';
import type { CaseResult, ConformanceRun } from '../runner.js';
import type { Highlight } from './judge.js';
import { categories } from './report-text.js';

export function htmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const KIND_LABEL: Record<RegionKind, string> = {
  header: 'header', index: 'index / addresses', entries: 'entry arrays', stream: 'entry stream', file_table: 'file_offsets',
  names: 'name table', padding: 'padding', trailing: 'trailing bytes',
};

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#1d1d1f;background:#fff}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ddd}
table.sum{border-collapse:collapse}table.sum td,table.sum th{padding:2px 10px;border-bottom:1px solid #eee;text-align:right}
table.sum td:first-child,table.sum th:first-child{text-align:left}
.ok{color:#0a7d28;font-weight:bold}.bad{color:#c21a1a;font-weight:bold}.xf{color:#8a5a00}
.case{margin:1.2em 0 2em;padding:.6em 1em;border-left:4px solid #c21a1a;background:#fcfcfc}
.case.expected{border-left-color:#d99b00}
.meta{color:#555}.meta code{color:#1d1d1f}
pre.hex{font:12px/1.35 ui-monospace,Menlo,Consolas,monospace;overflow-x:auto;background:#fafafa;padding:.5em;border:1px solid #eee}
.hex .o{color:#888}.hex .gap{color:#aaa}
.k-header{background:#dde7ff}.k-index{background:#e4f4e4}.k-entries{background:#eef7d9}.k-stream{background:#fff0d6}
.k-file_table{background:#f2e3ff}.k-names{background:#ffe3ef}.k-padding{background:#eee}.k-trailing{background:#ddd}
.f{text-decoration:underline wavy #e07b00}
.h{background:#c21a1a!important;color:#fff;font-weight:bold;outline:1px solid #7a0000}
.legend span{display:inline-block;padding:0 .5em;margin-right:.4em;border:1px solid #ddd;font-size:12px}
ul.find{margin:.3em 0}ul.find li{font-size:13px}
`;

interface Mark {
  readonly kind: 'highlight' | 'finding';
  readonly offset: number;
  readonly length: number;
}

const FULL_DUMP_LIMIT = 1024;

function hexMap(section: Uint8Array, regions: readonly Region[], marks: readonly Mark[]): string {
  const size = section.length;
  if (size === 0) return '<pre class="hex">(empty section: 0 bytes)</pre>';
  const kindAt = new Array<RegionKind | null>(size).fill(null);
  for (const r of regions) for (let i = Math.max(0, r.offset); i < Math.min(size, r.offset + r.size); i++) kindAt[i] = r.kind;
  const hl = new Uint8Array(size);
  for (const m of marks) {
    const from = Math.max(0, m.offset);
    const to = Math.min(size, m.offset + Math.max(1, m.length));
    for (let i = from; i < to; i++) hl[i] = Math.max(hl[i]!, m.kind === 'highlight' ? 2 : 1);
  }
  const rows = Math.ceil(size / 16);
  const show = new Uint8Array(rows);
  if (size <= FULL_DUMP_LIMIT) show.fill(1);
  else {
    for (let r = 0; r < Math.min(rows, 4); r++) show[r] = 1;
    for (let i = 0; i < size; i++) {
      if (hl[i]) {
        const row = i >> 4;
        for (let r = Math.max(0, row - 2); r <= Math.min(rows - 1, row + 2); r++) show[r] = 1;
        i = Math.min(size - 1, (row + 1) * 16 - 1);
      }
    }
    for (const r of regions) if (r.offset < size) show[r.offset >> 4] = 1;
    show[rows - 1] = 1;
  }
  const lines: string[] = [];
  let skipped = 0;
  for (let row = 0; row < rows; row++) {
    if (!show[row]) {
      skipped++;
      continue;
    }
    if (skipped) {
      lines.push(`<span class="gap">          ... ${skipped * 16} bytes not shown ...</span>`);
      skipped = 0;
    }
    let text = `<span class="o">${(row * 16).toString(16).padStart(8, '0')}</span>  `;
    let ascii = '';
    for (let i = row * 16; i < row * 16 + 16; i++) {
      if (i >= size) {
        text += '   ';
        continue;
      }
      const b = section[i]!;
      const cls = [kindAt[i] ? `k-${kindAt[i]}` : '', hl[i] === 2 ? 'h' : hl[i] === 1 ? 'f' : ''].filter(Boolean).join(' ');
      text += `<span class="${cls}">${b.toString(16).padStart(2, '0')}</span> `;
      ascii += b >= 0x20 && b < 0x7f ? htmlEscape(String.fromCharCode(b)) : '.';
    }
    lines.push(`${text} ${ascii}`);
  }
  if (skipped) lines.push(`<span class="gap">          ... ${skipped * 16} bytes not shown ...</span>`);
  return `<pre class="hex">${lines.join('\n')}</pre>`;
}

function findingsOf(r: CaseResult): { regions: readonly Region[]; findings: readonly Finding[] } {
  try {
    const m = layoutById(r.layout).read(r.section, r.endian);
    return { regions: m.regions, findings: m.findings };
  } catch {
    return { regions: [], findings: [] };
  }
}

function caseHtml(r: CaseResult): string {
  const { regions, findings } = findingsOf(r);
  const shownFindings = findings.slice(0, 12);
  const marks: Mark[] = [
    ...shownFindings.map((f) => ({ kind: 'finding' as const, offset: f.offset, length: f.length })),
    ...r.highlights.map((h: Highlight) => ({ kind: 'highlight' as const, offset: h.offset, length: h.length })),
  ];
  const q = r.query === undefined ? undefined : r.queries[r.query];
  const outside = r.highlights.filter((h) => h.offset >= r.section.length || h.offset < 0);
  const parts: string[] = [];
  parts.push(`<div class="case${r.expectedFailure ? ' expected' : ''}" id="${htmlEscape(r.id)}">`);
  parts.push(`<h3><code>${htmlEscape(r.id)}</code> &mdash; <span class="${r.expectedFailure ? 'xf' : 'bad'}">${htmlEscape(r.category)}${r.expectedFailure ? ' (expected failure)' : ''}</span></h3>`);
  parts.push(`<p>${htmlEscape(r.reason)}</p>`);
  parts.push(`<p class="meta">${htmlEscape(r.description)}<br>layout <code>${r.layout}</code>, ${r.endian === 'le' ? 'little' : 'big'}-endian, ${r.section.length} bytes, ${r.kind}` +
    `${r.rules.length ? `; rules <code>${r.rules.map(htmlEscape).join(', ')}</code>` : ''}${r.weaknesses.length ? `; weaknesses <code>${r.weaknesses.join(', ')}</code>` : ''}` +
    `${q ? `; query #${r.query}: offset <code>0x${q.offset.toString(16)}</code>${q.symbolStart === undefined ? '' : `, symbol start <code>0x${q.symbolStart.toString(16)}</code>`}` : ''}</p>`);
  for (const h of outside) parts.push(`<p class="meta">${htmlEscape(h.label)} at <code>0x${h.offset.toString(16)}</code>: ${h.offset >= r.section.length ? `past the end of the section (its ${r.section.length} bytes are 0x0 to 0x${Math.max(0, r.section.length - 1).toString(16)})` : 'before the start of the section'}</p>`);
  if (shownFindings.length) {
    parts.push(`<ul class="find">${shownFindings.map((f) => `<li><code>${htmlEscape(f.rule)}</code> <code>${htmlEscape(f.field)}</code> @0x${f.offset.toString(16)}+${f.length}: ${htmlEscape(f.message)}</li>`).join('')}${findings.length > shownFindings.length ? `<li>${findings.length - shownFindings.length} more finding(s)</li>` : ''}</ul>`);
  }
  parts.push(hexMap(r.section, regions, marks));
  parts.push('</div>');
  return parts.join('\n');
}

export function htmlReport(run: ConformanceRun): string {
  const s = run.summary;
  const failing = run.results.filter((r) => r.status === 'fail');
  const title = `lineinfo conformance: ${run.decoder.spec} (level ${run.level})`;
  const rows = categories(run.results)
    .map((c) => `<tr><td>${c.kind === 'rule' ? 'rule ' : c.kind === 'weakness' ? 'weakness ' : ''}${htmlEscape(c.category)}</td><td>${c.passed}</td><td${c.failed ? ' class="bad"' : ''}>${c.failed}</td><td>${c.expectedFailures}</td><td>${c.skipped}</td></tr>`)
    .join('\n');
  const legend = (Object.keys(KIND_LABEL) as RegionKind[]).map((k) => `<span class="k-${k}">${KIND_LABEL[k]}</span>`).join('') +
    '<span class="h">offending bytes</span><span class="f">bytes a broken rule points at</span>';
  const body: string[] = [];
  body.push(`<h1>${htmlEscape(title)}</h1>`);
  body.push(`<p>Decoder <code>${htmlEscape(run.decoder.name)}</code> (layouts ${run.decoder.layouts.map((l) => `<code>${l}</code>`).join(', ') || 'none'}); vectors <code>${htmlEscape(run.vectorsDir)}</code>, ${s.total} run of ${run.catalogueSize}; started ${htmlEscape(run.startedAt)}, ${(run.durationMs / 1000).toFixed(1)} s.</p>`);
  body.push(`<p>Result: <span class="${s.ok ? 'ok' : 'bad'}">${s.ok ? 'PASS' : 'FAIL'}</span> &mdash; ${s.passed} passed, ${s.unexpectedFailures} failed, ${s.expectedFailures} expected failure(s), ${s.skipped} skipped, ${s.staleEntries} stale expected-failure entr${s.staleEntries === 1 ? 'y' : 'ies'}${run.fuzz ? `, fuzz: ${s.fuzzFailures} failure(s) in ${s.fuzzCases} case(s) (seed ${run.fuzz.seed})` : ''}.</p>`);
  body.push(`<table class="sum"><tr><th>category</th><th>passed</th><th>failed</th><th>expected</th><th>skipped</th></tr>\n${rows}</table>`);
  if (run.stale.length) {
    body.push('<h2>Stale expected-failure entries</h2><ul>');
    for (const e of run.stale) body.push(`<li><code>${htmlEscape(e.id)}</code>: ${htmlEscape(e.reason)}</li>`);
    body.push('</ul>');
  }
  body.push(`<h2>Failing cases (${failing.length + (run.fuzz?.failures.length ?? 0)})</h2>`);
  body.push(`<p class="legend">${legend}</p>`);
  if (!failing.length && !run.fuzz?.failures.length) body.push('<p class="ok">No failing case.</p>');
  for (const r of failing) body.push(caseHtml(r));
  if (run.fuzz?.failures.length) {
    body.push(`<h2>Fuzz failures (${run.fuzz.failureCount}${run.fuzz.failureCount > run.fuzz.failures.length ? `, first ${run.fuzz.failures.length} shown` : ''})</h2>`);
    for (const r of run.fuzz.failures) body.push(caseHtml(r));
  }
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${htmlEscape(title)}</title>\n<style>${CSS}</style>\n</head>\n<body>\n${body.join('\n')}\n</body>\n</html>\n`;
}

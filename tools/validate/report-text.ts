/** Human-readable validation report: per file, its diagnostics with hex excerpts; a summary. */
import { hex } from '../format/u32-math.js';
import type { Diagnostic } from './diagnostics.js';
import { hexExcerpt } from './hex-excerpt.js';
import type { Paint } from './hex-excerpt.js';
import type { FileReport } from './validate-file.js';

export interface TextOptions {
  readonly paint: Paint;
  /** print files without diagnostics too */
  readonly verbose: boolean;
}

function where(d: Diagnostic): string {
  const range = d.length > 0 ? `${hex(d.offset)}..${hex(d.offset + d.length - 1)}` : hex(d.offset);
  return `section ${range}, file ${hex(d.fileOffset)}`;
}

export function fileText(r: FileReport, o: TextOptions): string[] {
  if (r.problem !== null) {
    const at = r.problemOffset === null ? '' : `${hex(r.problemOffset)}: `;
    return [`${r.file}: ${r.status === 'no-table' ? 'note' : 'error'}: ${at}${r.problem}`];
  }
  const out: string[] = [];
  const endian = r.endian === 'le' ? 'little-endian' : 'big-endian';
  const sec = r.section!;
  const how = !r.detected ? '' : r.status === 'invalid' ? ' (no layout fits without errors; closest shown)' : ' (detected)';
  const head = `${r.file}: ${sec.name ?? 'raw table'} (${sec.size} bytes at file ${hex(sec.fileOffset)}), layout ${r.layout} ${endian}${how}`;
  if (r.diagnostics.length === 0 && !o.verbose && r.alsoFits.length === 0) return [];
  out.push(head);
  if (r.alsoFits.length) out.push(`  note: the bytes also fit ${r.alsoFits.map((a) => `${a.layout}/${a.endian}`).join(', ')}; --revision/--endian choose`);
  for (const d of r.diagnostics) {
    const sev = d.severity === 'error' ? o.paint.mark('error') : d.severity;
    out.push(`  ${sev} ${d.rule} ${d.field} (${where(d)})`);
    out.push(`    ${d.message}`);
    if (r.bytes && d.length > 0) for (const l of hexExcerpt(r.bytes, d.offset, d.length, o.paint)) out.push(`    ${l}`);
  }
  if (r.diagnostics.length === 0) out.push('  valid');
  return out;
}

export interface Summary {
  files: number;
  valid: number;
  invalid: number;
  noTable: number;
  unreadable: number;
  errors: number;
  warnings: number;
  notes: number;
  byRule: Map<string, number>;
}

export function summarise(reports: readonly FileReport[]): Summary {
  const s: Summary = { files: reports.length, valid: 0, invalid: 0, noTable: 0, unreadable: 0, errors: 0, warnings: 0, notes: 0, byRule: new Map() };
  for (const r of reports) {
    if (r.status === 'valid') s.valid++;
    else if (r.status === 'invalid') s.invalid++;
    else if (r.status === 'no-table') s.noTable++;
    else s.unreadable++;
    for (const d of r.diagnostics) {
      if (d.severity === 'error') s.errors++;
      else if (d.severity === 'warning') s.warnings++;
      else s.notes++;
      s.byRule.set(d.rule, (s.byRule.get(d.rule) ?? 0) + 1);
    }
  }
  return s;
}

export function summaryText(s: Summary): string[] {
  const rows: [string, number][] = [
    ['files', s.files],
    ['valid', s.valid],
    ['with errors', s.invalid],
    ['without a lineinfo table', s.noTable],
    ['unreadable', s.unreadable],
    ['errors', s.errors],
    ['warnings', s.warnings],
    ['notes', s.notes],
  ];
  const out = ['', 'Summary:'];
  for (const [k, v] of rows) out.push(`  ${k.padEnd(26)} ${String(v).padStart(7)}`);
  if (s.byRule.size) {
    out.push('', '  rule          count');
    for (const [rule, n] of [...s.byRule].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) out.push(`  ${rule.padEnd(12)} ${String(n).padStart(6)}`);
  }
  return out;
}

/** Human-readable `dump` output, in the spirit of readelf: aligned columns, hex offsets. */
import type { SectionDump } from './section-dump.js';

const h = (n: number, width = 0): string => `0x${n.toString(16).padStart(width, '0')}`;

export function dumpText(d: SectionDump, options: { entries: boolean }): string {
  const out: string[] = [];
  const where = d.source.kind === 'elf' ? `section ${d.source.section} at file offset ${h(d.source.fileOffset)}` : 'raw section file';
  out.push(`File: ${d.file}`);
  out.push(`Table: ${where}, ${d.source.size} bytes`);
  const how = d.detected ? 'detected' : 'as given';
  const endian = d.endian === 'le' ? 'little-endian' : 'big-endian';
  out.push(`Layout: ${d.layout} (${d.layoutTitle}), ${endian}, ${how}`);
  if (d.alsoFits.length) out.push(`  note: the bytes also fit ${d.alsoFits.map((a) => `${a.layout}/${a.endian}`).join(', ')}; use --revision/--endian to choose`);
  out.push('', 'Header:');
  const w = Math.max(...d.header.map((f) => f.name.length), 4);
  for (const f of d.header) out.push(`  ${h(f.offset, 4)}  ${f.name.padEnd(w)}  ${f.value} (${h(f.value)})`);
  out.push('', 'Regions:', '  offset        size  kind        name');
  for (const r of d.regions) out.push(`  ${h(r.offset, 6)}  ${String(r.size).padStart(8)}  ${r.kind.padEnd(10)}  ${r.name}`);
  if (d.blocks) {
    out.push('', `Blocks (${d.blocks.length}):`, '  block  first offset  stream range          entries');
    for (const b of d.blocks) {
      out.push(`  ${String(b.index).padStart(5)}  ${h(b.addr, 8)}    [${String(b.streamStart).padStart(7)}, ${String(b.streamEnd).padStart(7)})  ${String(b.entryCount).padStart(7)}`);
    }
  }
  out.push('', `Files (${d.files.length}):`, '     id  name offset  name');
  for (const f of d.files) out.push(`  ${String(f.id).padStart(5)}  ${String(f.nameOffset).padStart(11)}  ${f.name ?? '<unreadable>'}`);
  if (options.entries) {
    out.push('', `Entries (${d.entries.length}):`, '  offset       file   line  source');
    for (const e of d.entries) {
      const name = d.files[e.file]?.name ?? '?';
      out.push(`  ${h(e.offset, 8)}  ${String(e.file).padStart(5)}  ${String(e.line).padStart(5)}  ${name}:${e.line}`);
    }
  } else {
    out.push("", `Entries: ${d.entries.length} (listing omitted by --summary)`);
  }
  out.push('');
  if (d.findings.length === 0) out.push('Findings: none');
  else {
    out.push(`Findings (${d.findings.length}):`);
    for (const f of d.findings) out.push(`  ${f.severity.padEnd(7)} ${f.rule}  ${h(f.offset)} ${f.field}: ${f.message}`);
  }
  return out.join('\n') + '\n';
}

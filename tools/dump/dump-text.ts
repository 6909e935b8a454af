/** Human-readable `dump` output, in the spirit of readelf: aligned columns, hex offsets. */
import type { BlobDump, SectionDump, TableDump } from './section-dump.js';

const h = (n: number, width = 0): string => `0x${n.toString(16).padStart(width, '0')}`;

type Entry = BlobDump['entries'][number];
type File = BlobDump['files'][number];
type Block = NonNullable<BlobDump['blocks']>[number];

export function dumpText(d: SectionDump, options: { entries: boolean }): string {
  const out: string[] = [];
  out.push(`File: ${d.file}`);
  if (d.tables === null) out.push(`Table: ${where(d)}, ${d.source.size} bytes`);
  const how = d.detected ? 'detected' : 'as given';
  const endian = d.endian === 'le' ? 'little-endian' : 'big-endian';
  out.push(`Layout: ${d.layout} (${d.layoutTitle}), ${endian}, ${how}`);
  if (d.alsoFits.length) out.push(`  note: the bytes also fit ${d.alsoFits.map((a) => `${a.layout}/${a.endian}`).join(', ')}; use --revision/--endian to choose`);
  if (d.tables === null) singleTable(out, d, options);
  else {
    for (const blob of d.initBlob ? [d, d.initBlob] : [d]) sectionedBlob(out, blob, options);
  }
  return out.join('\n') + '\n';
}

function where(b: BlobDump): string {
  return b.source.kind === 'elf' ? `section ${b.source.section} at file offset ${h(b.source.fileOffset)}` : 'raw section file';
}

/** The layouts with one table per section: header, regions, blocks, files, entries, findings. */
function singleTable(out: string[], d: BlobDump, options: { entries: boolean }): void {
  headerLines(out, '', d.header);
  regionLines(out, d);
  if (d.blocks) blockLines(out, '', d.blocks);
  fileLines(out, '', d.files);
  if (options.entries) entryLines(out, '', 'Entries', d.entries, d.files);
  else out.push('', `Entries: ${d.entries.length} (listing omitted by --summary)`);
  out.push('');
  findingLines(out, d);
}

/**
 * A sectioned blob: its root and descriptors (with the relocation that fills each anchor in),
 * regions, then each table's header, block index, files and entries. `--summary` keeps the root,
 * the descriptors and one line per table.
 */
function sectionedBlob(out: string[], b: BlobDump, options: { entries: boolean }): void {
  const tables = b.tables ?? [];
  out.push('', `Blob: ${where(b)}, ${b.source.size} bytes`);
  out.push('', 'Root:');
  for (const f of b.header.filter((x) => x.name === 'num_sections')) out.push(`  ${h(f.offset, 4)}  ${f.name}  ${f.value} (${h(f.value)})`);
  out.push('', `Descriptors (${tables.length}):`, '      #  offset  anchor              relocated by                  size        table_offset');
  for (const t of tables) {
    out.push(`  ${String(t.index).padStart(5)}  ${h(t.descriptorOffset, 4)}  ${t.anchor.padEnd(18)}  ${relocationText(t).padEnd(28)}  ${h(t.size, 8)}  ${h(t.tableOffset, 6)}`);
  }
  if (options.entries) regionLines(out, b);
  for (const t of tables) {
    const label = `Table ${t.index}${t.section ? ` (${t.section})` : ''}`;
    const entries = b.entries.filter((e) => e.table === t.index);
    if (!options.entries) {
      out.push('', `${label}: ${t.decoded ? `${t.entryCount} entries, ${t.blocks?.length ?? 0} blocks, ${t.files.length} files` : 'not decoded (see findings)'}, header at ${h(t.tableOffset, 6)}`);
      continue;
    }
    out.push('', `${label}, header at ${h(t.tableOffset, 6)}${t.decoded ? '' : ': not decoded (see findings)'}`);
    headerLines(out, '  ', t.header);
    if (t.blocks) blockLines(out, '  ', t.blocks);
    if (t.decoded) {
      fileLines(out, '  ', t.files);
      entryLines(out, '  ', `Entries of ${t.section ?? `table ${t.index}`}`, entries, t.files);
    }
  }
  if (!options.entries) out.push('', `Entries: ${b.entries.length} (listing omitted by --summary)`);
  out.push('');
  findingLines(out, b);
}

function relocationText(t: TableDump): string {
  if (t.relocations === null) return '- (raw blob)';
  if (t.relocations.length === 0) return 'none';
  return t.relocations.map((r) => `${r.section ?? '?'}${r.target === '0x0' ? '' : `+${r.target}`} (${r.type})`).join(', ');
}

function headerLines(out: string[], indent: string, fields: BlobDump['header']): void {
  out.push('', `${indent}Header:`);
  const w = Math.max(...fields.map((f) => f.name.length), 4);
  for (const f of fields) out.push(`${indent}  ${h(f.offset, 4)}  ${f.name.padEnd(w)}  ${f.value} (${h(f.value)})`);
}

function regionLines(out: string[], b: BlobDump): void {
  out.push('', 'Regions:', '  offset        size  kind        name');
  for (const r of b.regions) out.push(`  ${h(r.offset, 6)}  ${String(r.size).padStart(8)}  ${r.kind.padEnd(10)}  ${r.name}`);
}

function blockLines(out: string[], indent: string, blocks: readonly Block[]): void {
  out.push('', `${indent}Blocks (${blocks.length}):`, `${indent}  block  first offset  stream range          entries`);
  for (const b of blocks) {
    out.push(`${indent}  ${String(b.index).padStart(5)}  ${h(b.addr, 8)}    [${String(b.streamStart).padStart(7)}, ${String(b.streamEnd).padStart(7)})  ${String(b.entryCount).padStart(7)}`);
  }
}

function fileLines(out: string[], indent: string, files: readonly File[]): void {
  out.push('', `${indent}Files (${files.length}):`, `${indent}     id  name offset  name`);
  for (const f of files) out.push(`${indent}  ${String(f.id).padStart(5)}  ${String(f.nameOffset).padStart(11)}  ${f.name ?? '<unreadable>'}`);
}

function entryLines(out: string[], indent: string, title: string, entries: readonly Entry[], files: readonly File[]): void {
  out.push('', `${indent}${title} (${entries.length}):`, `${indent}  offset       file   line  source`);
  for (const e of entries) {
    const name = files[e.file]?.name ?? '?';
    out.push(`${indent}  ${h(e.offset, 8)}  ${String(e.file).padStart(5)}  ${String(e.line).padStart(5)}  ${name}:${e.line}`);
  }
}

function findingLines(out: string[], b: BlobDump): void {
  if (b.findings.length === 0) out.push('Findings: none');
  else {
    out.push(`Findings (${b.findings.length}):`);
    for (const f of b.findings) out.push(`  ${f.severity.padEnd(7)} ${f.rule}  ${h(f.offset)} ${f.field}: ${f.message}`);
  }
}

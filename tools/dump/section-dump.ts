/**
 * The JSON form of a decoded section (schemas/section-dump.schema.json): everything `dump`
 * shows, with section and file offsets, so other tools can consume it.
 */
import { ruleById } from '../rules/catalogue.js';
import type { LoadedTable } from '../input/load-input.js';
import type { ResolvedTable } from '../input/resolve-layout.js';
import { VERSION } from '../package-root.js';

export function sectionDump(t: LoadedTable, r: ResolvedTable) {
  const m = r.model;
  return {
    tool: { name: 'lineinfo-kit' as const, version: VERSION },
    file: t.file,
    container: r.layout.container,
    source: { kind: t.source, section: t.sectionName, fileOffset: t.fileOffset, size: t.bytes.length },
    layout: r.layout.id,
    layoutTitle: r.layout.title,
    endian: r.endian,
    detected: r.detected,
    alsoFits: r.alsoFits,
    header: m.header,
    regions: m.regions,
    blocks: m.blocks,
    files: m.files,
    entries: m.entries.map((e) => ({ offset: e.offset, file: e.fileId, line: e.line, at: e.at, length: e.length })),
    findings: m.findings.map((f) => {
      const rule = ruleById(f.rule);
      return { rule: f.rule, level: rule.level, severity: rule.severity, field: f.field, offset: f.offset, length: f.length, fileOffset: t.fileOffset + f.offset, message: f.message };
    }),
  };
}

export type SectionDump = ReturnType<typeof sectionDump>;

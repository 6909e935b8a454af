/**
 * The JSON form of a decoded section (schemas/section-dump.schema.json): everything `dump`
 * shows, with section and file offsets, so other tools can consume it.
 *
 * A sectioned blob (v5 = v6, v7) holds one table per descriptor: `tables` lists each descriptor
 * (anchor, the relocations that fill it in, size, table_offset) with its table's header, block
 * index and files, and `entries` holds every table's entries, each labelled with its table and
 * covered section. A module's second blob, `.init.mod_lineinfo`, is `initBlob`, in the same form.
 * Findings include the ELF-container rules (validate's moduleFacts/tableFindings), so `dump`
 * reports what `validate` reports.
 */
import { ruleById } from '../rules/catalogue.js';
import type { LoadedTable } from '../input/load-input.js';
import type { ResolvedTable } from '../input/resolve-layout.js';
import type { AnchorRelocation } from '../validate/container-rules.js';
import { moduleFacts, tableFindings } from '../validate/validate-table.js';
import type { CoveredTable, HeaderField, LocatedEntry } from '../revisions/layout.js';
import { DESCRIPTOR_SIZE, ROOT_SIZE, TABLE_FIELDS } from '../revisions/sectioned-blob.js';
import { VERSION } from '../package-root.js';

/** One blob (or single-table section) of a file, read with `r`'s layout. */
export interface DumpedBlob {
  readonly table: LoadedTable;
  readonly resolved: ResolvedTable;
}

export function sectionDump(main: DumpedBlob, init: DumpedBlob | null = null) {
  const r = main.resolved;
  return {
    tool: { name: 'lineinfo-kit' as const, version: VERSION },
    file: main.table.file,
    container: r.layout.container,
    layout: r.layout.id,
    layoutTitle: r.layout.title,
    endian: r.endian,
    detected: r.detected,
    alsoFits: r.alsoFits,
    ...blobDump(main),
    initBlob: init === null ? null : blobDump(init),
  };
}

export type SectionDump = ReturnType<typeof sectionDump>;
export type BlobDump = ReturnType<typeof blobDump>;
export type TableDump = NonNullable<BlobDump['tables']>[number];

function blobDump({ table: t, resolved: r }: DumpedBlob) {
  const m = r.model;
  // the module's container facts (relocations read once), for the descriptors and the findings
  const facts = moduleFacts(t);
  const relocations = facts?.blob?.relocations ?? null;
  const tables = m.tables ? m.tables.map((c) => tableDump(c, m.header, relocations)) : null;
  return {
    source: { kind: t.source, section: t.sectionName, fileOffset: t.fileOffset, size: t.bytes.length },
    header: m.header,
    regions: m.regions,
    blocks: m.blocks,
    files: m.files,
    entries: (m.tables && tables
      ? m.tables.flatMap((c, k) => c.entries.map((e) => ({ ...entryDump(e), table: c.index, section: tables[k]!.section })))
      : m.entries.map(entryDump)) as EntryDump[],
    tables,
    // The ELF-container rules come from validate's own code, so both report the same.
    findings: tableFindings(r, facts).map((f) => {
      const rule = ruleById(f.rule);
      return { rule: f.rule, level: rule.level, severity: rule.severity, field: f.field, offset: f.offset, length: f.length, fileOffset: t.fileOffset + f.offset, message: f.message };
    }),
  };
}

/** An entry; in a sectioned blob also the descriptor index of its table and its covered section. */
export interface EntryDump {
  readonly offset: number;
  readonly file: number;
  readonly line: number;
  readonly at: number;
  readonly length: number;
  readonly table?: number;
  readonly section?: string | null;
}

function entryDump(e: LocatedEntry): EntryDump {
  return { offset: e.offset, file: e.fileId, line: e.line, at: e.at, length: e.length };
}

/**
 * Descriptor `c.index` and its table, whose header fields lose the `sections[k].` prefix the
 * model gives later tables. `relocations` is null for a raw blob (nothing relocates it).
 */
function tableDump(c: CoveredTable, header: readonly HeaderField[], relocations: readonly AnchorRelocation[] | null) {
  const at = ROOT_SIZE + DESCRIPTOR_SIZE * c.index;
  const on = relocations?.filter((x) => x.offset < at + 8 && x.offset + Math.max(1, x.width) > at) ?? null;
  // The model names table 0's fields as the single-table layouts do, later tables' with a prefix.
  const prefix = c.index === 0 ? '' : `sections[${c.index}].`;
  const names = new Set(TABLE_FIELDS.map((f) => prefix + f));
  const unprefixed = (f: HeaderField): HeaderField => ({ ...f, name: f.name.slice(prefix.length) });
  return {
    index: c.index,
    descriptorOffset: at,
    /** u64 as hex text: JSON numbers lose precision above 2^53 */
    anchor: `0x${c.anchor.toString(16)}`,
    relocations: on?.map((x) => ({ type: x.type, offset: x.offset, section: x.section, target: `0x${x.target.toString(16)}` })) ?? null,
    /** the covered section, when exactly one relocation names it */
    section: on?.length === 1 ? on[0]!.section : null,
    size: c.size,
    tableOffset: c.tableOffset,
    decoded: c.decoded,
    header: header.filter((f) => names.has(f.name)).map(unprefixed),
    blocks: c.blocks,
    files: c.files,
    entryCount: c.entries.length,
  };
}

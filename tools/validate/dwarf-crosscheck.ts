/**
 * LI-DWF-001: compares a table with the one the kernel generator's rules derive from the
 * object's own DWARF (tools/generator), entry by entry, and says where they differ, with the
 * DWARF rows at that address so the cause (a stale section, another toolchain, a generator
 * quirk) can be seen.
 */
import { hex } from '../format/u32-math.js';
import type { LineTable } from '../model/line-table.js';
import type { EntryList } from '../model/line-table.js';
import { entryObjects } from '../model/line-table.js';
import type { CoveredTable, Finding, SectionModel } from '../revisions/layout.js';

export const MAX_DWARF_FINDINGS = 50;

/** The part of a decoded table the comparison needs (a SectionModel, or one of its tables). */
type DecodedTable = Pick<SectionModel, 'entries' | 'files'>;

export function checkAgainstDwarf(model: DecodedTable, expected: LineTable, rowsAt: (offset: number) => string[] = () => [], where = ''): Finding[] {
  const name = (files: readonly (string | null)[], id: number): string => files[id] ?? `file#${id}`;
  const have = new Map(model.entries.map((e) => [e.offset, e]));
  const want = new Map(expected.entries.map((e) => [e.offset, e]));
  const offsets = [...new Set([...have.keys(), ...want.keys()])].sort((a, b) => a - b);
  const sectionNames = model.files.map((f) => f.name);
  const out: Finding[] = [];
  let total = 0;
  for (const off of offsets) {
    const h = have.get(off);
    const w = want.get(off);
    const hs = h ? `${name(sectionNames, h.fileId)}:${h.line}` : null;
    const ws = w ? `${name(expected.files, w.fileId)}:${w.line}` : null;
    if (hs === ws) continue;
    total++;
    if (out.length >= MAX_DWARF_FINDINGS) continue;
    const rows = rowsAt(off);
    const rowText = rows.length ? `; DWARF rows at ${hex(off)}: ${rows.join(', ')}` : '';
    const message = where + (!h
      ? `no entry at ${hex(off)}, where the DWARF gives ${ws}${rowText}`
      : !w
        ? `entry at ${hex(off)} (${hs}) has no counterpart in the DWARF${rowText}`
        : `entry at ${hex(off)} says ${hs}, the DWARF gives ${ws}${rowText}`);
    out.push({ rule: 'LI-DWF-001', field: h ? `entries@${hex(off)}` : 'entries', offset: h?.at ?? 0, length: h?.length ?? 0, message });
  }
  if (total > out.length) {
    out.push({ rule: 'LI-DWF-001', field: 'entries', offset: 0, length: 0, message: `${where}${total - out.length} more entr${total - out.length === 1 ? 'y differs' : 'ies differ'} from the DWARF` });
  }
  return out;
}

/**
 * Sectioned blobs (v5 on): each descriptor's table against the generator's table for the same
 * covered section, in descriptor order; a descriptor missing on either side is one finding.
 */
export function checkSectionedAgainstDwarf(tables: readonly CoveredTable[], expected: readonly { readonly name: string; readonly entries: EntryList }[], files: readonly string[]): Finding[] {
  const out: Finding[] = [];
  const n = Math.max(tables.length, expected.length);
  for (let k = 0; k < n; k++) {
    const t = tables[k];
    const e = expected[k];
    if (!t || !e) {
      out.push({ rule: 'LI-DWF-001', field: `sections[${k}]`, offset: 0, length: 0,
        message: t ? `descriptor ${k} has no counterpart: the DWARF gives ${expected.length} covered section(s) with entries` : `the DWARF gives entries for ${e!.name}, which has no descriptor (${k})` });
      continue;
    }
    out.push(...checkAgainstDwarf(t, { files, entries: entryObjects(e.entries) }, () => [], `${e.name}: `));
  }
  return out;
}

/**
 * The I/O shell of `validate`: one path in, one FileReport out. Never throws for bad input:
 * unreadable or malformed files become reports with a file-level problem.
 */
import { InputError } from '../errors.js';
import type { Endian } from '../format/endian.js';
import { loadTable } from '../input/load-input.js';
import { INIT_BLOB, moduleSectionTables } from '../generator/section-tables.js';
import type { LoadedTable } from '../input/load-input.js';
import { resolveLayout } from '../input/resolve-layout.js';
import type { LayoutId } from '../revisions/layout-id.js';
import { toDiagnostic } from './diagnostics.js';
import type { Diagnostic } from './diagnostics.js';
import { moduleFacts, tableFindings } from './validate-table.js';
import { checkAgainstDwarf, checkSectionedAgainstDwarf } from './dwarf-crosscheck.js';
import { tableFromDwarf } from '../generator/dwarf-entries.js';
import { moduleBlob, moduleLayout } from '../input/module-blobs.js';
import { generatorRules } from '../generator/generator-rules.js';
import type { ResolvedTable } from '../input/resolve-layout.js';
import type { Finding } from '../revisions/layout.js';

/** LI-DWF-001 findings; a file whose DWARF cannot be read gets one finding saying why. */
function dwarfFindings(table: LoadedTable, r: ResolvedTable, revisionName: string | undefined): Finding[] {
  if (!table.elf) return [{ rule: 'LI-DWF-001', field: 'entries', offset: 0, length: 0, message: '--dwarf needs an ELF file; a raw section has no DWARF to compare with' }];
  try {
    if (r.model.tables && (r.layout.id === 'v5' || r.layout.id === 'v7')) {
      const d = moduleSectionTables(table.elf, r.layout.id);
      const blob = table.sectionName === INIT_BLOB ? d.init : d.persistent;
      return checkSectionedAgainstDwarf(r.model.tables, blob.sections, d.files);
    }
    const d = tableFromDwarf(table.elf, r.layout.container, generatorRules(revisionName ?? r.layout.id));
    return checkAgainstDwarf(r.model, d.table, d.rowsAt);
  } catch (e) {
    // The finding's offset is in the table; where the DWARF (or a relocation of it) is broken is a file offset, so say it.
    if (e instanceof InputError) {
      const where = e.offset === null ? '' : ` (file offset 0x${e.offset.toString(16)})`;
      return [{ rule: 'LI-DWF-001', field: 'entries', offset: 0, length: 0, message: `cannot derive entries from the DWARF${where}: ${e.detail}` }];
    }
    throw e;
  }
}

export type FileStatus = 'valid' | 'invalid' | 'no-table' | 'unreadable';

export interface FileReport {
  readonly file: string;
  readonly status: FileStatus;
  /** file-level problem (unreadable, not ELF, no table): one line */
  readonly problem: string | null;
  /** byte offset of the file-level problem, if it has one */
  readonly problemOffset: number | null;
  readonly container: 'module' | 'vmlinux' | null;
  readonly source: 'raw' | 'elf' | null;
  readonly section: { readonly name: string | null; readonly fileOffset: number; readonly size: number } | null;
  readonly layout: LayoutId | null;
  readonly endian: Endian | null;
  readonly detected: boolean;
  readonly alsoFits: readonly { layout: LayoutId; endian: Endian }[];
  readonly diagnostics: readonly Diagnostic[];
  /** the table bytes, for hex excerpts and the HTML map (not serialised) */
  readonly bytes: Uint8Array | null;
  readonly regions: readonly { kind: string; name: string; offset: number; size: number }[];
}

export interface ValidateOptions {
  readonly raw?: boolean;
  readonly layout?: LayoutId;
  readonly endian?: Endian;
  readonly warningsAsErrors?: boolean;
  /** compare with the table the object's own DWARF gives (LI-DWF-001) */
  readonly dwarf?: boolean;
  /**
   * the revision as the user named it (`vmlinux-v5`, `v4`), whose generator rules `dwarf` applies;
   * default: the layout's own revision
   */
  readonly revisionName?: string;
}

function problemReport(file: string, status: FileStatus, problem: string, offset: number | null): FileReport {
  return {
    file, status, problem, problemOffset: offset, container: null, source: null, section: null, layout: null, endian: null,
    detected: false, alsoFits: [], diagnostics: [], bytes: null, regions: [],
  };
}

/**
 * Every lineinfo table of a file: one report, or for a module with sectioned blobs (v5 = v6,
 * v7) one per blob, `.mod_lineinfo` then `.init.mod_lineinfo`. The file is read and parsed once.
 */
export function validateFileReports(file: string, options: ValidateOptions = {}): FileReport[] {
  const table = loadForValidation(file, options);
  if (isReport(table)) return [table];
  const main = validateLoaded(file, table, options);
  if (options.raw || main.container !== 'module' || !table.elf) return [main];
  let init: LoadedTable | null;
  try {
    init = moduleBlob(table, INIT_BLOB);
  } catch (e) {
    if (e instanceof InputError) return [main, problemReport(file, 'unreadable', `${INIT_BLOB}: ${e.detail}`, e.offset)];
    throw e;
  }
  return init ? [main, validateLoaded(file, init, options)] : [main];
}

/** The file's main table, or the report saying why there is none. */
function loadForValidation(file: string, options: ValidateOptions): LoadedTable | FileReport {
  try {
    const table = loadTable(file, { raw: options.raw === true });
    // A module file must be ELF; only --raw (or another extension) makes a file a raw section.
    if (table.source === 'raw' && !options.raw && /\.ko$/.test(file)) {
      return problemReport(file, 'unreadable', 'not an ELF file (bad magic); use --raw for a raw section', 0);
    }
    return table;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const noTable = /carries no lineinfo tables/.test(e.detail);
    return problemReport(file, noTable ? 'no-table' : 'unreadable', e.detail, e.offset);
  }
}

export function validateFile(file: string, options: ValidateOptions = {}): FileReport {
  const table = loadForValidation(file, options);
  return isReport(table) ? table : validateLoaded(file, table, options);
}

function isReport(x: LoadedTable | FileReport): x is FileReport {
  return 'status' in x;
}

function validateLoaded(file: string, table: LoadedTable, options: ValidateOptions): FileReport {
  try {
    const r = moduleLayout(table, resolveLayout(table, { ...(options.layout ? { layout: options.layout } : {}), ...(options.endian ? { endian: options.endian } : {}) }), options.layout);
    const findings = tableFindings(r, moduleFacts(table));
    if (options.dwarf) findings.push(...dwarfFindings(table, r, options.revisionName));
    findings.sort((a, b) => a.offset - b.offset || a.rule.localeCompare(b.rule));
    const diagnostics = findings.map((f) => toDiagnostic(f, table.fileOffset, options.warningsAsErrors));
    const invalid = diagnostics.some((d) => d.severity === 'error');
    return {
      file,
      status: invalid ? 'invalid' : 'valid',
      problem: null,
      problemOffset: null,
      container: r.layout.container,
      source: table.source,
      section: { name: table.sectionName, fileOffset: table.fileOffset, size: table.bytes.length },
      layout: r.layout.id,
      endian: r.endian,
      detected: r.detected,
      alsoFits: r.alsoFits,
      diagnostics,
      bytes: table.bytes,
      regions: r.model.regions,
    };
  } catch (e) {
    if (e instanceof InputError) return problemReport(file, 'unreadable', e.detail, e.offset);
    throw e;
  }
}

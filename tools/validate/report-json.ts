/** The JSON validation report (schemas/validation-report.schema.json). */
import { VERSION } from '../package-root.js';
import type { Summary } from './report-text.js';
import type { FileReport } from './validate-file.js';

export function jsonReport(reports: readonly FileReport[], s: Summary) {
  return {
    tool: { name: 'lineinfo-kit' as const, version: VERSION },
    files: reports.map(({ bytes: _bytes, regions: _regions, ...r }) => r),
    summary: {
      files: s.files,
      valid: s.valid,
      invalid: s.invalid,
      noTable: s.noTable,
      unreadable: s.unreadable,
      errors: s.errors,
      warnings: s.warnings,
      notes: s.notes,
      byRule: Object.fromEntries([...s.byRule].sort((a, b) => a[0].localeCompare(b[0]))),
    },
  };
}

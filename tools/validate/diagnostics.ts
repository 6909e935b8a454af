/**
 * A diagnostic: one broken rule at one place, with everything a report needs (rule, severity,
 * byte range in the section and in the file, field path, one-line explanation).
 */
import { ruleById } from '../rules/catalogue.js';
import type { RuleLevel, Severity } from '../rules/catalogue.js';
import type { Finding } from '../revisions/layout.js';

export interface Diagnostic {
  readonly rule: string;
  readonly level: RuleLevel;
  readonly severity: Severity;
  readonly field: string;
  /** byte range in the section (table image) */
  readonly offset: number;
  readonly length: number;
  /** byte offset of the range in the file */
  readonly fileOffset: number;
  readonly message: string;
}

export function toDiagnostic(f: Finding, sectionFileOffset: number, warningsAsErrors = false): Diagnostic {
  const rule = ruleById(f.rule);
  const severity: Severity = warningsAsErrors && rule.severity === 'warning' ? 'error' : rule.severity;
  return { rule: f.rule, level: rule.level, severity, field: f.field, offset: f.offset, length: f.length, fileOffset: sectionFileOffset + f.offset, message: f.message };
}

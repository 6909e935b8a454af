/**
 * SARIF 2.1.0 output: one run, the rule catalogue as the driver's rules (with help), every
 * diagnostic a result located by byte range (region.byteOffset/byteLength) in its file. Files that
 * cannot be read become tool execution notifications.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ArtifactLocation, Log, Notification, ReportingDescriptor, Result } from 'sarif';
import { VERSION } from '../package-root.js';
import { RULES } from '../rules/catalogue.js';
import type { Severity } from '../rules/catalogue.js';
import type { FileReport } from './validate-file.js';

const LEVEL = { error: 'error', warning: 'warning', note: 'note' } as const satisfies Record<Severity, Result.level>;

function artifact(file: string): ArtifactLocation {
  return isAbsolute(file) ? { uri: pathToFileURL(file).href } : { uri: file.split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
}

/** `ruleIndex` when the rule is in the catalogue (always, since diagnostics come from it). */
function withIndex(index: number | undefined): Pick<Result, 'ruleIndex'> {
  return index === undefined ? {} : { ruleIndex: index };
}

export function sarifReport(reports: readonly FileReport[]): Log {
  const ruleIndex = new Map(RULES.map((r, i) => [r.id, i]));
  const results: Result[] = reports.flatMap((r) =>
    r.diagnostics.map((d): Result => ({
      ruleId: d.rule,
      ...withIndex(ruleIndex.get(d.rule)),
      level: LEVEL[d.severity],
      message: { text: d.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: artifact(r.file),
            region: { byteOffset: d.fileOffset, byteLength: d.length },
          },
          logicalLocations: [{ fullyQualifiedName: `${r.section?.name ?? 'table'}/${d.field}`, kind: 'member' }],
        },
      ],
      properties: { sectionOffset: d.offset, layout: r.layout, field: d.field },
    })),
  );
  const notifications = reports
    .filter((r) => r.status === 'unreadable')
    .map((r): Notification => ({
      level: 'error',
      message: { text: r.problem ?? 'unreadable' },
      locations: [{ physicalLocation: { artifactLocation: artifact(r.file), ...(r.problemOffset !== null ? { region: { byteOffset: r.problemOffset, byteLength: 0 } } : {}) } }],
    }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'lineinfo-kit',
            version: VERSION,
            rules: RULES.map((r): ReportingDescriptor => ({
              id: r.id,
              name: r.id.replace(/-/g, ''),
              shortDescription: { text: r.summary },
              fullDescription: { text: `${r.level}: ${r.summary} Applies to ${r.layouts.join(', ')}.` },
              help: {
                text: `${r.summary} See spec/FORMAT.md, section "Rules", ${r.id}.`,
                markdown: `**${r.id}** (${r.level}): ${r.summary}\n\nApplies to: ${r.layouts.map((l) => `\`${l}\``).join(', ')}. See \`spec/FORMAT.md\`, section *Rules*.`,
              },
              defaultConfiguration: { level: LEVEL[r.severity] },
            })),
          },
        },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        results,
      },
    ],
  };
}

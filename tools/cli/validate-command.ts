import { EXIT, UsageError } from '../errors.js';
import { writeFileAtomic } from '../output/atomic-write.js';
import { refuseOutputOverInput } from '../output/same-file.js';
import { ANSI, NO_COLOUR } from '../validate/hex-excerpt.js';
import { htmlReport } from '../validate/report-html.js';
import { jsonReport } from '../validate/report-json.js';
import { sarifReport } from '../validate/report-sarif.js';
import { fileText, summarise, summaryText } from '../validate/report-text.js';
import { validateFileReports } from '../validate/validate-file.js';
import type { FileReport } from '../validate/validate-file.js';
import { expandPaths } from '../validate/walk.js';
import type { Command } from './command.js';
import { endianOption, layoutOption, parseCommandArgs, str, layoutList } from './options.js';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check lineinfo tables against every rule of spec/FORMAT.md',
  usage: `Usage: lineinfo validate FILE|DIR... [--raw] [--revision R] [--endian le|be]
                         [--json | --sarif] [-o REPORT] [--dwarf] [--warnings-as-errors]
                         [--html OUT.html] [--verbose]

Checks the lineinfo table of each FILE (a .ko or other ELF object with .mod_lineinfo, an ELF
file with the vmlinux lineinfo_* symbols, or with --raw a raw section / table image) against
every rule of spec/FORMAT.md. A module with sectioned blobs (v5 = v6, v7) gets a report for
.mod_lineinfo and one for .init.mod_lineinfo, including their anchor relocations (LI-SEC-006);
their bytes are the same in v5 and v7, so they are checked as v7 unless --revision says v5/v6. DIRs are walked recursively for *.ko files (e.g. a whole
/lib/modules/VERSION). Each diagnostic names its rule (LI-...), severity, byte range in the
section and in the file, and field, with a hex excerpt in text mode.

Options:
  --raw                  read FILEs as raw sections even if they start with the ELF magic
  --revision R           check as layout R instead of detecting it:
                         ${layoutList(25)}
  --endian E             byte order of raw files (le or be) instead of detecting it
  --json                 JSON report (schemas/validation-report.schema.json)
  --sarif                SARIF 2.1.0 report
  -o, --output F         write the report to F (temporary file + rename; a device or FIFO is
                         written into) instead of stdout; F may not be one of the FILEs
  --html OUT.html        also write a self-contained HTML page (temporary file + rename): per
                         file its diagnostics and the section as a hex map coloured by region;
                         choosing a diagnostic highlights its bytes (at most 64 KiB of each
                         section shown: the start, around each diagnostic, each region's start)
  --dwarf                also re-derive the entries from the object's own DWARF with the
                         generator's rules and report every entry that differs (LI-DWF-001),
                         with the DWARF rows at that address
  --warnings-as-errors   treat warnings as errors (for the exit status and the report)
  -v, --verbose          text mode: also list files without diagnostics
  --color WHEN           auto (default: only on a terminal, and not when NO_COLOR is set),
                         always or never
  -h, --help             show this help

Exit status: 0 when no table has errors; 1 when errors were found (including unreadable or
malformed files); 2 on a usage error, a path that does not exist, or a report that cannot be
written (or would be written over a FILE).`,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      raw: { type: 'boolean' },
      revision: { type: 'string' },
      endian: { type: 'string' },
      json: { type: 'boolean' },
      sarif: { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      'warnings-as-errors': { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
      color: { type: 'string' },
      dwarf: { type: 'boolean' },
      html: { type: 'string' },
    });
    if (values.help) return io.help(this.usage);
    if (positionals.length === 0) throw new UsageError('validate takes at least one FILE or DIR');
    if (values.json && values.sarif) throw new UsageError('give either --json or --sarif');
    const html = str(values.html);
    if (html === '') throw new UsageError('--html needs a file name');
    const color = str(values.color) ?? 'auto';
    if (!['auto', 'always', 'never'].includes(color)) throw new UsageError(`--color must be auto, always or never; got "${color}"`);
    const layout = layoutOption(str(values.revision));
    const endian = endianOption(str(values.endian));
    const files = expandPaths(positionals);
    // Checked before any work: a report written over a checked module would destroy it.
    refuseOutputOverInput(str(values.output), '-o', files);
    refuseOutputOverInput(html, '--html', files);
    const reports: FileReport[] = [];
    const progress = files.length > 1 ? io.progress : undefined;
    files.forEach((file, i) => {
      progress?.(`validate: ${i + 1}/${files.length} ${file}`);
      reports.push(...validateFileReports(file, { raw: values.raw === true, dwarf: values.dwarf === true, warningsAsErrors: values['warnings-as-errors'] === true, ...(layout ? { layout, revisionName: str(values.revision)! } : {}), ...(endian ? { endian } : {}) }));
    });
    progress?.('');
    const summary = summarise(reports);
    let text: string;
    if (values.json) text = JSON.stringify(jsonReport(reports, summary), null, 2) + '\n';
    else if (values.sarif) text = JSON.stringify(sarifReport(reports), null, 2) + '\n';
    else {
      const output = str(values.output);
      const useColour = !output && (color === 'always' || (color === 'auto' && io.stdoutIsTty && !process.env.NO_COLOR));
      const lines = reports.flatMap((r) => fileText(r, { paint: useColour ? ANSI : NO_COLOUR, verbose: values.verbose === true || files.length === 1 }));
      if (files.length > 1) lines.push(...summaryText(summary));
      text = lines.length ? lines.join('\n') + '\n' : '';
    }
    if (html) writeFileAtomic(html, htmlReport(reports));
    const output = str(values.output);
    if (output) writeFileAtomic(output, text);
    else io.out(text);
    return summary.errors > 0 || summary.unreadable > 0 ? EXIT.FINDINGS : EXIT.OK;
  },
};

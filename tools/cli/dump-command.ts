import { EXIT, InputError } from '../errors.js';
import { loadTable } from '../input/load-input.js';
import { resolveLayout } from '../input/resolve-layout.js';
import { sectionDump } from '../dump/section-dump.js';
import { dumpText } from '../dump/dump-text.js';
import { endianOption, layoutOption, parseCommandArgs, str, layoutList } from './options.js';
import type { Command } from './command.js';
import { UsageError } from '../errors.js';

export const dumpCommand: Command = {
  name: 'dump',
  summary: 'show the header, regions, blocks, files and entries of a lineinfo table',
  usage: `Usage: lineinfo dump FILE [--revision R] [--endian le|be] [--raw] [--json] [--summary]

FILE is a raw section file, an ELF object with a .mod_lineinfo section (.ko, .o), or an ELF
file with the vmlinux lineinfo_* symbols. Without --revision the layout is detected by
structure; without --endian the byte order comes from the ELF header, or is detected.

Options:
  --revision R    layout: ${layoutList(18)}
  --endian E      byte order of a raw file: le or be
  --raw           read FILE as a raw section even if it starts with the ELF magic
  --json          print JSON (schemas/section-dump.schema.json)
  --summary       omit the entry list from the text output
  -h, --help      show this help

Exit status: 0 when the table breaks no MUST rule; 2 on unreadable input, a usage error, a
table that breaks a MUST rule (the dump is still printed, the first error goes to stderr), or
standard output that cannot be written.`,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      revision: { type: 'string' },
      endian: { type: 'string' },
      raw: { type: 'boolean' },
      json: { type: 'boolean' },
      summary: { type: 'boolean' },
    });
    if (values.help) return io.help(this.usage);
    if (positionals.length !== 1) throw new UsageError('dump takes exactly one FILE');
    const table = loadTable(positionals[0]!, { raw: values.raw === true });
    const resolved = resolveLayout(table, { layout: layoutOption(str(values.revision)), endian: endianOption(str(values.endian)) });
    const dump = sectionDump(table, resolved);
    io.out(values.json ? JSON.stringify(dump, null, 2) + '\n' : dumpText(dump, { entries: !values.summary }));
    const errors = dump.findings.filter((f) => f.level === 'MUST');
    if (errors.length) {
      const first = errors[0]!;
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more MUST violation(s); see lineinfo validate)` : '';
      throw new InputError(table.file, first.fileOffset, `${first.rule}: ${first.message}${more}`);
    }
    return EXIT.OK;
  },
};

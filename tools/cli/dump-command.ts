import { EXIT, InputError } from '../errors.js';
import { loadDumpedBlobs } from '../dump/dump-blobs.js';
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

A sectioned blob (v5 = v6, v7) is shown with its root, every descriptor (anchor, the relocation
that fills it in, size, table_offset) and, per table, its header, block index, files and every
entry, labelled with its covered section. A module's .init.mod_lineinfo follows .mod_lineinfo.
Modules' sectioned blobs are read as v7 unless --revision says otherwise, as validate does.
Findings include the ELF-container rules that validate checks (SHF_ALLOC, alignment, anchor
relocations).

Options:
  --revision R    layout: ${layoutList(18)}
  --endian E      byte order of a raw file: le or be
  --raw           read FILE as a raw section even if it starts with the ELF magic
  --json          print JSON (schemas/section-dump.schema.json)
  --summary       omit the entry list from the text output (sectioned blobs: one line per table)
  -h, --help      show this help

Exit status: 0 when no table breaks a MUST rule; 2 on unreadable input, a usage error, a table
that breaks a MUST rule, its container's included (the dump is still printed, the first error
goes to stderr), or standard output that cannot be written.`,
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
    const layout = layoutOption(str(values.revision));
    const endian = endianOption(str(values.endian));
    const { main, init } = loadDumpedBlobs(positionals[0]!, { raw: values.raw === true, ...(layout ? { layout } : {}), ...(endian ? { endian } : {}) });
    const dump = sectionDump(main, init);
    io.out(values.json ? JSON.stringify(dump, null, 2) + '\n' : dumpText(dump, { entries: !values.summary }));
    const blobs = dump.initBlob ? [dump, dump.initBlob] : [dump];
    const errors = blobs.flatMap((b) => b.findings.filter((f) => f.level === 'MUST').map((f) => ({ f, blob: b.source.section })));
    if (errors.length) {
      const { f: first, blob } = errors[0]!;
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more MUST violation(s); see lineinfo validate)` : '';
      // name the blob when a module has two, as lookup does
      const prefix = dump.initBlob && blob ? `${blob}: ` : '';
      throw new InputError(main.table.file, first.fileOffset, `${prefix}${first.rule}: ${first.message}${more}`);
    }
    return EXIT.OK;
  },
};

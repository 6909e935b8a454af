import { EXIT, UsageError } from '../errors.js';
import { loadEncoderInput } from '../input/load-entries.js';
import { writeFileAtomic } from '../output/atomic-write.js';
import { layoutById } from '../revisions/registry.js';
import type { Command } from './command.js';
import { endianOption, layoutOption, parseCommandArgs, str } from './options.js';

export const encodeCommand: Command = {
  name: 'encode',
  summary: 'encode a line table (JSON) into section bytes or the generator\'s assembly',
  usage: `Usage: lineinfo encode ENTRIES.json [--revision R] [--endian le|be] -o OUT [--asm]

Reads ENTRIES.json (schemas/encoder-input.schema.json: files[] and entries[] of
{offset, file, line}), applies the kernel generator's rules (line-0 rows dropped, sorted by
offset, file, line, de-duplicated) and writes the table as the kernel's generator would:
the .mod_lineinfo section bytes for module layouts, the table image (the bytes from
lineinfo_num_entries on) for vmlinux layouts, or with --asm the assembly text.

Options:
  --revision R   layout: v1-flat, v1 (default), vmlinux-v1-flat, vmlinux-v1; overrides the input's
  --endian E     byte order: le (default) or be; overrides the input's
  -o, --output F output file, written atomically (temporary file + rename); - for stdout
  --asm          write assembly text instead of bytes
  -h, --help     show this help

Exit status: 0 on success, 2 on unreadable or invalid input or a usage error.`,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      revision: { type: 'string' },
      endian: { type: 'string' },
      output: { type: 'string', short: 'o' },
      asm: { type: 'boolean' },
    });
    if (values.help) return io.help(this.usage);
    if (positionals.length !== 1) throw new UsageError('encode takes exactly one ENTRIES.json');
    const output = str(values.output);
    if (!output) throw new UsageError('encode needs -o OUT (or -o - for standard output)');
    const input = loadEncoderInput(positionals[0]!);
    const layout = layoutById(layoutOption(str(values.revision)) ?? input.revision ?? 'v1');
    const endian = endianOption(str(values.endian)) ?? input.endian ?? 'le';
    const data = values.asm ? layout.emitAsm(input.table) : layout.encode(input.table, endian);
    if (output === '-') {
      if (typeof data !== 'string' && io.stdoutIsTty) throw new UsageError('refusing to write binary section bytes to a terminal; use -o FILE');
      io.out(data);
    } else {
      writeFileAtomic(output, data);
    }
    return EXIT.OK;
  },
};

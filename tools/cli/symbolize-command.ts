import { readFileSync, statSync } from 'node:fs';
import { EXIT, InputError, UsageError } from '../errors.js';
import { indexModules } from '../symbolize/module-index.js';
import { Symbolizer } from '../symbolize/symbolizer.js';
import type { Command } from './command.js';
import { parseCommandArgs, str } from './options.js';

export const symbolizeCommand: Command = {
  name: 'symbolize',
  summary: 'annotate module frames of a kernel log with (file:line) from the modules\' tables',
  usage: `Usage: lineinfo symbolize --modules DIR [LOG] [--exact] [--verbose]

Reads a kernel log or stack trace (LOG, or standard input) and appends " (file:line)" to every
frame "func+0x1c/0x40 [module]" whose module is found under DIR (a tree like
/lib/modules/VERSION; .ko and .ko.gz), exactly as a kernel with CONFIG_KALLSYMS_LINEINFO_MODULES
prints it from the module's .mod_lineinfo section. Call-trace frames are return addresses, so
address - 1 is looked up, as the kernel does; RIP:/pc:/lr: lines are looked up as printed.
Everything else passes through unchanged.

Options:
  --modules DIR  module tree to search (required)
  --exact        look every frame up as printed (no return-address adjustment)
  -v, --verbose  report on stderr how many frames were annotated and which modules were missing
  -h, --help     show this help

Exit status: 0 on success (frames that cannot be resolved stay as they were), 2 on a usage error
or an unreadable LOG or DIR.`,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      modules: { type: 'string' },
      exact: { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
    });
    if (values.help) return io.help(this.usage);
    const dir = str(values.modules);
    if (!dir) throw new UsageError('symbolize needs --modules DIR');
    if (positionals.length > 1) throw new UsageError('symbolize takes at most one LOG');
    try {
      if (!statSync(dir).isDirectory()) throw new InputError(dir, null, 'is not a directory');
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(dir, null, 'no such directory');
    }
    const logPath = positionals[0];
    let text: string;
    try {
      text = readFileSync(logPath === undefined || logPath === '-' ? 0 : logPath, 'utf8');
    } catch (e) {
      throw new InputError(logPath ?? '-', null, `cannot read: ${(e as Error).message}`);
    }
    const s = new Symbolizer(indexModules(dir), { exact: values.exact === true });
    const lines = text.split('\n');
    io.out(lines.map((l) => s.annotateLine(l)).join('\n'));
    if (values.verbose) {
      io.err(`lineinfo: symbolize: ${s.stats.annotated} of ${s.stats.frames} module frame(s) annotated\n`);
      for (const [m, why] of s.stats.unresolved) io.err(`lineinfo: symbolize: ${m}: ${why}\n`);
    }
    return EXIT.OK;
  },
};

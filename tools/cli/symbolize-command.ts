import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { EXIT, InputError, UsageError } from '../errors.js';
import { LogSplitter } from '../symbolize/log-lines.js';
import { indexModules } from '../symbolize/module-index.js';
import { Symbolizer } from '../symbolize/symbolizer.js';
import { LAYOUT_TRAITS } from '../revisions/layout-id.js';
import type { Command } from './command.js';
import { layoutList, layoutOption, parseCommandArgs, str } from './options.js';

export const symbolizeCommand: Command = {
  name: 'symbolize',
  summary: 'annotate module frames of a kernel log with (file:line) from the modules\' tables',
  usage: `Usage: lineinfo symbolize --modules DIR [LOG] [--revision R] [--exact] [--verbose]

Reads a kernel log or stack trace (LOG, or standard input) and appends " (file:line)" to every
frame "func+0x1c/0x40 [module]" whose module is found under DIR (a tree like
/lib/modules/VERSION; .ko, .ko.gz, .ko.xz and .ko.zst), exactly as a kernel with
CONFIG_KALLSYMS_LINEINFO_MODULES prints it from the module's .mod_lineinfo section.
Call-trace frames are return addresses, so address - 1 is looked up, as the kernel does; frames
after a register marker (x86 RIP:/EIP:, arm64 pc :/lr :, arm PC is at/LR is at, powerpc NIP/LR,
s390 Krnl PSW, riscv epc :/ra :) are looked up as printed. The printed /0xSIZE picks among
symbols of the same name; a frame no symbol (or more than one) fits stays unannotated.
Every other byte passes through unchanged (any encoding, CRLF, a last line without newline);
the log is streamed, never held in memory.

Options:
  --modules DIR   module tree to search (required)
  --revision R    read every module's table with layout R instead of detecting it (bytes of
                  a v2 table can also fit v1, whose lookup applies the symbol-start rule):
                  ${layoutList(18)}
  --exact         look every frame up as printed (no return-address adjustment)
  -v, --verbose   report on stderr how many frames were annotated, and why the others were not
  -h, --help      show this help

Exit status: 0 on success (frames that cannot be resolved stay as they were), 2 on a usage error
or an unreadable LOG or DIR.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      modules: { type: 'string' },
      revision: { type: 'string' },
      exact: { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
    });
    if (values.help) return io.help(this.usage);
    const dir = str(values.modules);
    if (!dir) throw new UsageError('symbolize needs --modules DIR');
    if (positionals.length > 1) throw new UsageError('symbolize takes at most one LOG');
    const layout = layoutOption(str(values.revision));
    if (layout && LAYOUT_TRAITS[layout].container !== 'module') throw new UsageError(`--revision ${layout} is a vmlinux layout; symbolize reads modules`);
    try {
      if (!statSync(dir).isDirectory()) throw new InputError(dir, null, 'is not a directory');
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(dir, null, 'no such directory');
    }
    const logPath = positionals[0];
    const fromStdin = logPath === undefined || logPath === '-';
    const s = new Symbolizer(indexModules(dir), { exact: values.exact === true, ...(layout ? { layout } : {}) });
    const splitter = new LogSplitter();
    const input: Readable = fromStdin ? process.stdin : createReadStream(logPath);
    try {
      for await (const chunk of input as AsyncIterable<Buffer>) {
        const out = await s.symbolize(splitter.push(chunk));
        if (out) io.out(Buffer.from(out, 'latin1'));
      }
    } catch (e) {
      if (!(e instanceof Error) || !('code' in e)) throw e;
      throw new InputError(fromStdin ? '-' : logPath, null, `cannot read: ${e.message}`);
    }
    const out = await s.symbolize(splitter.end());
    if (out) io.out(Buffer.from(out, 'latin1'));
    if (values.verbose) {
      io.err(`lineinfo: symbolize: ${s.stats.annotated} of ${s.stats.frames} module frame(s) annotated\n`);
      for (const [what, why] of s.stats.unresolved) io.err(`lineinfo: symbolize: ${what}: ${why}\n`);
      if (s.stats.moreUnresolved) io.err(`lineinfo: symbolize: ${s.stats.moreUnresolved} more frame(s) not annotated\n`);
    }
    return EXIT.OK;
  },
};

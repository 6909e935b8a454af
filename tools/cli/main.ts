/**
 * `lineinfo`: the command-line shell. Dispatches to subcommands and turns every error into one
 * line on stderr with a documented exit status — never a stack trace.
 */
import { EXIT, InputError, UsageError } from '../errors.js';
import { VERSION } from '../package-root.js';
import { StdoutClosedError } from '../output/stdout.js';
import type { Command, CommandIo } from './command.js';
import { dumpCommand } from './dump-command.js';
import { encodeCommand } from './encode-command.js';
import { lookupCommand } from './lookup-command.js';
import { symbolizeCommand } from './symbolize-command.js';
import { embedCommand } from './embed-command.js';
import { validateCommand } from './validate-command.js';
import { conformanceCommand } from './conformance-command.js';
import { fuzzCommand } from './fuzz-command.js';

const COMMANDS: readonly Command[] = [validateCommand, dumpCommand, encodeCommand, embedCommand, lookupCommand, symbolizeCommand, fuzzCommand, conformanceCommand];

/** Unexpected failure inside lineinfo-kit itself (a bug): distinct from bad input. */
export const EXIT_INTERNAL = 3;

function usage(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return `lineinfo-kit ${VERSION}: specification, reference codec and checks for the Linux kernel's
CONFIG_KALLSYMS_LINEINFO source-line tables (.mod_lineinfo and vmlinux lineinfo_*).

Usage: lineinfo COMMAND [ARGS...]      lineinfo COMMAND --help for details
       lineinfo --version | -V          lineinfo --help | -h

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join('\n')}

Exit status: 0 success; 1 findings (commands that report them); 2 usage error or unreadable,
malformed or unwritable input/output (standard output too); 3 internal error (a bug: please
report it). A reader closing standard output early (lineinfo dump x | head) stops the command
quietly with status 0.`;
}

export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
      io.out(usage() + '\n');
      return name === undefined ? EXIT.INPUT : EXIT.OK;
    }
    if (name === '--version' || name === '-V') {
      io.out(`lineinfo-kit ${VERSION}\n`);
      return EXIT.OK;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command "${name}"; try lineinfo --help`);
    return await command.run(rest, io);
  } catch (e) {
    // The reader of our output has seen enough (`lineinfo dump x | head`): like a reader's
    // decision, not a failure, so no message and status 0 (readelf would die of SIGPIPE).
    if (e instanceof StdoutClosedError) return EXIT.OK;
    if (e instanceof UsageError) {
      io.err(`lineinfo: ${e.message}\n`);
      return EXIT.INPUT;
    }
    if (e instanceof InputError) {
      io.err(`lineinfo: ${e.message}\n`);
      return EXIT.INPUT;
    }
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    io.err(`lineinfo: internal error: ${msg.split('\n')[0]} (please report this)\n`);
    return EXIT_INTERNAL;
  }
}


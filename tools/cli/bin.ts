#!/usr/bin/env node
/** Entry point of the `lineinfo` executable: wires main() to the process. */
import { EXIT } from '../errors.js';
import type { CommandIo } from './command.js';
import { EXIT_INTERNAL, main } from './main.js';

const io: CommandIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  help(text) {
    process.stdout.write(text + '\n');
    return EXIT.OK;
  },
  stdoutIsTty: process.stdout.isTTY === true,
};

// A closed pipe (lineinfo dump x | head) is not an error worth a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(EXIT.OK);
});

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`lineinfo: internal error: ${String(e).split('\n')[0]}\n`);
    process.exitCode = EXIT_INTERNAL;
  },
);

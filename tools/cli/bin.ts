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
  ...(process.stderr.isTTY ? { progress: statusLine } : {}),
};

let lastStatus = 0;
/** Redraws one status line on stderr at most ~20 times a second. */
function statusLine(line: string): void {
  const now = Date.now();
  if (line !== '' && now - lastStatus < 50) return;
  lastStatus = now;
  const width = Math.max(20, (process.stderr.columns ?? 80) - 1);
  process.stderr.write(`\r\x1b[K${line.length > width ? '...' + line.slice(line.length - width + 3) : line}`);
}

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

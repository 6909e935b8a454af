#!/usr/bin/env node
/** Entry point of the `lineinfo` executable: wires main() to the process. */
import { EXIT } from '../errors.js';
import { stdoutIsTerminal, writeStdout } from '../output/stdout.js';
import type { CommandIo } from './command.js';
import { EXIT_INTERNAL, main } from './main.js';

const io: CommandIo = {
  // Synchronous, errors thrown (stdout.ts): main() reports them and sets the exit status.
  out: writeStdout,
  err: (t) => void process.stderr.write(t),
  help(text) {
    writeStdout(text + '\n');
    return EXIT.OK;
  },
  stdoutIsTty: stdoutIsTerminal(),
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

// process.exitCode, never process.exit(): stderr is flushed before the process ends.
main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`lineinfo: internal error: ${String(e).split('\n')[0]}\n`);
    process.exitCode = EXIT_INTERNAL;
  },
);

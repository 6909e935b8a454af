/**
 * Standard output for every command (and for anything else that prints results): written
 * synchronously to descriptor 1, with the two ways it can fail told apart:
 *
 * - the reader went away (EPIPE, `lineinfo dump big | head -1`): StdoutClosedError, which the
 *   CLI turns into a quiet exit with status 0, as a reader that has seen enough is not an error;
 * - anything else (ENOSPC on `> /dev/full`, EIO, ...): an InputError naming `<stdout>`, reported
 *   like any unwritable output (one line, exit 2), so a lost result is never silent.
 */
import { isatty } from 'node:tty';
import { InputError } from '../errors.js';
import { writeAllSync } from './write-fd.js';

/** How error messages name standard output. */
const STDOUT_NAME = '<stdout>';

/** The reader of standard output has closed it: stop producing output. */
export class StdoutClosedError extends Error {
  constructor() {
    super('standard output was closed by its reader');
    this.name = 'StdoutClosedError';
  }
}

export function writeStdout(data: Uint8Array | string): void {
  try {
    writeAllSync(1, data);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') throw new StdoutClosedError();
    throw new InputError(STDOUT_NAME, null, `cannot write: ${(e as Error).message}`);
  }
}

/** Asked of descriptor 1 itself: touching process.stdout would make a pipe non-blocking. */
export function stdoutIsTerminal(): boolean {
  return isatty(1);
}

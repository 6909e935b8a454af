/**
 * Errors that reach the user. Every one names the file and, where there is one, the byte offset,
 * and maps to a documented exit code; the CLI prints `message` on one line and never a stack.
 */

/** Exit codes, documented in README.md and `lineinfo --help`. */
export const EXIT = {
  /** success (for validate: no errors found) */
  OK: 0,
  /** the command ran and found problems (validate: errors; lookup: never) */
  FINDINGS: 1,
  /** usage error, unreadable or malformed input, unwritable output */
  INPUT: 2,
} as const;

export class InputError extends Error {
  constructor(
    /** file the problem is in ('-' for stdin, '' when none) */
    readonly file: string,
    /** byte offset in that file, or null when the problem has no position */
    readonly offset: number | null,
    readonly detail: string,
  ) {
    super(formatLocation(file, offset) + detail);
    this.name = 'InputError';
  }
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function formatLocation(file: string, offset: number | null): string {
  const parts: string[] = [];
  if (file) parts.push(file);
  if (offset !== null) parts.push(`0x${offset.toString(16)}`);
  return parts.length ? parts.join(': ') + ': ' : '';
}

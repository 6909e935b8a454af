import { InputError } from '../errors.js';

/**
 * The one error the ELF reader throws. Every structural problem of the input (truncation, a table
 * or a section reaching past the end of the file, an index out of range, an unterminated string,
 * a bad entry size...) is reported as an ElfFormatError; anything else escaping the reader is a bug.
 *
 * It is an InputError (tools/errors.ts), so the CLI reports it as malformed input with its one-line
 * message `file: 0xoffset: detail`. Unlike InputError, `offset` is never null: it is the byte
 * offset in the file of the header field or table entry holding the offending value (e.g. the
 * `e_shoff` field, a section header, a symbol entry, an `st_name` field), so it lies inside the
 * file, except for truncation errors, where it is the first missing byte (the file size).
 */
export class ElfFormatError extends InputError {
  declare readonly offset: number;

  constructor(file: string, offset: number, detail: string) {
    super(file, offset, detail);
    this.name = 'ElfFormatError';
  }
}

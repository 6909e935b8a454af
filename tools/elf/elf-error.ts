/**
 * The one error the ELF reader throws. Every structural problem of the input (truncation, a table
 * or a section reaching past the end of the file, an index out of range, an unterminated string,
 * a bad entry size...) is reported as an ElfFormatError; anything else escaping the reader is a bug.
 *
 * `offset` is the byte offset in the file of the header field or table entry holding the offending
 * value (e.g. the `e_shoff` field, a section header, a symbol entry, an `st_name` field), so it
 * always lies inside the file, except for truncation errors, where it is the first missing byte
 * (the file size).
 */
export class ElfFormatError extends Error {
  /** The problem without the `file: 0xoffset: ` prefix. */
  readonly detail: string;

  constructor(
    readonly file: string,
    readonly offset: number,
    detail: string,
  ) {
    super(`${file}: 0x${offset.toString(16)}: ${detail}`);
    this.name = 'ElfFormatError';
    this.detail = detail;
  }
}

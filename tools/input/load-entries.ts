/**
 * Reads encoder input (schemas/encoder-input.schema.json) into a normalised LineTable, with
 * errors located by JSON path. The generator's line-0 drop, sort and de-duplication are applied
 * here so that `encode` emits exactly what the kernel's generator would.
 */
import { InputError } from '../errors.js';
import type { Endian } from '../format/endian.js';
import { checkTable, normaliseEntries, TableError } from '../model/line-table.js';
import type { LineTable } from '../model/line-table.js';
import type { LayoutId } from '../revisions/layout-id.js';
import { schemaError } from '../schemas/json-schemas.js';
import { readInputFile } from './load-input.js';
import { parse as parseJsonc, printParseErrorCode } from 'jsonc-parser';
import type { ParseError } from 'jsonc-parser';

export interface EncoderInput {
  readonly table: LineTable;
  readonly revision?: LayoutId;
  readonly endian?: Endian;
}

interface RawInput {
  revision?: LayoutId;
  endian?: Endian;
  files: string[];
  entries: { offset: number; file: number; line: number }[];
}

/** Where and why a file that is not meant as JSON fails as encoder input. */
function neitherElfNorJson(bytes: Uint8Array): [number, string] {
  const what = 'not an ELF file (no \\x7fELF magic) and not JSON encoder input';
  const first = bytes.findIndex((b) => !JSON_BLANK.has(b));
  if (first < 0) return [bytes.length, `${what}: ${bytes.length === 0 ? 'the file is empty' : 'the file holds only white space'}`];
  return [first, `${what}: byte 0x${bytes[first]!.toString(16).padStart(2, '0')} where a JSON object's "{" should be`];
}

/** JSON's white space: space, tab, line feed, carriage return. */
const JSON_BLANK = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Encoder input is a JSON object: a file whose first non-blank character opens one is meant as JSON. */
function looksLikeJson(text: string): boolean {
  return /^[ \t\n\r]*[{[]/.test(text);
}

export function loadEncoderInput(file: string): EncoderInput {
  const bytes = readInputFile(file);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // INPUT may be ELF or JSON: a file that is neither (an empty or stripped .ko, a raw section)
    // is told so, not shown a JSON parser's complaint about its first byte.
    if (!looksLikeJson(text)) throw new InputError(file, ...neitherElfNorJson(bytes));
    // JSON.parse does not always say where; jsonc-parser's strict scan does (in UTF-16 units).
    const errors: ParseError[] = [];
    parseJsonc(text, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
    const first = errors[0];
    const at = first ? Buffer.byteLength(text.slice(0, first.offset), 'utf8') : null;
    const what = first ? printParseErrorCode(first.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() : (e as Error).message.split('\n')[0];
    throw new InputError(file, at, `not valid JSON: ${what}`);
  }
  const problem = schemaError('encoder-input', json);
  if (problem) throw new InputError(file, null, `does not match schemas/encoder-input.schema.json: ${problem}`);
  const raw = json as RawInput;
  const rows = raw.entries.map((e) => ({ offset: e.offset, fileId: e.file, line: e.line }));
  const table: LineTable = { files: raw.files, entries: normaliseEntries(rows) };
  try {
    checkTable({ files: raw.files, entries: rows });
  } catch (e) {
    if (e instanceof TableError) throw new InputError(file, null, `${e.path}: ${e.detail}`);
    throw e;
  }
  return { table, ...(raw.revision ? { revision: raw.revision } : {}), ...(raw.endian ? { endian: raw.endian } : {}) };
}

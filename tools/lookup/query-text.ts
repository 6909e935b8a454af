/**
 * A lookup QUERY as typed: an offset or `SYMBOL+0xOFF[/0xSIZE]`. Only the text is judged here;
 * what the file says about it (does the symbol exist?) is the lookup's business.
 *
 * Offsets are read exactly, at any size: spec/FORMAT.md ("Lookup", common rules) says a lookup
 * given an offset outside [0, 2^32) MUST answer none, so `0x100000000` is a question with the
 * answer "-", not a usage error. Text that is no number and no symbol form (`-1`, `1.5`, `0x`)
 * is a usage error.
 */
import { UsageError } from '../errors.js';
import { parseSymbolRef } from './symbol-query.js';
import type { SymbolRef } from './symbol-query.js';

export type QueryText =
  | { readonly kind: 'offset'; readonly text: string; readonly offset: bigint }
  | { readonly kind: 'symbol'; readonly text: string; readonly ref: SymbolRef };

const OFFSET_FORM = /^(?:0x[0-9a-f]+|[0-9]+)$/i;

/** The largest offset a lineinfo table can answer: offsets are u32. */
export const MAX_TABLE_OFFSET = 0xffff_ffffn;

export function parseQueryText(text: string): QueryText {
  if (OFFSET_FORM.test(text)) return { kind: 'offset', text, offset: BigInt(text) };
  const ref = parseSymbolRef(text);
  if (ref === null) throw new UsageError(`QUERY "${text}" is neither an OFFSET (decimal or 0x hex) nor SYMBOL+0xOFF[/0xSIZE]`);
  if (ref.size !== null && ref.offset > ref.size) throw new UsageError(`${text} is past the given size 0x${ref.size.toString(16)}`);
  return { kind: 'symbol', text, ref };
}

/** How an offset query is printed back: hexadecimal, whatever base it was typed in. */
export function offsetLabel(offset: bigint): string {
  return `0x${offset.toString(16)}`;
}

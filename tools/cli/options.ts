/** Parsing of the option values every command shares. */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';
import { isEndian } from '../format/endian.js';
import type { Endian } from '../format/endian.js';
import { LAYOUT_ALIASES, LAYOUT_IDS, resolveLayoutName } from '../revisions/layout-id.js';
import type { LayoutId } from '../revisions/layout-id.js';

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parseCommandArgs(argv: string[], options: OptionSpec): ParsedArgs {
  try {
    const config: ParseArgsConfig = { args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true };
    const r = parseArgs(config);
    return { values: r.values as ParsedArgs['values'], positionals: r.positionals };
  } catch (e) {
    // Node's messages add advice on further lines; keep the first sentence, one line.
    throw new UsageError((e as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, ''));
  }
}

/**
 * The layout ids with their aliases, for --help texts, wrapped to `width` columns after the
 * first line and indented by `indent`: generated from the registry so help cannot go stale.
 */
export function layoutList(indent: number, width = 96): string {
  const aliases = new Map<string, string[]>();
  for (const [alias, id] of Object.entries(LAYOUT_ALIASES)) aliases.set(id, [...(aliases.get(id) ?? []), alias]);
  const words = LAYOUT_IDS.map((id, i) => `${id}${aliases.has(id) ? ` (= ${aliases.get(id)!.join(', ')})` : ''}${i + 1 < LAYOUT_IDS.length ? ',' : ''}`);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && indent + line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else {
      line = line ? `${line} ${w}` : w;
    }
  }
  lines.push(line);
  return lines.join('\n' + ' '.repeat(indent));
}

export function layoutOption(value: string | undefined): LayoutId | undefined {
  if (value === undefined) return undefined;
  const id = resolveLayoutName(value);
  if (id === null) {
    const aliases = Object.entries(LAYOUT_ALIASES).map(([a, l]) => `${a} (= ${l})`);
    throw new UsageError(`--revision must be one of ${[...LAYOUT_IDS, ...aliases].join(', ')}; got "${value}"`);
  }
  return id;
}

export function endianOption(value: string | undefined): Endian | undefined {
  if (value === undefined) return undefined;
  if (!isEndian(value)) throw new UsageError(`--endian must be le or be; got "${value}"`);
  return value;
}

/** A u32 given as decimal or 0x-prefixed hexadecimal. */
export function parseU32(text: string, what: string): number {
  const t = text.trim();
  const value = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t.slice(2), 16) : /^[0-9]+$/.test(t) ? parseInt(t, 10) : NaN;
  if (!Number.isSafeInteger(value)) throw new UsageError(`${what} "${text}" is not a number (decimal or 0x hex)`);
  if (value > 0xffff_ffff) throw new UsageError(`${what} "${text}" is beyond 4 GiB; lineinfo offsets are 32-bit`);
  return value;
}

export function str(v: string | boolean | string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

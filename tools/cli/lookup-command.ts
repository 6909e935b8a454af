import { EXIT, formatLocation, InputError, UsageError } from '../errors.js';
import { hex } from '../format/u32-math.js';
import { isElf, loadTable } from '../input/load-input.js';
import { resolveLayout } from '../input/resolve-layout.js';
import { mustViolations, strictLookup } from '../lookup/strict-lookup.js';
import { moduleFacts, tableFindings } from '../validate/validate-table.js';
import { pickSymbol, resolveSymbolRef } from '../lookup/symbol-query.js';
import { MAX_TABLE_OFFSET, offsetLabel, parseQueryText } from '../lookup/query-text.js';
import type { QueryText } from '../lookup/query-text.js';
import { blobViolations, isSectionedModule, lookupAddress, openSectionedModule, symbolQuery, textOffsetQuery } from '../lookup/module-lookup.js';
import type { AddressQuery } from '../lookup/module-lookup.js';
import type { LoadedTable } from '../input/load-input.js';
import type { LayoutId } from '../revisions/layout-id.js';
import type { Endian } from '../format/endian.js';
import type { CommandIo } from './command.js';
import type { LookupQuery } from '../revisions/layout.js';
import type { LookupAnswer } from '../revisions/layout.js';
import type { Command } from './command.js';
import { endianOption, layoutOption, parseCommandArgs, parseU32, str } from './options.js';

interface LookupOptions {
  layout?: LayoutId;
  endian?: Endian;
  mode: 'strict' | 'kernel';
  json: boolean;
  symbolStart?: number;
}

/** The answer "none" for an offset no table can hold (spec/FORMAT.md, Lookup: common rules). */
const BEYOND_U32 = 'offset outside [0, 2^32): no lineinfo table answers it';

/**
 * Runs `answer` for every query in order. A query that cannot be resolved (an unknown symbol, a
 * symbol query on a raw section) gets one error line naming the file and the query, and the
 * others are still answered; the status says whether any failed. Errors writing the answers are
 * not caught here: they end the command.
 */
function answerEach(file: string, queries: readonly QueryText[], answer: (q: QueryText) => () => void, io: CommandIo): number {
  let failed = 0;
  for (const q of queries) {
    let print: () => void;
    try {
      print = answer(q);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      failed++;
      io.err(`lineinfo: ${formatLocation(e.file || file, e.offset)}${q.text}: ${e.detail}\n`);
      continue;
    }
    print();
  }
  return failed > 0 ? EXIT.INPUT : EXIT.OK;
}

/**
 * v5/v7 modules: the module is loaded (addresses assigned, anchors relocated) and each query is
 * a run-time address, answered by .mod_lineinfo, then .init.mod_lineinfo.
 */
function sectionedLookups(table: LoadedTable, queries: readonly QueryText[], opts: LookupOptions, io: CommandIo): number {
  const m = openSectionedModule(table.elf!, opts);
  if (opts.mode === 'strict') {
    const bad = blobViolations(m)[0];
    if (bad) {
      const first = bad.blob.model.findings.find((f) => bad.rules.includes(f.rule))!;
      throw new InputError(table.file, bad.blob.section.offset + first.offset, `${bad.blob.name}: ${first.rule}: ${first.message} (use --mode kernel to see what a kernel would print)`);
    }
  }
  return answerEach(table.file, queries, (query) => {
    const label = query.kind === 'offset' ? offsetLabel(query.offset) : query.text;
    let q: AddressQuery;
    if (query.kind === 'offset') {
      if (query.offset > MAX_TABLE_OFFSET) return () => printAnswer(io, opts.json, { query: label, address: null, blob: null }, { kind: 'miss', reason: BEYOND_U32 });
      q = textOffsetQuery(m, Number(query.offset), opts.symbolStart);
    } else {
      const sym = pickSymbol(m.elf, query.ref, table.file);
      const at = symbolQuery(m, sym, query.ref.offset);
      if (at === null) throw new InputError(table.file, sym.entryOffset, `${query.ref.symbol} is not in an allocated section of the module`);
      q = at;
    }
    const { answer: a, blob } = lookupAddress(m, q, opts.mode);
    return () => {
      if (a.kind === 'fault') io.err(`lineinfo: warning: ${table.file}: ${hex(blob!.section.offset + a.offset)}: ${blob!.name}: ${a.reason}\n`);
      printAnswer(io, opts.json, { query: label, address: `0x${q.address.toString(16)}`, blob: blob?.name ?? null }, a);
    };
  }, io);
}

/** Single-table layouts: each query becomes a table offset (and symbol start). */
function tableLookups(table: LoadedTable, queries: readonly QueryText[], opts: LookupOptions, io: CommandIo): number {
  const r = resolveLayout(table, { layout: opts.layout, endian: opts.endian });
  if (opts.mode === 'strict') {
    // the module container's rules too (a .mod_lineinfo without SHF_ALLOC is never loaded), as validate checks them
    const findings = tableFindings(r, moduleFacts(table));
    const broken = mustViolations({ findings });
    if (broken.length) {
      const first = findings.find((f) => broken.includes(f.rule))!;
      throw new InputError(table.file, table.fileOffset + first.offset, `${first.rule}: ${first.message} (use --mode kernel to see what a kernel would print)`);
    }
  }
  return answerEach(table.file, queries, (query) => {
    const label = query.kind === 'offset' ? offsetLabel(query.offset) : query.text;
    if (query.kind === 'offset' && query.offset > MAX_TABLE_OFFSET) {
      return () => printAnswer(io, opts.json, { query: label, offset: Number(query.offset) }, { kind: 'miss', reason: BEYOND_U32 });
    }
    const q = tableQuery(table, query, opts.symbolStart);
    if (typeof q === 'string') return () => printAnswer(io, opts.json, { query: label }, { kind: 'miss', reason: q });
    const a: LookupAnswer = opts.mode === 'strict' ? strictLookup(r.model, q) : r.layout.lookupKernel(table.bytes, r.endian, q, table.symbols);
    return () => {
      if (a.kind === 'fault') io.err(`lineinfo: warning: ${table.file}: ${hex(table.fileOffset + a.offset)}: ${a.reason}\n`);
      printAnswer(io, opts.json, { query: label, offset: q.offset }, a);
    };
  }, io);
}

/** A query as an offset into the table, or why no table covers it (a string: answer none). */
function tableQuery(table: LoadedTable, query: QueryText, symbolStart: number | undefined): LookupQuery | string {
  if (query.kind === 'offset') {
    const offset = Number(query.offset);
    return symbolStart === undefined ? { offset } : { offset, symbolStart };
  }
  if (!table.elf || !table.container) {
    const why = isElf(table.bytes) ? 'the file is read as a raw section (--raw)' : 'the file has no \\x7fELF magic';
    throw new InputError(table.file, 0, `a symbol query needs an ELF file with a symbol table; ${why}`);
  }
  const r = resolveSymbolRef(table.elf, query.ref, table.container, table.file);
  if ('uncovered' in r) return r.uncovered;
  return { offset: r.offset, symbolStart: symbolStart ?? r.symbolStart };
}

/** One answer line: "QUERY file:line" or "QUERY -"; with --json one object, `base` first. */
function printAnswer(io: CommandIo, json: boolean, base: Record<string, unknown>, a: LookupAnswer): void {
  if (json) {
    const full = { ...base, answer: a.kind, ...(a.kind === 'hit' ? { file: a.file, line: a.line } : { reason: a.reason }) };
    io.out(JSON.stringify(full) + '\n');
  } else {
    io.out(`${base.query as string} ${a.kind === 'hit' ? `${a.file}:${a.line}` : '-'}\n`);
  }
}

export const lookupCommand: Command = {
  name: 'lookup',
  summary: 'resolve offsets to file:line exactly as the kernel does',
  usage: `Usage: lineinfo lookup FILE QUERY... [--symbol-start OFF] [--mode strict|kernel]
                       [--revision R] [--endian le|be] [--raw] [--json]

A QUERY is an OFFSET (decimal or 0x hex, relative to module text or vmlinux _text), or, for an
ELF FILE, SYMBOL+0xOFF[/0xSIZE] as a stack trace prints it: the symbol is resolved through the
symbol table (SIZE picks among equal names) and the kernel's symbol-start rule is applied. An
OFFSET of 2^32 or more is answered "-" (spec/FORMAT.md: a lookup outside [0, 2^32) answers none).

A module with sectioned blobs (v5 = v6, v7) is loaded first, as a kernel would: its allocated
sections get run-time addresses and the anchor relocations are applied (an unknown relocation
type is an error, as it fails a real load); SYMBOL+0xOFF is then an address in the symbol's
section (.text, .exit.text, .noinstr.text or .init.text), an OFFSET one in .text, and
.mod_lineinfo answers first, then .init.mod_lineinfo. v5 and v7 blobs have the same bytes: they
are looked up as v7 (with the symbol-start bound) unless --revision v5 (or v6) is given.
Prints one line per query, in order: "0xOFFSET file:line" (or "SYMBOL+0xOFF file:line"), with
"-" in place of file:line when the kernel would print no annotation. A query that cannot be
resolved (no such symbol; a symbol query on a raw section) prints instead one line on stderr,
"lineinfo: FILE: [0xOFFSET: ]QUERY: what", and the other queries are still answered.

Options:
  --symbol-start OFF  offset of the enclosing symbol's first byte: entries before it are not
                      used (the v1 kernel's check that keeps assembly routines from inheriting
                      the preceding function's line)
  --mode strict       (default) check the whole table first; a table that breaks a MUST rule
                      is an error
  --mode kernel       run the kernel's own algorithm on whatever the bytes are, reads bounds-
                      checked; where the kernel would read outside the section, print "-" and
                      say so on stderr
  --revision R, --endian E, --raw   as for lineinfo dump
  --json              one JSON object per query: {query, offset, answer, file?, line?, reason?}
                      (sectioned modules: address and blob in place of offset)
  -h, --help          show this help

Exit status: 0 on success; 2 on unreadable input, a usage error (a QUERY that is neither a
number nor SYMBOL+0xOFF), a query that could not be resolved (after answering all the others),
or (strict mode) a table that breaks a MUST rule.`,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      'symbol-start': { type: 'string' },
      mode: { type: 'string' },
      revision: { type: 'string' },
      endian: { type: 'string' },
      raw: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (values.help) return io.help(this.usage);
    if (positionals.length < 2) throw new UsageError('lookup takes FILE and at least one OFFSET');
    const mode = str(values.mode) ?? 'strict';
    if (mode !== 'strict' && mode !== 'kernel') throw new UsageError(`--mode must be strict or kernel; got "${mode}"`);
    const symbolStartText = str(values['symbol-start']);
    const symbolStart = symbolStartText === undefined ? undefined : parseU32(symbolStartText, '--symbol-start');
    // Malformed QUERY text is a usage error, found before any work.
    const queries = positionals.slice(1).map(parseQueryText);
    const layout = layoutOption(str(values.revision));
    const endian = endianOption(str(values.endian));
    const table = loadTable(positionals[0]!, { raw: values.raw === true });
    const opts: LookupOptions = { ...(layout ? { layout } : {}), ...(endian ? { endian } : {}), mode, json: values.json === true, ...(symbolStart === undefined ? {} : { symbolStart }) };
    if (table.elf && table.container === 'module' && isSectionedModule(table.elf, layout)) return sectionedLookups(table, queries, opts, io);
    return tableLookups(table, queries, opts, io);
  },
};

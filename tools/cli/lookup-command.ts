import { EXIT, InputError, UsageError } from '../errors.js';
import { hex } from '../format/u32-math.js';
import { loadTable } from '../input/load-input.js';
import { resolveLayout } from '../input/resolve-layout.js';
import { mustViolations, strictLookup } from '../lookup/strict-lookup.js';
import { parseSymbolRef, pickSymbol, resolveSymbolRef } from '../lookup/symbol-query.js';
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

/**
 * v5/v7 modules: the module is loaded (addresses assigned, anchors relocated) and each query is
 * a run-time address, answered by .mod_lineinfo, then .init.mod_lineinfo.
 */
function sectionedLookups(table: LoadedTable, texts: string[], opts: { layout?: LayoutId; endian?: Endian; mode: string; json: boolean; symbolStart?: number }, io: CommandIo): number {
  const m = openSectionedModule(table.elf!, { ...(opts.layout ? { layout: opts.layout } : {}), ...(opts.endian ? { endian: opts.endian } : {}) });
  if (opts.mode === 'strict') {
    const bad = blobViolations(m)[0];
    if (bad) {
      const first = bad.blob.model.findings.find((f) => bad.rules.includes(f.rule))!;
      throw new InputError(table.file, bad.blob.section.offset + first.offset, `${bad.blob.name}: ${first.rule}: ${first.message} (use --mode kernel to see what a kernel would print)`);
    }
  }
  for (const text of texts) {
    const ref = /^(0x[0-9a-f]+|\d+)$/i.test(text) ? null : parseSymbolRef(text);
    let q: AddressQuery | null;
    if (ref === null) q = textOffsetQuery(m, parseU32(text, 'OFFSET'), opts.symbolStart);
    else {
      const sym = pickSymbol(m.elf, ref, table.file);
      if (ref.size !== null && ref.offset > ref.size) throw new UsageError(`${text} is past the given size 0x${ref.size.toString(16)}`);
      q = symbolQuery(m, sym, ref.offset);
      if (q === null) throw new InputError(table.file, sym.entryOffset, `${ref.symbol} is not in an allocated section of the module`);
    }
    const { answer: a, blob } = lookupAddress(m, q, opts.mode === 'strict' ? 'strict' : 'kernel');
    if (a.kind === 'fault') io.err(`lineinfo: warning: ${table.file}: ${hex(blob!.section.offset + a.offset)}: ${blob!.name}: ${a.reason}\n`);
    const label = ref === null ? hex(parseU32(text, 'OFFSET')) : text;
    if (opts.json) {
      const base = { query: label, address: `0x${q.address.toString(16)}`, blob: blob?.name ?? null, answer: a.kind };
      io.out(JSON.stringify(a.kind === 'hit' ? { ...base, file: a.file, line: a.line } : { ...base, reason: a.reason }) + '\n');
    } else {
      io.out(`${label} ${a.kind === 'hit' ? `${a.file}:${a.line}` : '-'}\n`);
    }
  }
  return EXIT.OK;
}

export const lookupCommand: Command = {
  name: 'lookup',
  summary: 'resolve offsets to file:line exactly as the kernel does',
  usage: `Usage: lineinfo lookup FILE QUERY... [--symbol-start OFF] [--mode strict|kernel]
                       [--revision R] [--endian le|be] [--raw] [--json]

A QUERY is an OFFSET (decimal or 0x hex, relative to module text or vmlinux _text), or, for an
ELF FILE, SYMBOL+0xOFF[/0xSIZE] as a stack trace prints it: the symbol is resolved through the
symbol table (SIZE picks among equal names) and the kernel's symbol-start rule is applied.

A module with sectioned blobs (v5 = v6, v7) is loaded first, as a kernel would: its allocated
sections get run-time addresses and the anchor relocations are applied (an unknown relocation
type is an error, as it fails a real load); SYMBOL+0xOFF is then an address in the symbol's
section (.text, .exit.text, .noinstr.text or .init.text), an OFFSET one in .text, and
.mod_lineinfo answers first, then .init.mod_lineinfo. v5 and v7 blobs have the same bytes: they
are looked up as v7 (with the symbol-start bound) unless --revision v5 (or v6) is given.
Prints one line per query: "0xOFFSET file:line" (or "SYMBOL+0xOFF file:line"), with "-" in
place of file:line when the kernel would print no annotation.

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
  -h, --help          show this help

Exit status: 0 on success; 2 on unreadable input, a usage error, or (strict mode) a table that
breaks a MUST rule.`,
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
    const table = loadTable(positionals[0]!, { raw: values.raw === true });
    const layoutId = layoutOption(str(values.revision));
    const endianId = endianOption(str(values.endian));
    if (table.elf && table.container === 'module' && isSectionedModule(table.elf, layoutId)) {
      return sectionedLookups(table, positionals.slice(1), { ...(layoutId ? { layout: layoutId } : {}), ...(endianId ? { endian: endianId } : {}), mode, json: values.json === true, ...(symbolStart === undefined ? {} : { symbolStart }) }, io);
    }
    const queries = positionals.slice(1).map((text): { label: string; q: LookupQuery | string } => {
      const ref = /^(0x[0-9a-f]+|\d+)$/i.test(text) ? null : parseSymbolRef(text);
      if (ref === null) {
        const offset = parseU32(text, 'OFFSET');
        return { label: hex(offset), q: symbolStart === undefined ? { offset } : { offset, symbolStart } };
      }
      if (!table.elf || !table.container) throw new UsageError(`${text}: symbol queries need an ELF file with a symbol table`);
      const r = resolveSymbolRef(table.elf, ref, table.container, table.file);
      if ('uncovered' in r) return { label: text, q: r.uncovered };
      return { label: text, q: { offset: r.offset, symbolStart: symbolStart ?? r.symbolStart } };
    });
    const r = resolveLayout(table, { layout: layoutOption(str(values.revision)), endian: endianOption(str(values.endian)) });
    if (mode === 'strict') {
      const broken = mustViolations(r.model);
      if (broken.length) {
        const first = r.model.findings.find((f) => broken.includes(f.rule))!;
        throw new InputError(table.file, table.fileOffset + first.offset, `${first.rule}: ${first.message} (use --mode kernel to see what a kernel would print)`);
      }
    }
    for (const { label, q } of queries) {
      if (typeof q === 'string') {
        io.out(values.json ? JSON.stringify({ query: label, answer: 'miss', reason: q }) + '\n' : `${label} -\n`);
        continue;
      }
      const a: LookupAnswer = mode === 'strict' ? strictLookup(r.model, q) : r.layout.lookupKernel(table.bytes, r.endian, q, table.symbols);
      if (a.kind === 'fault') io.err(`lineinfo: warning: ${table.file}: ${hex(table.fileOffset + a.offset)}: ${a.reason}\n`);
      if (values.json) {
        const base = { query: label, offset: q.offset, answer: a.kind };
        io.out(JSON.stringify(a.kind === 'hit' ? { ...base, file: a.file, line: a.line } : { ...base, reason: a.reason }) + '\n');
      } else {
        io.out(`${label} ${a.kind === 'hit' ? `${a.file}:${a.line}` : '-'}\n`);
      }
    }
    return EXIT.OK;
  },
};

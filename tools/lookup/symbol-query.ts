/**
 * `SYMBOL+0xOFF[/0xSIZE]` queries, resolved through the ELF symbol table into a table offset and
 * the symbol's start, so the kernel's symbol-start rule can be applied as a kernel would.
 */
import type { ElfFile, ElfSymbol } from '../elf/elf-file.js';
import { functionEntrySymbol } from '../elf/function-descriptors.js';
import { InputError, UsageError } from '../errors.js';
import { moduleTextLayout } from '../symbolize/module-text-layout.js';
import type { Container } from '../revisions/layout.js';

export interface SymbolRef {
  readonly symbol: string;
  readonly offset: number;
  readonly size: number | null;
}

const SYMBOL_FORM = /^([A-Za-z_.$][\w.$]*)(?:\+(0x[0-9a-fA-F]+|\d+))?(?:\/(0x[0-9a-fA-F]+|\d+))?$/;

export function parseSymbolRef(text: string): SymbolRef | null {
  const m = SYMBOL_FORM.exec(text);
  if (!m) return null;
  const num = (s: string | undefined): number | null => (s === undefined ? null : s.startsWith('0x') ? parseInt(s.slice(2), 16) : parseInt(s, 10));
  return { symbol: m[1]!, offset: num(m[2]) ?? 0, size: num(m[3]) };
}

export type ResolvedQuery =
  | {
      /** offset from the table base (module text / vmlinux _text) */
      readonly offset: number;
      /** the symbol's own start, as a table offset */
      readonly symbolStart: number;
    }
  /** the symbol lives where no lineinfo table reaches (e.g. a module's .init.text in v1) */
  | { readonly uncovered: string };

const STT_FUNC = 2;
const STT_NOTYPE = 0;

/**
 * Candidate code symbols with that name; with a size given, the one of that size. The symbol
 * returned is where `symbol+offset` is measured from: a ppc64 ELFv1 descriptor symbol (in `.opd`)
 * comes back placed at its function's entry point (elf/function-descriptors.ts), so lookup and
 * symbolize, which both resolve through here, use the code's section and offset.
 */
export function pickSymbol(elf: ElfFile, ref: SymbolRef, file: string): ElfSymbol {
  return functionEntrySymbol(elf, pickNamedSymbol(elf, ref, file));
}

function pickNamedSymbol(elf: ElfFile, ref: SymbolRef, file: string): ElfSymbol {
  const all = elf.symbols().filter((s) => s.name === ref.symbol && s.shndx !== 0 && (s.type === STT_FUNC || s.type === STT_NOTYPE) && elf.symbolSection(s));
  if (all.length === 0) throw new InputError(file, null, `no function symbol named ${ref.symbol}`);
  const sized = ref.size === null ? all : all.filter((s) => Number(s.size) === ref.size);
  const pick = sized[0] ?? all[0]!;
  if (sized.length > 1) {
    throw new InputError(file, pick.entryOffset, `${sized.length} symbols are named ${ref.symbol}${ref.size === null ? '' : ` with size ${ref.size}`}; give /0xSIZE to choose`);
  }
  return pick;
}

export function resolveSymbolRef(elf: ElfFile, ref: SymbolRef, container: Container, file: string): ResolvedQuery {
  const sym = pickSymbol(elf, ref, file);
  if (ref.size !== null && ref.offset > ref.size) throw new UsageError(`${ref.symbol}+0x${ref.offset.toString(16)} is past the given size 0x${ref.size.toString(16)}`);
  if (container === 'module') {
    const base = moduleTextLayout(elf).get(sym.shndx);
    if (base === undefined) {
      const name = elf.sections[sym.shndx]?.name ?? '?';
      return { uncovered: `${ref.symbol} is in ${name}, outside module text: the v1 table does not cover it` };
    }
    const start = base + Number(sym.value);
    return { offset: start + ref.offset, symbolStart: start };
  }
  const text = elf.findSymbol('_text');
  if (!text) throw new InputError(file, null, 'no _text symbol: cannot compute offsets for vmlinux tables');
  const start = Number(sym.value - text.value);
  if (start < 0) throw new InputError(file, sym.entryOffset, `${ref.symbol} lies below _text`);
  return { offset: start + ref.offset, symbolStart: start };
}

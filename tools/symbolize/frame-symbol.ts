/**
 * Which symbol of a module a frame `name+0xOFF/0xSIZE` names. A module may define several local
 * symbols of one name (static functions of different files); the size kallsyms printed tells
 * them apart. kallsyms measures that size from the symbol's start to the next symbol it knows
 * (or the end of the module's text), so it is st_size plus any alignment padding: a candidate
 * fits when the printed size is its st_size or that distance. A frame is resolved only when
 * exactly one candidate fits; otherwise the reason is returned, and the frame stays as it was
 * (an annotation from the wrong function, or from another build of the module, would mislead).
 */
import type { ElfFile, ElfSymbol } from '../elf/elf-file.js';
import { ElfFormatError } from '../elf/elf-error.js';
import { functionEntrySymbol } from '../elf/function-descriptors.js';

export interface FrameRef {
  readonly symbol: string;
  readonly offset: number;
  readonly size: number;
}

const STT_NOTYPE = 0;
const STT_FUNC = 2;
const STT_SECTION = 3;
const STT_FILE = 4;
const SHF_ALLOC = 0x2n;
const SHF_EXECINSTR = 0x4n;

/** Names kallsyms leaves out: ARM/AArch64/RISC-V mapping symbols and local labels. */
function kallsymsIgnores(name: string): boolean {
  return name === '' || name.startsWith('$') || name.startsWith('.L') || name.startsWith('L0');
}

/**
 * Where a symbol lies in the memory kallsyms measures in (module text offsets, or run-time
 * addresses): its start and the end of its section; null for a symbol it cannot place.
 */
export type SymbolPlacement = (sym: ElfSymbol) => { readonly start: bigint; readonly sectionEnd: bigint } | null;

/**
 * The symbol as kallsyms places it: a ppc64 ELFv1 function descriptor in `.opd` at its
 * function's entry point (functionEntrySymbol); null when the descriptor cannot be followed.
 */
function atEntry(elf: ElfFile, sym: ElfSymbol): ElfSymbol | null {
  try {
    return functionEntrySymbol(elf, sym);
  } catch (e) {
    if (e instanceof ElfFormatError) return null;
    throw e;
  }
}

/** Symbols in executable allocated sections that kallsyms would list, as sorted start positions. */
function codeSymbolStarts(elf: ElfFile, place: SymbolPlacement): bigint[] {
  const starts = new Set<bigint>();
  for (const raw of elf.symbols()) {
    if (raw.type === STT_SECTION || raw.type === STT_FILE || kallsymsIgnores(raw.name)) continue;
    const s = atEntry(elf, raw);
    if (s === null) continue;
    const section = elf.symbolSection(s);
    if (!section || (section.flags & (SHF_ALLOC | SHF_EXECINSTR)) !== (SHF_ALLOC | SHF_EXECINSTR)) continue;
    const at = place(s);
    if (at !== null) starts.add(at.start);
  }
  return [...starts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * True when `printed` is the distance kallsyms would print for `sym`: to the next symbol it
 * knows, or, for the last one, to the end of the module's text (taken as the end of the
 * symbol's section: the loader may align that end further, and such a frame stays unannotated).
 */
function fitsGap(sym: ElfSymbol, printed: bigint, starts: readonly bigint[], place: SymbolPlacement): boolean {
  const at = place(sym);
  if (at === null) return false;
  const next = starts.find((s) => s > at.start) ?? at.sectionEnd;
  return next - at.start === printed;
}

/**
 * The module's defined function (or untyped) symbols by name, placed at their entry points: built
 * once per file, not once per frame (a log names a module in many frames).
 */
const byNameCache = new WeakMap<ElfFile, Map<string, ElfSymbol[]>>();
function candidatesByName(elf: ElfFile): Map<string, ElfSymbol[]> {
  let m = byNameCache.get(elf);
  if (m === undefined) {
    m = new Map();
    for (const raw of elf.symbols()) {
      if (raw.shndx === 0 || (raw.type !== STT_FUNC && raw.type !== STT_NOTYPE) || !elf.symbolSection(raw)) continue;
      const s = atEntry(elf, raw);
      if (s === null) continue;
      const list = m.get(s.name);
      if (list) list.push(s);
      else m.set(s.name, [s]);
    }
    byNameCache.set(elf, m);
  }
  return m;
}

/** The one symbol `ref` names, or why there is none. */
export function chooseFrameSymbol(elf: ElfFile, ref: FrameRef, place: SymbolPlacement): ElfSymbol | string {
  const named = candidatesByName(elf).get(ref.symbol) ?? [];
  const size = `0x${ref.size.toString(16)}`;
  if (named.length === 0) return `no function symbol named ${ref.symbol}`;
  if (ref.offset >= ref.size) return `offset 0x${ref.offset.toString(16)} is not inside the printed size ${size}`;
  const printed = BigInt(ref.size);
  // The distances are computed only when a size does not settle it (a symbol table walk).
  let starts: bigint[] | null = null;
  const fitting = named.filter((s) => {
    if (s.size === printed) return true;
    starts ??= codeSymbolStarts(elf, place);
    return fitsGap(s, printed, starts, place);
  });
  if (fitting.length === 1) return fitting[0]!;
  const sizes = named.map((s) => `0x${s.size.toString(16)}`).join(', ');
  if (fitting.length === 0) return `no symbol ${ref.symbol} has size ${size} (${named.length === 1 ? 'its size is' : `${named.length} symbols, sizes`} ${sizes}): another build of the module?`;
  return `${fitting.length} symbols ${ref.symbol} fit size ${size}: ambiguous`;
}

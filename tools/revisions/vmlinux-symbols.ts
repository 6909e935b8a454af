/**
 * vmlinux tables are separate `lineinfo_*` symbols in `.rodata`, emitted in a fixed order with
 * fixed alignments. lineinfo-kit represents them as a "table image": the bytes from
 * `lineinfo_num_entries` onwards. With an ELF file we know every symbol's offset in the image;
 * with an image file alone the layout derives them as the assembler would place them.
 */
import { hex } from '../format/u32-math.js';
import type { SymbolOffsets } from './layout.js';
import type { ModelBuilder } from './model-builder.js';

/**
 * Resolves symbol offsets: the ELF's where given (the kernel follows the symbols), otherwise the
 * derived ones. Reports LI-VML-001 when given symbols are missing or not where the generator's
 * order and alignment put them.
 */
export function resolveSymbols(
  m: ModelBuilder,
  names: readonly string[],
  derived: Readonly<Record<string, number>>,
  given: SymbolOffsets | undefined,
): Record<string, number> {
  if (!given) return { ...derived };
  const out: Record<string, number> = {};
  for (const name of names) {
    const at = given[name];
    if (at === undefined) {
      m.find('LI-VML-001', name, 0, 0, `symbol ${name} is not defined`);
      out[name] = derived[name]!;
      continue;
    }
    out[name] = at;
    const want = derived[name];
    if (want !== undefined && want !== at) {
      m.find('LI-VML-001', name, at, 0, `symbol ${name} is at image offset ${hex(at)}, the generator's layout puts it at ${hex(want)}`);
    }
  }
  return out;
}

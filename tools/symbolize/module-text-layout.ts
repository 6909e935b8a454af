/**
 * Where the module loader puts each executable section inside the module's text memory
 * (MOD_TEXT), which is what the v1 kernel's lookup measures offsets from. Mirrors the loader's
 * rule: SHF_ALLOC|SHF_EXECINSTR sections not named `.init*`, in section-header order, each
 * aligned to its sh_addralign. Architecture-specific extras (PLT stubs, etc.) are not modelled;
 * `.text` comes first in practice, so its offsets are exact.
 */
import type { ElfFile } from '../elf/elf-file.js';

const SHF_ALLOC = 0x2n;
const SHF_EXECINSTR = 0x4n;

export function moduleTextLayout(elf: ElfFile): Map<number, number> {
  const layout = new Map<number, number>();
  let size = 0;
  for (const s of elf.sections) {
    if ((s.flags & (SHF_ALLOC | SHF_EXECINSTR)) !== (SHF_ALLOC | SHF_EXECINSTR) || s.name.startsWith('.init')) continue;
    const align = Number(s.addralign > 1n ? s.addralign : 1n);
    size = Math.ceil(size / align) * align;
    layout.set(s.index, size);
    size += s.size;
  }
  return layout;
}

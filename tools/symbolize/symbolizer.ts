/**
 * Annotates module frames of a kernel log the way a kernel with
 * CONFIG_KALLSYMS_LINEINFO_MODULES prints them: ` (file:line)` right after `[module]`.
 *
 * Call-trace frames print return addresses (%pB): the kernel looks up address - 1, and in v1 its
 * symbol-start bound is then one byte below the symbol (spec/FORMAT.md, W20); RIP/pc lines print
 * the address itself (%pS). Frames whose module, symbol or table cannot be found stay unchanged.
 */
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { parseElf, ElfFormatError } from '../elf/elf-file.js';
import type { ElfFile } from '../elf/elf-file.js';
import { MODULE_SECTION } from '../input/load-input.js';
import { resolveLayout } from '../input/resolve-layout.js';
import type { ResolvedTable } from '../input/resolve-layout.js';
import { pickSymbol, resolveSymbolRef } from '../lookup/symbol-query.js';
import { isSectionedModule, lookupAddress, openSectionedModule, symbolQuery } from '../lookup/module-lookup.js';
import type { SectionedModule } from '../lookup/module-lookup.js';
import { alreadyAnnotated, findModuleFrames } from './frame-pattern.js';
import { moduleKey } from './module-index.js';

interface LoadedModule {
  readonly elf: ElfFile;
  readonly bytes: Uint8Array;
  readonly table: ResolvedTable;
  /** v5/v7 modules: loaded, blobs relocated (lookups by run-time address) */
  readonly sectioned?: SectionedModule;
}

export interface SymbolizeStats {
  frames: number;
  annotated: number;
  unresolved: Map<string, string>;
}

export class Symbolizer {
  private readonly cache = new Map<string, LoadedModule | string>();
  readonly stats: SymbolizeStats = { frames: 0, annotated: 0, unresolved: new Map() };

  constructor(
    private readonly modules: ReadonlyMap<string, string>,
    private readonly options: { exact: boolean } = { exact: false },
  ) {}

  /** One module, loaded once; a string is the reason it cannot be used. */
  private load(name: string): LoadedModule | string {
    const key = moduleKey(name);
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const path = this.modules.get(key);
    let result: LoadedModule | string;
    if (!path) result = `module ${name} not found`;
    else {
      try {
        let bytes: Uint8Array = new Uint8Array(readFileSync(path));
        if (path.endsWith('.gz')) bytes = new Uint8Array(gunzipSync(bytes, { maxOutputLength: 1 << 30 }));
        const elf = parseElf(bytes, path);
        const section = elf.sectionByName(MODULE_SECTION);
        if (!section || section.fileRange === null) result = `${path} has no ${MODULE_SECTION} section`;
        else if (isSectionedModule(elf)) {
          const sectioned = openSectionedModule(elf);
          result = { elf, bytes: section.data(), table: { layout: sectioned.layout, endian: sectioned.endian, model: sectioned.blobs[0]!.model, detected: true, alsoFits: [] }, sectioned };
        } else {
          const table = resolveLayout(
            { file: path, container: 'module', bytes: section.data(), fileOffset: section.offset, source: 'elf', sectionName: MODULE_SECTION, endian: elf.endian },
            {},
          );
          result = { elf, bytes: section.data(), table };
        }
      } catch (e) {
        if (e instanceof ElfFormatError || e instanceof InputError || (e instanceof Error && 'code' in e)) result = `${path}: ${e.message}`;
        else throw e;
      }
    }
    this.cache.set(key, result);
    return result;
  }

  annotateLine(line: string): string {
    const frames = findModuleFrames(line);
    if (frames.length === 0) return line;
    let out = '';
    let at = 0;
    for (const f of frames) {
      this.stats.frames++;
      out += line.slice(at, f.end);
      at = f.end;
      if (alreadyAnnotated(line, f)) continue;
      const note = this.annotation(f.module, f.symbol, f.offset, f.size, f.returnAddress && !this.options.exact);
      if (note) {
        out += note;
        this.stats.annotated++;
      }
    }
    return out + line.slice(at);
  }

  private annotation(module: string, symbol: string, offset: number, size: number, returnAddress: boolean): string | null {
    const m = this.load(module);
    if (typeof m === 'string') {
      this.stats.unresolved.set(module, m);
      return null;
    }
    if (m.sectioned) return this.sectionedAnnotation(m.sectioned, module, symbol, offset, size, returnAddress);
    let r;
    try {
      r = resolveSymbolRef(m.elf, { symbol, offset, size }, 'module', module);
    } catch (e) {
      if (e instanceof InputError) return null;
      throw e;
    }
    if ('uncovered' in r) return null;
    const q = returnAddress && offset > 0 ? { offset: r.offset - 1, symbolStart: r.symbolStart - 1 } : { offset: r.offset, symbolStart: r.symbolStart };
    const a = m.table.layout.lookupKernel(m.bytes, m.table.endian, q);
    return a.kind === 'hit' ? ` (${a.file}:${a.line})` : null;
  }

  /**
   * v5/v7: the frame's run-time address in the loaded module (address - 1 for a return address);
   * v7's bound uses the symbol's true start (computed before the offset is taken off).
   */
  private sectionedAnnotation(m: SectionedModule, module: string, symbol: string, offset: number, size: number, returnAddress: boolean): string | null {
    let q;
    try {
      const sym = pickSymbol(m.elf, { symbol, offset, size }, module);
      q = symbolQuery(m, sym, offset);
    } catch (e) {
      if (e instanceof InputError) return null;
      throw e;
    }
    if (q === null) return null;
    const address = returnAddress && offset > 0 ? q.address - 1n : q.address;
    const a = lookupAddress(m, { address, ...(q.symbolAddress === undefined ? {} : { symbolAddress: q.symbolAddress }) }, 'kernel').answer;
    return a.kind === 'hit' ? ` (${a.file}:${a.line})` : null;
  }
}

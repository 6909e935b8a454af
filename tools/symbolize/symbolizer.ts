/**
 * Annotates module frames of a kernel log the way a kernel with
 * CONFIG_KALLSYMS_LINEINFO_MODULES prints them: ` (file:line)` right after `[module]`.
 *
 * Call-trace frames print return addresses (%pB): the kernel looks up address - 1, and in v1 its
 * symbol-start bound is then one byte below the symbol (spec/FORMAT.md, W20); register lines
 * (RIP:, pc :, NIP, ...) print the address itself (%pS). Frames whose module, symbol or table
 * cannot be found stay unchanged, and the reason is kept for --verbose.
 *
 * Text is latin1 (log-lines.ts): the log's bytes pass through untouched; an annotation is the
 * UTF-8 encoding of the file name, written as latin1 characters so it leaves as those bytes.
 * Modules load asynchronously (xz decompression is), so a piece is annotated in two steps:
 * `load(piece)` for the modules it names, then the synchronous `annotate(piece)`.
 */
import { InputError } from '../errors.js';
import { parseElf } from '../elf/elf-file.js';
import type { ElfFile } from '../elf/elf-file.js';
import { MODULE_SECTION } from '../input/load-input.js';
import { resolveLayout } from '../input/resolve-layout.js';
import type { ResolvedTable } from '../input/resolve-layout.js';
import { isSectionedModule, lookupAddress, openSectionedModule, symbolQuery } from '../lookup/module-lookup.js';
import type { SectionedModule } from '../lookup/module-lookup.js';
import type { LayoutId } from '../revisions/layout-id.js';
import { alreadyAnnotated, findModuleFrames } from './frame-pattern.js';
import type { ModuleFrame } from './frame-pattern.js';
import { chooseFrameSymbol } from './frame-symbol.js';
import type { SymbolPlacement } from './frame-symbol.js';
import type { LogPiece } from './log-lines.js';
import { readModuleFile } from './module-file.js';
import { moduleKey } from './module-index.js';
import { moduleTextLayout } from './module-text-layout.js';

type LoadedModule =
  | { readonly kind: 'flat'; readonly elf: ElfFile; readonly bytes: Uint8Array; readonly table: ResolvedTable; readonly text: ReadonlyMap<number, number> }
  /** v5/v7 modules: loaded, blobs relocated (lookups by run-time address) */
  | { readonly kind: 'sectioned'; readonly module: SectionedModule };

export interface SymbolizeOptions {
  /** look every frame up as printed (no return-address adjustment) */
  readonly exact?: boolean;
  /** read every module's table with this layout instead of detecting it */
  readonly layout?: LayoutId;
  /** refuse modules that decompress to more bytes (tests use a small cap) */
  readonly maxModuleBytes?: number;
}

/** At most this many distinct reasons are kept for --verbose; the rest are counted. */
const MAX_REASONS = 1000;

export interface SymbolizeStats {
  frames: number;
  annotated: number;
  /** module name or frame text -> why it was left unannotated */
  unresolved: Map<string, string>;
  /** reasons not kept once `unresolved` was full */
  moreUnresolved: number;
}

/** ` (file:line)` as the latin1 characters of its UTF-8 bytes. */
function annotationText(file: string, line: number): string {
  return Buffer.from(` (${file}:${line})`, 'utf8').toString('latin1');
}

/** A message naming `path` once: InputErrors for the file already start with it. */
function failure(path: string, e: unknown): string | null {
  if (e instanceof InputError) return e.file ? e.message : `${path}: ${e.message}`;
  if (e instanceof Error && 'code' in e) return `${path}: ${e.message}`;
  return null;
}

export class Symbolizer {
  private readonly cache = new Map<string, LoadedModule | string>();
  readonly stats: SymbolizeStats = { frames: 0, annotated: 0, unresolved: new Map(), moreUnresolved: 0 };

  constructor(
    private readonly modules: ReadonlyMap<string, string>,
    private readonly options: SymbolizeOptions = {},
  ) {}

  /** The piece's module frames (from `piece.from` on): found once, then given to `load` and `annotate`. */
  framesOf(piece: LogPiece): ModuleFrame[] {
    const frames = findModuleFrames(piece.text);
    return piece.from === 0 ? frames : frames.filter((f) => f.start >= piece.from);
  }

  /** True when `annotate` can run without `load` first (the common case: all modules cached). */
  loaded(frames: readonly ModuleFrame[]): boolean {
    return frames.every((f) => this.cache.has(moduleKey(f.module)));
  }

  /** Loads (once) every module the frames name. */
  async load(frames: readonly ModuleFrame[]): Promise<void> {
    for (const f of frames) {
      const key = moduleKey(f.module);
      if (!this.cache.has(key)) this.cache.set(key, await this.open(f.module));
    }
  }

  /** The piece's own text (from `piece.from` on) with annotations inserted after its `frames`. */
  annotate(piece: LogPiece, frames: readonly ModuleFrame[]): string {
    const { text } = piece;
    if (frames.length === 0) return piece.from === 0 ? text : text.slice(piece.from);
    let out = '';
    let at = piece.from;
    for (const f of frames) {
      this.stats.frames++;
      out += text.slice(at, f.end);
      at = f.end;
      if (alreadyAnnotated(text, f)) continue;
      const note = this.annotation(f, text.slice(f.start, f.end));
      if (note) {
        out += note;
        this.stats.annotated++;
      }
    }
    return out + text.slice(at);
  }

  /** Every piece with its annotations: modules are loaded (asynchronously) only when a frame names a new one. */
  async symbolize(pieces: Iterable<LogPiece>): Promise<string> {
    let out = '';
    for (const piece of pieces) {
      const frames = this.framesOf(piece);
      if (!this.loaded(frames)) await this.load(frames);
      out += this.annotate(piece, frames);
    }
    return out;
  }

  private unresolved(key: string, why: string): null {
    if (this.stats.unresolved.has(key)) return null;
    if (this.stats.unresolved.size < MAX_REASONS) this.stats.unresolved.set(key, why);
    else this.stats.moreUnresolved++;
    return null;
  }

  /** One module; a string is the reason it cannot be used. */
  private async open(name: string): Promise<LoadedModule | string> {
    const path = this.modules.get(moduleKey(name));
    if (!path) return `module ${name} not found`;
    try {
      const elf = parseElf(await readModuleFile(path, this.options.maxModuleBytes), path);
      const section = elf.sectionByName(MODULE_SECTION);
      if (!section || section.fileRange === null) return `${path} has no ${MODULE_SECTION} section`;
      const layout = this.options.layout;
      if (isSectionedModule(elf, layout)) return { kind: 'sectioned', module: openSectionedModule(elf, layout ? { layout } : {}) };
      const table = resolveLayout(
        { file: path, container: 'module', bytes: section.data(), fileOffset: section.offset, source: 'elf', sectionName: MODULE_SECTION, endian: elf.endian },
        layout ? { layout } : {},
      );
      return { kind: 'flat', elf, bytes: section.data(), table, text: moduleTextLayout(elf) };
    } catch (e) {
      const why = failure(path, e);
      if (why === null) throw e;
      return why;
    }
  }

  private annotation(f: ModuleFrame, frameText: string): string | null {
    const m = this.cache.get(moduleKey(f.module));
    if (m === undefined) throw new Error(`module ${f.module} used before load()`);
    if (typeof m === 'string') return this.unresolved(f.module, m);
    const returnAddress = f.returnAddress && !this.options.exact && f.offset > 0;
    try {
      return m.kind === 'sectioned' ? this.sectionedAnnotation(m.module, f, frameText, returnAddress) : this.flatAnnotation(m, f, frameText, returnAddress);
    } catch (e) {
      if (e instanceof InputError) return this.unresolved(frameText, e.message);
      throw e;
    }
  }

  /** v1-v3: offsets from the start of the module's text memory (module-text-layout.ts). */
  private flatAnnotation(m: Extract<LoadedModule, { kind: 'flat' }>, f: ModuleFrame, frameText: string, returnAddress: boolean): string | null {
    const place: SymbolPlacement = (sym) => {
      const base = m.text.get(sym.shndx);
      if (base === undefined) return null;
      return { start: BigInt(base) + sym.value, sectionEnd: BigInt(base + (m.elf.sections[sym.shndx]?.size ?? 0)) };
    };
    const sym = chooseFrameSymbol(m.elf, f, place);
    if (typeof sym === 'string') return this.unresolved(frameText, sym);
    const at = place(sym);
    if (at === null) return this.unresolved(frameText, `${f.symbol} is in ${m.elf.sections[sym.shndx]?.name ?? '?'}, outside module text: the table does not cover it`);
    const symbolStart = Number(at.start);
    const q = returnAddress ? { offset: symbolStart + f.offset - 1, symbolStart: symbolStart - 1 } : { offset: symbolStart + f.offset, symbolStart };
    const a = m.table.layout.lookupKernel(m.bytes, m.table.endian, q);
    return a.kind === 'hit' ? annotationText(a.file, a.line) : this.unresolved(frameText, a.reason);
  }

  /**
   * v5/v7: the frame's run-time address in the loaded module (address - 1 for a return address);
   * v7's bound uses the symbol's true start (computed before the offset is taken off).
   */
  private sectionedAnnotation(m: SectionedModule, f: ModuleFrame, frameText: string, returnAddress: boolean): string | null {
    const place: SymbolPlacement = (s) => {
      const start = m.load.symbolAddress(s);
      const base = m.load.addresses.get(s.shndx);
      if (start === null || base === undefined) return null;
      return { start, sectionEnd: base + BigInt(m.elf.sections[s.shndx]?.size ?? 0) };
    };
    const sym = chooseFrameSymbol(m.elf, f, place);
    if (typeof sym === 'string') return this.unresolved(frameText, sym);
    const q = symbolQuery(m, sym, f.offset);
    if (q === null) return this.unresolved(frameText, `${f.symbol} is not in an allocated section of the module`);
    const a = lookupAddress(m, { ...q, address: q.address - (returnAddress ? 1n : 0n) }, 'kernel').answer;
    return a.kind === 'hit' ? annotationText(a.file, a.line) : this.unresolved(frameText, a.reason);
  }
}

/**
 * Lookups in a module with sectioned blobs (v5 = v6, v7), as a kernel does them once the module
 * is loaded: the module is "loaded" (elf/module-load.ts: run-time addresses for its allocated
 * sections, the blobs' anchor relocations applied to copies of them), a frame's symbol gives the
 * run-time address (its section's address + its value + the offset) and its start (for v7's
 * symbol bound), and the persistent blob `.mod_lineinfo` answers first, then the init blob
 * `.init.mod_lineinfo` (module_lookup_lineinfo()'s order).
 *
 * v5 and v7 blobs have the same bytes; without a layout given, a module's blobs are read as v7
 * (the last revision: with the symbol-start bound), which `--revision v5` (or v6) overrides.
 */
import type { ElfFile, ElfSection, ElfSymbol } from '../elf/elf-file.js';
import { loadModule } from '../elf/module-load.js';
import { relocationSectionsFor } from '../elf/elf-relocations.js';
import type { LoadedModule } from '../elf/module-load.js';
import { InputError } from '../errors.js';
import type { Endian } from '../format/endian.js';
import { INIT_BLOB, PERSISTENT_BLOB } from '../generator/section-tables.js';
import { detectLayout } from '../revisions/detect.js';
import type { Layout, LookupAnswer, SectionModel } from '../revisions/layout.js';
import { LAYOUT_TRAITS } from '../revisions/layout-id.js';
import type { LayoutId } from '../revisions/layout-id.js';
import { layoutById } from '../revisions/registry.js';
import { moduleFacts, tableFindings } from '../validate/validate-table.js';
import type { LoadedTable } from '../input/load-input.js';
import { mustViolations, strictLookup } from './strict-lookup.js';

export interface RelocatedBlob {
  readonly name: string;
  readonly section: ElfSection;
  /** the blob's bytes with the anchor relocations applied (a copy) */
  readonly bytes: Uint8Array;
  readonly model: SectionModel;
}

export interface SectionedModule {
  readonly elf: ElfFile;
  readonly load: LoadedModule;
  readonly layout: Layout;
  readonly endian: Endian;
  /** `.mod_lineinfo`, then `.init.mod_lineinfo` when present */
  readonly blobs: readonly RelocatedBlob[];
}

/**
 * What the ELF file says regardless of the bytes: only the sectioned layouts have an init blob
 * or relocations applying to the blob (its anchors).
 */
export function sectionedContainer(elf: ElfFile, section: ElfSection): boolean {
  return section.name === INIT_BLOB || elf.sectionByName(INIT_BLOB) !== undefined || relocationSectionsFor(elf, section).length > 0;
}

/**
 * True when `.mod_lineinfo` of this module is a sectioned blob: `layout` is one, or the
 * container says so (sectionedContainer), or the bytes read as one.
 */
export function isSectionedModule(elf: ElfFile, layout?: LayoutId): boolean {
  if (layout) return LAYOUT_TRAITS[layout].locate === 'sectioned';
  const s = elf.sectionByName(PERSISTENT_BLOB);
  if (!s || s.fileRange === null) return false;
  if (sectionedContainer(elf, s)) return true;
  const d = detectLayout(s.data(), 'module', { endian: elf.endian });
  return d.fitting.length > 0 && d.best.layout.traits.locate === 'sectioned';
}

/**
 * Loads the module and reads its relocated blobs. Errors (unknown relocation types, undefined
 * symbols, malformed ELF) are InputErrors naming the file and byte offset.
 */
export function openSectionedModule(elf: ElfFile, options: { layout?: LayoutId; endian?: Endian } = {}): SectionedModule {
  const layout = layoutById(options.layout ?? 'v7');
  if (layout.traits.locate !== 'sectioned') throw new Error(`${layout.id} is not a sectioned layout`);
  const endian = options.endian ?? elf.endian;
  // ElfFormatError is an InputError: unknown relocation types and undefined symbols name the file and offset.
  const load = loadModule(elf);
  const blobs: RelocatedBlob[] = [];
  for (const name of [PERSISTENT_BLOB, INIT_BLOB]) {
    const section = elf.sectionByName(name);
    if (!section) continue;
    if (section.fileRange === null) throw new InputError(elf.fileName, section.headerOffset, `${name} has no bytes in the file (${section.typeName})`);
    const bytes = load.relocate(section);
    blobs.push({ name, section, bytes, model: withContainerFindings(elf, section, layout, endian, layout.read(bytes, endian)) });
  }
  if (blobs.length === 0) throw new InputError(elf.fileName, 0, `no ${PERSISTENT_BLOB} section`);
  return { elf, load, layout, endian, blobs };
}

/**
 * The model with the ELF-container rules added (anchor relocations, SHF_ALLOC, alignment: the
 * needsElf rules), computed by validate's own code (moduleFacts, tableFindings), so that a strict
 * lookup refuses a blob that validate reports as broken, not only one whose bytes are.
 */
function withContainerFindings(elf: ElfFile, section: ElfSection, layout: Layout, endian: Endian, model: SectionModel): SectionModel {
  const table: LoadedTable = {
    file: elf.fileName, container: 'module', bytes: section.data(), fileOffset: section.offset, source: 'elf',
    sectionName: section.name, endian: elf.endian, elf, elfSection: section,
  };
  return { ...model, findings: tableFindings({ layout, endian, model, detected: false, alsoFits: [] }, moduleFacts(table)) };
}

export interface AddressQuery {
  readonly address: bigint;
  readonly symbolAddress?: bigint;
}

/** The run-time address of `symbol + offset` and of the symbol itself. */
export function symbolQuery(m: SectionedModule, sym: ElfSymbol, offset: number): AddressQuery | null {
  const start = m.load.symbolAddress(sym);
  if (start === null) return null;
  return { address: start + BigInt(offset), symbolAddress: start };
}

/** The run-time address of an offset from the module's `.text`. */
export function textOffsetQuery(m: SectionedModule, offset: number, symbolStart?: number): AddressQuery {
  const text = m.elf.sectionByName('.text');
  const base = text ? m.load.addresses.get(text.index) : undefined;
  if (base === undefined) throw new InputError(m.elf.fileName, 0, 'no allocated .text section: offsets are measured from .text');
  return { address: base + BigInt(offset), ...(symbolStart === undefined ? {} : { symbolAddress: base + BigInt(symbolStart) }) };
}

/** MUST-rule violations of the module's blobs, with the blob each was found in. */
export function blobViolations(m: SectionedModule): { blob: RelocatedBlob; rules: string[] }[] {
  return m.blobs.map((blob) => ({ blob, rules: mustViolations(blob.model) })).filter((v) => v.rules.length > 0);
}

/**
 * The answer for one address: the persistent blob first; when none of its descriptors covers
 * the address, the init blob. `strict`: the reference lookup on the checked model; `kernel`: the
 * kernel's algorithm on the relocated bytes. A fault carries the blob it happened in.
 */
export function lookupAddress(m: SectionedModule, q: AddressQuery, mode: 'strict' | 'kernel'): { answer: LookupAnswer; blob: RelocatedBlob | null } {
  let first: { answer: LookupAnswer; blob: RelocatedBlob } | null = null;
  for (const blob of m.blobs) {
    const query = { offset: 0, address: q.address, ...(q.symbolAddress === undefined ? {} : { symbolAddress: q.symbolAddress }) };
    const answer = mode === 'strict' ? strictLookup(blob.model, query) : m.layout.lookupKernel(blob.bytes, m.endian, query);
    if (answer.kind !== 'miss' || !/no descriptor covers/.test(answer.reason)) return { answer, blob };
    first ??= { answer, blob };
  }
  return first ?? { answer: { kind: 'miss', reason: 'no lineinfo blob' }, blob: null };
}

/**
 * The thin I/O shell around the pure layouts: turns a path into the section (or vmlinux table
 * image) bytes plus what the container says about them. Raw files are taken as they are; ELF
 * files give their `.mod_lineinfo` section, or the `lineinfo_*` symbols of vmlinux.
 */
import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../errors.js';
import type { Endian } from '../format/endian.js';
import { ElfFormatError, parseElf } from '../elf/elf-file.js';
import type { ElfFile, ElfSection } from '../elf/elf-file.js';
import type { Container, SymbolOffsets } from '../revisions/layout.js';

export const MODULE_SECTION = '.mod_lineinfo';

export interface LoadedTable {
  readonly file: string;
  readonly container: Container | null;
  /** the section or table-image bytes (a view of the file) */
  readonly bytes: Uint8Array;
  /** file offset of bytes[0] */
  readonly fileOffset: number;
  readonly source: 'raw' | 'elf';
  /** ELF section holding the table */
  readonly sectionName: string | null;
  /** byte order from the ELF header; null for raw files */
  readonly endian: Endian | null;
  /** vmlinux: symbol offsets relative to the image */
  readonly symbols?: SymbolOffsets;
  readonly elf?: ElfFile;
  readonly elfSection?: ElfSection;
}

/** Largest input read into memory (files are mapped whole; a vmlinux is a few hundred MiB). */
export const MAX_INPUT_BYTES = 2 ** 31 - 1;

export function readInputFile(file: string): Uint8Array {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new InputError(file, null, 'is a directory');
    size = st.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(file, null, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot read: ${(e as Error).message}`);
  }
  if (size > MAX_INPUT_BYTES) throw new InputError(file, null, `is ${size} bytes; at most ${MAX_INPUT_BYTES} are supported`);
  try {
    const buf = readFileSync(file);
    // A plain Uint8Array over the file's own buffer: no second copy of a large object (a
    // vmlinux is hundreds of MiB). Small files may come from Node's shared pool, and are copied
    // so that the result owns its whole ArrayBuffer.
    return buf.byteOffset === 0 && buf.buffer.byteLength === buf.length ? new Uint8Array(buf.buffer, 0, buf.length) : new Uint8Array(buf);
  } catch (e) {
    throw new InputError(file, null, `cannot read: ${(e as Error).message}`);
  }
}

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/**
 * Loads a table. `raw` forces raw-section interpretation even for ELF magic (never needed in
 * practice, but a raw section can start with any bytes).
 */
export function loadTable(file: string, options: { raw?: boolean } = {}): LoadedTable {
  const bytes = readInputFile(file);
  if (options.raw || !isElf(bytes)) {
    return { file, container: null, bytes, fileOffset: 0, source: 'raw', sectionName: null, endian: null };
  }
  try {
    return fromElf(file, bytes, parseElf(bytes, file));
  } catch (e) {
    if (e instanceof ElfFormatError) throw new InputError(file, e.offset, e.detail);
    throw e;
  }
}

function fromElf(file: string, bytes: Uint8Array, elf: ElfFile): LoadedTable {
  const section = elf.sectionByName(MODULE_SECTION);
  if (section) {
    if (section.fileRange === null) throw new InputError(file, section.headerOffset, `${MODULE_SECTION} has no bytes in the file (${section.typeName})`);
    return {
      file, container: 'module', bytes: section.data(), fileOffset: section.offset, source: 'elf',
      sectionName: MODULE_SECTION, endian: elf.endian, elf, elfSection: section,
    };
  }
  const start = elf.findSymbol('lineinfo_num_entries');
  if (!start) {
    throw new InputError(file, 0, `no ${MODULE_SECTION} section and no lineinfo_num_entries symbol: this ELF file carries no lineinfo tables`);
  }
  const home = elf.symbolSection(start);
  if (!home) throw new InputError(file, start.entryOffset, 'lineinfo_num_entries is not defined in a section with file bytes');
  const imageStart = elf.symbolFileOffset(start, 4);
  const imageEnd = home.offset + home.size;
  const symbols: Record<string, number> = {};
  for (const sym of elf.symbols()) {
    if (!sym.name.startsWith('lineinfo_') || sym.shndx !== start.shndx) continue;
    const at = elf.symbolFileOffset(sym, 0) - imageStart;
    if (at >= 0) symbols[sym.name] = at;
  }
  return {
    file, container: 'vmlinux', bytes: bytes.subarray(imageStart, imageEnd), fileOffset: imageStart, source: 'elf',
    sectionName: home.name, endian: elf.endian, symbols, elf, elfSection: home,
  };
}

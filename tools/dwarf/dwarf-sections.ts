/**
 * Access to an ELF file's DWARF sections, as the DWARF readers need them:
 *  - zero-copy views of the file, except
 *  - in ET_REL objects, sections that relocation sections apply to are read from a relocated copy
 *    (applyDebugRelocations), because section offsets (DW_AT_stmt_list, DW_FORM_strp/line_strp,
 *    .debug_str_offsets entries) and addresses (DW_LNE_set_address, DW_AT_low_pc) are relocations
 *    there; the relocation targets are kept, so readers know which section an address is in, and a
 *    relocation type that cannot be applied is an ElfFormatError (see applyDebugRelocations);
 *  - SHF_COMPRESSED (ELFCOMPRESS_ZLIB) and GNU `.zdebug_*` sections are inflated, with the output
 *    size bounded by the header's size and a maximum compression ratio; positions in error messages
 *    are then sh_offset + the position in the decompressed contents.
 * Everything is loaded on first use and cached.
 */
import { inflateSync } from 'node:zlib';
import { ElfBytes, printableName } from '../elf/elf-bytes.js';
import { ET_REL, SHF_COMPRESSED, SHT_NOBITS } from '../elf/elf-constants.js';
import { ElfFormatError, type ElfFile, type ElfSection } from '../elf/elf-file.js';
import { applyDebugRelocations, relocationSectionsFor, type RelocationTarget } from '../elf/elf-relocations.js';
import { ElfStringTable } from '../elf/elf-strtab.js';
import { DwarfCursor } from './dwarf-cursor.js';

export interface DwarfSection {
  readonly section: ElfSection;
  /** The section name without a `.zdebug` prefix (`.debug_info`...). */
  readonly name: string;
  /** Contents: a view of the file, or a relocated and/or decompressed copy. */
  readonly data: Uint8Array;
  /** File offset that section position 0 is reported at (sh_offset). */
  readonly fileOffset: number;
  /** Targets of the relocations applied to this section (by section offset); null when none were applied. */
  readonly targets: ReadonlyMap<number, RelocationTarget> | null;
  readonly compressed: boolean;
}

const ELFCOMPRESS_ZLIB = 1;
/** zlib cannot expand data by more than about 1032:1. */
const MAX_RATIO = 1100;

export class DwarfSections {
  private readonly loaded = new Map<number, DwarfSection>();
  private readonly stringTables = new Map<number, ElfStringTable>();
  private readonly bytes: ElfBytes;

  constructor(readonly elf: ElfFile) {
    this.bytes = new ElfBytes(elf.bytes, elf.fileName, elf.endian);
  }

  get littleEndian(): boolean {
    return this.elf.endian === 'le';
  }

  /** Every section named `name` (or its `.zdebug` form), loaded, in section order. */
  allByName(name: string): DwarfSection[] {
    const z = name.startsWith('.debug_') ? `.zdebug_${name.slice('.debug_'.length)}` : null;
    const out: DwarfSection[] = [];
    for (const s of this.elf.sections) {
      if (s.index !== 0 && (s.name === name || s.name === z) && s.type !== SHT_NOBITS) out.push(this.byIndex(s.index));
    }
    return out;
  }

  /** The first section named `name` (or its `.zdebug` form), loaded; null when there is none. */
  byName(name: string): DwarfSection | null {
    const z = name.startsWith('.debug_') ? `.zdebug_${name.slice('.debug_'.length)}` : null;
    const s = this.elf.sections.find((x) => x.index !== 0 && (x.name === name || x.name === z) && x.type !== SHT_NOBITS);
    return s === undefined ? null : this.byIndex(s.index);
  }

  /**
   * The section an offset field points into: the section of the field's relocation target when it
   * was relocated (ET_REL), else the first section named `name`.
   */
  targetOf(from: DwarfSection, fieldPos: number, name: string): DwarfSection | null {
    const t = from.targets?.get(fieldPos);
    if (t !== undefined && t.sectionIndex !== null) {
      const s = this.elf.sections[t.sectionIndex];
      if (s !== undefined && s.type !== SHT_NOBITS && s.index !== 0) return this.byIndex(s.index);
    }
    return this.byName(name);
  }

  /**
   * The section a SectionRef (an offset attribute read elsewhere) points into: the section its
   * relocation named, else the first section named `name`.
   */
  refSection(ref: { readonly sectionIndex: number | null } | null, name: string): DwarfSection | null {
    const index = this.refSectionIndex(ref, name);
    return index === null ? null : this.byIndex(index);
  }

  /** The index of the section refSection returns, without loading it. */
  refSectionIndex(ref: { readonly sectionIndex: number | null } | null, name: string): number | null {
    if (ref !== null && ref.sectionIndex !== null) {
      const s = this.elf.sections[ref.sectionIndex];
      if (s !== undefined && s.type !== SHT_NOBITS && s.index !== 0) return s.index;
    }
    const z = name.startsWith('.debug_') ? `.zdebug_${name.slice('.debug_'.length)}` : null;
    const s = this.elf.sections.find((x) => x.index !== 0 && (x.name === name || x.name === z) && x.type !== SHT_NOBITS);
    return s === undefined ? null : s.index;
  }

  byIndex(index: number): DwarfSection {
    const cached = this.loaded.get(index);
    if (cached !== undefined) return cached;
    const section = this.elf.sections[index];
    if (section === undefined) throw new RangeError(`no section ${index}`);
    let data = section.data();
    let compressed = false;
    let name = section.name;
    if ((section.flags & SHF_COMPRESSED) !== 0n) {
      data = this.inflateElf(section);
      compressed = true;
    } else if (name.startsWith('.zdebug_')) {
      data = this.inflateGnu(section);
      compressed = true;
    }
    if (name.startsWith('.zdebug_')) name = `.debug_${name.slice('.zdebug_'.length)}`;
    let targets: ReadonlyMap<number, RelocationTarget> | null = null;
    if (this.elf.type === ET_REL && relocationSectionsFor(this.elf, section).length > 0) {
      const r = applyDebugRelocations(this.elf, section, compressed ? data : undefined);
      data = r.bytes;
      targets = r.targets;
    }
    const ds: DwarfSection = { section, name, data, fileOffset: section.offset, targets, compressed };
    this.loaded.set(index, ds);
    return ds;
  }

  /** A cursor over a loaded section. */
  cursor(ds: DwarfSection, pos = 0, end = ds.data.length): DwarfCursor {
    return new DwarfCursor(ds.data, ds.fileOffset, this.elf.fileName, this.littleEndian, printableName(ds.section.name), pos, end);
  }

  /**
   * String at `offset` of a string section (.debug_str, .debug_line_str); `at` is the file offset
   * of the referencing field, for the error when the offset is outside or the string unterminated.
   */
  stringAt(ds: DwarfSection, offset: number, at: number): string {
    let table = this.stringTables.get(ds.section.index);
    if (table === undefined) {
      table = new ElfStringTable(this.bytes, ds.data, `section ${ds.section.index} (${printableName(ds.section.name)})`);
      this.stringTables.set(ds.section.index, table);
    }
    return table.get(offset, at);
  }

  private inflateElf(section: ElfSection): Uint8Array {
    const cls = this.elf.class;
    const hdr = cls === 64 ? 24 : 12;
    const raw = section.data();
    const fail = (detail: string): never => {
      throw new ElfFormatError(this.elf.fileName, section.offset, `compressed section ${section.index} (${printableName(section.name)}): ${detail}`);
    };
    if (raw.length < hdr) fail(`${raw.length} bytes, too short for an ELF${cls} compression header`);
    const type = this.bytes.u32(section.offset);
    const size = cls === 64 ? this.bytes.u64(section.offset + 8) : BigInt(this.bytes.u32(section.offset + 4));
    if (type !== ELFCOMPRESS_ZLIB) fail(`compression type ${type} is not supported (only ELFCOMPRESS_ZLIB)`);
    return this.inflate(raw.subarray(hdr), size, fail);
  }

  private inflateGnu(section: ElfSection): Uint8Array {
    const raw = section.data();
    const fail = (detail: string): never => {
      throw new ElfFormatError(this.elf.fileName, section.offset, `compressed section ${section.index} (${printableName(section.name)}): ${detail}`);
    };
    if (raw.length < 12 || raw[0] !== 0x5a || raw[1] !== 0x4c || raw[2] !== 0x49 || raw[3] !== 0x42) fail('no "ZLIB" header');
    const size = new DataView(raw.buffer, raw.byteOffset, raw.byteLength).getBigUint64(4, false);
    return this.inflate(raw.subarray(12), size, fail);
  }

  private inflate(payload: Uint8Array, size: bigint, fail: (d: string) => never): Uint8Array {
    if (size > BigInt(payload.length) * BigInt(MAX_RATIO) + 65536n || size > 0x7fffffffn) {
      fail(`uncompressed size ${size} is impossible for ${payload.length} compressed bytes`);
    }
    let out: Buffer;
    try {
      out = inflateSync(payload, { maxOutputLength: Math.max(Number(size), 1) });
    } catch (e) {
      fail(`zlib: ${(e as Error).message}`);
    }
    if (out.length !== Number(size)) fail(`inflates to ${out.length} bytes, header says ${size}`);
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  }
}

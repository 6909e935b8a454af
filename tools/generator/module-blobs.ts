/**
 * The two blobs of a sectioned module (v5 = v6, v7) as bytes, and what the ELF side needs to
 * embed them: for each descriptor, where its anchor lies and which section it covers.
 */
import type { ElfFile } from '../elf/elf-file.js';
import type { BlobToEmbed } from '../elf/embed-blobs.js';
import { InputError } from '../errors.js';
import type { Endian } from '../format/endian.js';
import { DESCRIPTOR_SIZE, ROOT_SIZE, encodeBlob } from '../revisions/sectioned-blob.js';
import type { EncodedBlob, SectionedEncodeOptions } from '../revisions/sectioned-blob.js';
import { coveredSections, INIT_BLOB, moduleSectionTables, PERSISTENT_BLOB } from './section-tables.js';
import type { ModuleSectionTables, SectionedRevision } from './section-tables.js';

export interface ModuleBlobs {
  readonly persistent: EncodedBlob;
  /** null when `.init.text` has no entries (no init blob is emitted) */
  readonly init: EncodedBlob | null;
  /** the blobs with their anchors, for embedLineinfoBlobs */
  readonly embed: readonly BlobToEmbed[];
}

export function encodeModuleBlobs(t: ModuleSectionTables, endian: Endian, options: SectionedEncodeOptions = {}): ModuleBlobs {
  const persistent = encodeBlob(t.persistent, endian, options);
  const init = t.init.sections.length ? encodeBlob(t.init, endian, options) : null;
  const embed: BlobToEmbed[] = [
    { name: PERSISTENT_BLOB, bytes: persistent.bytes, anchors: t.persistent.sections.map((s, k) => ({ offset: persistent.anchorOffsets[k]!, section: s.name })) },
  ];
  if (init) embed.push({ name: INIT_BLOB, bytes: init.bytes, anchors: t.init.sections.map((s, k) => ({ offset: init.anchorOffsets[k]!, section: s.name })) });
  return { persistent, init, embed };
}

/**
 * The covered section of each descriptor of a blob given as bytes (`lineinfo embed`). The
 * generator writes descriptors in its section order, restricted to sections with tables, so the
 * descriptors name an ordered choice of the covered sections whose sizes equal the descriptors'
 * `size`s. When sizes leave more than one choice (two covered sections of one size, one of them
 * without a table), the module's own DWARF decides: the sections the generator's rules give
 * tables. Descriptors are read at offset 8 (the generator's placement). An error when no choice
 * fits, or when the DWARF cannot decide.
 */
export function anchorsOfBlob(elf: ElfFile, blob: string, bytes: Uint8Array, endian: Endian, revision: SectionedRevision, file: string): BlobToEmbed {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = endian === 'le';
  if (bytes.length < ROOT_SIZE) throw new InputError(file, 0, `a ${blob} blob is at least ${ROOT_SIZE} bytes`);
  const count = view.getUint32(0, le);
  if (ROOT_SIZE + DESCRIPTOR_SIZE * count > bytes.length) throw new InputError(file, 0, `${count} descriptors do not fit in the ${bytes.length}-byte blob`);
  const cover = coveredSections(revision);
  const names = (blob === INIT_BLOB ? cover.init : cover.persistent).filter((n) => elf.sectionByName(n) !== undefined);
  const sizes = Array.from({ length: count }, (_, k) => view.getUint32(ROOT_SIZE + DESCRIPTOR_SIZE * k + 8, le));
  const sectionSizes = names.map((n) => elf.sectionByName(n)!.size);
  const choices = orderedChoices(sizes, sectionSizes);
  if (choices.length === 0) {
    const k = firstUnmatched(sizes, sectionSizes);
    throw new InputError(file, ROOT_SIZE + DESCRIPTOR_SIZE * k + 8, `descriptor ${k} covers ${sizes[k]} bytes, but no covered section of ${elf.fileName} left for it in the generator's order (${names.join(', ') || 'none'}) has that size: the blob was not made for this module`);
  }
  let choice = choices[0]!;
  if (choices.length > 1) {
    const describe = (c: readonly number[]): string => c.map((i) => names[i]).join(', ');
    let withTables: string[];
    try {
      const t = moduleSectionTables(elf, revision);
      withTables = (blob === INIT_BLOB ? t.init : t.persistent).sections.map((s) => s.name);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      withTables = [];
    }
    const fits = choices.filter((c) => describe(c) === withTables.join(', '));
    if (fits.length !== 1) {
      throw new InputError(file, ROOT_SIZE + 8, `the descriptors' sizes fit more than one choice of covered sections (${choices.map((c) => `[${describe(c)}]`).join(' or ')}) and the module's DWARF does not tell which sections have tables: use lineinfo encode --embed, which knows`);
    }
    choice = fits[0]!;
  }
  const anchors = choice.map((i, k) => ({ offset: ROOT_SIZE + DESCRIPTOR_SIZE * k, section: names[i]! }));
  return { name: blob, bytes, anchors };
}

/** Every increasing choice of indices into `sectionSizes` whose sizes equal `sizes`, in order. */
function orderedChoices(sizes: readonly number[], sectionSizes: readonly number[]): number[][] {
  const out: number[][] = [];
  const walk = (k: number, from: number, picked: number[]): void => {
    if (k === sizes.length) {
      out.push([...picked]);
      return;
    }
    for (let i = from; i < sectionSizes.length; i++) {
      if (sectionSizes[i] !== sizes[k]) continue;
      picked.push(i);
      walk(k + 1, i + 1, picked);
      picked.pop();
    }
  };
  walk(0, 0, []);
  return out;
}

/** The first descriptor that no choice can reach (greedy, for the error message). */
function firstUnmatched(sizes: readonly number[], sectionSizes: readonly number[]): number {
  let next = 0;
  for (let k = 0; k < sizes.length; k++) {
    let i = next;
    while (i < sectionSizes.length && sectionSizes[i] !== sizes[k]) i++;
    if (i === sectionSizes.length) return k;
    next = i + 1;
  }
  return 0;
}

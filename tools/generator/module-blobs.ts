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
import { coveredSections, INIT_BLOB, PERSISTENT_BLOB } from './section-tables.js';
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
 * The covered section of each descriptor of a blob given as bytes (`lineinfo embed`): the
 * generator's descriptor order restricted to sections with tables, so descriptor k is the next
 * covered section (in that order) whose size equals the descriptor's `size`. Descriptors are read
 * at offset 8 (the generator's placement). An error when a descriptor matches no section.
 */
export function anchorsOfBlob(elf: ElfFile, blob: string, bytes: Uint8Array, endian: Endian, revision: SectionedRevision, file: string): BlobToEmbed {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = endian === 'le';
  if (bytes.length < ROOT_SIZE) throw new InputError(file, 0, `a ${blob} blob is at least ${ROOT_SIZE} bytes`);
  const count = view.getUint32(0, le);
  if (ROOT_SIZE + DESCRIPTOR_SIZE * count > bytes.length) throw new InputError(file, 0, `${count} descriptors do not fit in the ${bytes.length}-byte blob`);
  const cover = coveredSections(revision);
  const names = blob === INIT_BLOB ? cover.init : cover.persistent;
  const anchors: { offset: number; section: string }[] = [];
  let next = 0;
  for (let k = 0; k < count; k++) {
    const at = ROOT_SIZE + DESCRIPTOR_SIZE * k;
    const size = view.getUint32(at + 8, le);
    let found = -1;
    for (let i = next; i < names.length && found < 0; i++) {
      const s = elf.sectionByName(names[i]!);
      if (s && s.size === size) found = i;
    }
    if (found < 0) {
      throw new InputError(file, at + 8, `descriptor ${k} covers ${size} bytes, but no remaining covered section of ${elf.fileName} (${names.slice(next).join(', ') || 'none'}) has that size: the blob was not made for this module`);
    }
    anchors.push({ offset: at, section: names[found]! });
    next = found + 1;
  }
  return { name: blob, bytes, anchors };
}

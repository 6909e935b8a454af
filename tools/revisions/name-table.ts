/**
 * The file table shared by every layout: u32 file_offsets[num_files] into a table of
 * concatenated NUL-terminated names, in file-id order, as the generator lays it out.
 */
import type { ByteSink } from '../format/endian.js';
import type { SectionBytes } from '../format/section-bytes.js';
import type { ModelBuilder } from './model-builder.js';
import type { FileRef } from './layout.js';

const utf8 = new TextEncoder();

export interface EncodedNames {
  readonly offsets: number[];
  readonly bytes: Uint8Array;
}

/** Names packed in id order, each followed by its NUL; offsets are where each name starts. */
export function encodeNames(files: readonly string[]): EncodedNames {
  // ASCII names (nearly all) are their char codes; others go through the UTF-8 encoder
  let total = 0;
  let ascii = true;
  for (const f of files) {
    total += f.length + 1;
    for (let i = 0; ascii && i < f.length; i++) if (f.charCodeAt(i) >= 0x80) ascii = false;
  }
  const offsets: number[] = [];
  if (ascii) {
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const f of files) {
      offsets.push(at);
      for (let i = 0; i < f.length; i++) bytes[at + i] = f.charCodeAt(i);
      at += f.length + 1;
    }
    return { offsets, bytes };
  }
  const parts = files.map((f) => utf8.encode(f));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0));
  let at = 0;
  for (const p of parts) {
    offsets.push(at);
    bytes.set(p, at);
    at += p.length + 1;
  }
  return { offsets, bytes };
}

export function writeFileTable(sink: ByteSink, names: EncodedNames): void {
  for (const o of names.offsets) sink.u32(o);
}

/**
 * Reads and checks file_offsets[] and the names (LI-FIL-001/002/003/005).
 * `tableOff` is where file_offsets[] starts, `namesOff`/`namesSize` the name table.
 */
export function readFileTable(
  view: SectionBytes,
  m: ModelBuilder,
  numFiles: number,
  tableOff: number,
  namesOff: number,
  namesSize: number,
  /** false for vmlinux, whose name table runs on into other .rodata: only packing is checked */
  exactFill = true,
): void {
  const files: FileRef[] = [];
  let expected = 0;
  let packed = true;
  // a lookup-only read (m.mustOnly) skips the SHOULD-only checks (LI-FIL-003 packing, LI-FIL-005)
  const full = !m.mustOnly;
  const seen = new Map<string, number>();
  for (let id = 0; id < numFiles; id++) {
    if (m.stop) break; // a lookup-only read that found a MUST rule broken needs no more
    const at = tableOff + id * 4;
    const nameOffset = view.u32(at);
    let name: string | null = null;
    if (nameOffset >= namesSize) {
      m.find('LI-FIL-001', `file_offsets[${id}]`, at, 4,
        `file ${id} starts at name-table offset ${nameOffset}, past the ${namesSize}-byte name table`);
      packed = false;
    } else {
      const nul = view.cStringEnd(namesOff + nameOffset, namesOff + namesSize);
      name = nul < 0 ? null : view.cString(namesOff + nameOffset, nul + 1);
      if (name === null) {
        m.find('LI-FIL-002', `filenames[${nameOffset}]`, namesOff + nameOffset, namesSize - nameOffset,
          `file ${id}'s name at name-table offset ${nameOffset} has no NUL terminator inside the name table`);
        packed = false;
      } else {
        if (nameOffset !== expected) packed = false;
        expected = nul + 1 - namesOff;
        if (!full) {
          // no LI-FIL-005
        } else if (name.length === 0) {
          m.find('LI-FIL-005', `filenames[${nameOffset}]`, namesOff + nameOffset, 1, `file ${id} has an empty name`);
        } else {
          const dup = seen.get(name);
          if (dup !== undefined) {
            m.find('LI-FIL-005', `file_offsets[${id}]`, at, 4, `file ${id} repeats the name of file ${dup} ("${name}")`);
          } else {
            seen.set(name, id);
          }
        }
      }
    }
    files.push({ id, nameOffset, name });
  }
  if (packed && numFiles > 0 && exactFill && expected !== namesSize) packed = false;
  if (full && !packed && numFiles > 0) {
    m.find('LI-FIL-003', 'file_offsets', tableOff, numFiles * 4,
      'names are not packed in file-id order from offset 0, each right after the previous NUL, filling the name table');
  }
  m.files = files;
}

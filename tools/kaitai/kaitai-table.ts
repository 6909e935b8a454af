/**
 * Reads a table's content through the KSC-generated parser instead of the hand-written reference
 * decoder: the second, independent reading of the spec that tests compare against.
 */
import type { Endian } from '../format/endian.js';
import type { Entry } from '../model/line-table.js';
import { isKaitaiLayoutId, parseWithKaitai } from '../generated/index.js';
import type { LayoutId } from '../revisions/layout-id.js';

export interface KaitaiTable {
  readonly entries: Entry[];
  /** name of each file via file_offsets[] into the name table; null when out of range or unterminated */
  readonly files: (string | null)[];
}

interface BlockLike {
  readonly addr: number;
  readonly first: { readonly fileId: { readonly value: number }; readonly line: { readonly value: number } };
  readonly deltas: readonly { readonly addr: number; readonly fileId: number; readonly line: number }[];
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

function names(offsets: readonly number[], raw: Uint8Array): (string | null)[] {
  return offsets.map((o) => {
    if (o >= raw.length) return null;
    const nul = raw.indexOf(0, o);
    return nul < 0 ? null : utf8.decode(raw.subarray(o, nul));
  });
}

function fromBlocks(blocks: readonly BlockLike[]): Entry[] {
  const out: Entry[] = [];
  for (const b of blocks) {
    out.push({ offset: b.addr, fileId: b.first.fileId.value, line: b.first.line.value });
    for (const d of b.deltas) out.push({ offset: d.addr, fileId: d.fileId, line: d.line });
  }
  return out;
}

/** Throws the Kaitai runtime's errors on malformed input (see isKaitaiParseError). */
export function kaitaiTable(layout: LayoutId, bytes: Uint8Array, endian: Endian): KaitaiTable {
  if (!isKaitaiLayoutId(layout)) throw new TypeError(`no generated parser for ${layout}`);
  const le = endian === 'le';
  switch (layout) {
    case 'v1-flat':
    case 'vmlinux-v1-flat': {
      const p = parseWithKaitai(layout, bytes, le);
      const entries = p.addrs.map((offset, i) => ({ offset, fileId: p.fileIds[i]!, line: p.lines[i]! }));
      return { entries, files: names(p.fileOffsets, p._raw_filenames) };
    }
    case 'v1':
    case 'vmlinux-v1': {
      const p = parseWithKaitai(layout, bytes, le);
      return { entries: fromBlocks(p.stream.blocks), files: names(p.fileOffsets, p._raw_filenames) };
    }
  }
}

/**
 * Reads a table's content through the KSC-generated parser instead of the hand-written reference
 * decoder: the second, independent reading of the spec that tests compare against.
 */
import type { Endian } from '../format/endian.js';
import type { Entry } from '../model/line-table.js';
import { isKaitaiLayoutId, parseWithKaitai } from '../generated/index.js';
import { LAYOUT_TRAITS } from '../revisions/layout-id.js';
import type { LayoutId } from '../revisions/layout-id.js';

export interface KaitaiTable {
  readonly entries: Entry[];
  /** name of each file via file_offsets[] into the name table; null when out of range or unterminated */
  readonly files: (string | null)[];
  /** sectioned layouts: every descriptor's table, in root order */
  readonly tables?: readonly { readonly entries: Entry[]; readonly files: (string | null)[] }[];
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

/** The shapes every generated parser exposes (each .ksy names its fields the same way). */
interface FlatLike {
  readonly addrs: readonly number[];
  readonly fileIds: readonly number[];
  readonly lines: readonly number[];
  readonly fileOffsets: readonly number[];
  readonly _raw_filenames: Uint8Array;
}
interface CompressedLike {
  readonly stream: { readonly blocks: readonly BlockLike[] };
  readonly fileOffsets: readonly number[];
  readonly _raw_filenames: Uint8Array;
}
/** sectioned layouts: the root's descriptors, each with its per-section table */
interface SectionedLike {
  readonly sections: readonly { readonly table: CompressedLike }[];
}

function compressed(p: CompressedLike): KaitaiTable {
  return { entries: fromBlocks(p.stream.blocks), files: names(p.fileOffsets, p._raw_filenames) };
}

/**
 * Throws the Kaitai runtime's errors on malformed input (see isKaitaiParseError). For sectioned
 * layouts `entries`/`files` are descriptor 0's and `tables` lists every descriptor's.
 */
export function kaitaiTable(layout: LayoutId, bytes: Uint8Array, endian: Endian): KaitaiTable {
  if (!isKaitaiLayoutId(layout)) throw new TypeError(`no generated parser for ${layout}`);
  const p: unknown = parseWithKaitai(layout, bytes, endian === 'le');
  const traits = LAYOUT_TRAITS[layout];
  if (traits.entries === 'flat') {
    const f = p as FlatLike;
    const entries = f.addrs.map((offset, i) => ({ offset, fileId: f.fileIds[i]!, line: f.lines[i]! }));
    return { entries, files: names(f.fileOffsets, f._raw_filenames) };
  }
  if (traits.locate === 'sectioned') {
    const tables = (p as SectionedLike).sections.map((d) => compressed(d.table));
    return { ...(tables[0] ?? { entries: [], files: [] }), tables };
  }
  return compressed(p as CompressedLike);
}

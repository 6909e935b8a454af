/**
 * The assembly of a module's sectioned blobs (v5 = v6, v7) as the generator emits it for
 * `x.ko.lineinfo.S`, which the kernel build assembles and links in front of the module with
 * `ld -r`: an empty `"ax"` stanza per covered section that has a table (so the anchors bind to
 * the module's own local section symbols after `ld -r`), then `.mod_lineinfo` and
 * `.init.mod_lineinfo`, each `"a"`, `.balign 8`, a root, one descriptor per table and the tables.
 *
 * Anchors: `.quad <section>` on 64-bit targets; on 32-bit targets `.long <section>` and `.long 0`
 * ordered by the target's byte order, so that the u64 the kernel reads is the section's address.
 *
 * Each table's label comes after its `.balign 4` (the post-v7 order). The v5 to v7 generators emit
 * the label first (W23), which makes the `table_offset` of the second and later tables of a blob
 * point into the alignment padding when the previous table's name table does not end on a
 * multiple of 4; lineinfo-kit never reproduces that (encodeBlob's `labelBeforeAlign` option builds
 * such blobs for tests).
 */
import type { Endian } from '../format/endian.js';
import { ASM_HEADER, AsmText } from '../revisions/asm-text.js';
import { encodeStream } from '../revisions/block-stream.js';
import { encodeNames } from '../revisions/name-table.js';
import type { BlobInput } from '../revisions/sectioned-blob.js';
import { INIT_BLOB, PERSISTENT_BLOB } from './section-tables.js';
import { entryListCount } from '../model/line-table.js';
import type { ModuleSectionTables } from './section-tables.js';

export interface AsmTarget {
  readonly class: 32 | 64;
  readonly endian: Endian;
}

function blobAsm(asm: AsmText, section: string, blob: BlobInput, target: AsmTarget, tag: string): void {
  const names = encodeNames(blob.files);
  const root = `.L${tag}_root`;
  asm.directive(`.section ${section}, "a"`).directive('.balign 8').label(root);
  asm.longs([blob.sections.length, 0], 'dec').blank();
  blob.sections.forEach((s, k) => {
    if (target.class === 64) asm.directive(`.quad ${s.name}`);
    else if (target.endian === 'le') asm.directive(`.long ${s.name}`).directive('.long 0');
    else asm.directive('.long 0').directive(`.long ${s.name}`);
    asm.longs([s.size], 'dec').directive(`.long .L${tag}_hdr_${k} - ${root}`).blank();
  });
  blob.sections.forEach((s, k) => {
    const stream = encodeStream(s.entries, 'sleb128');
    const l = (what: string): string => `.L${tag}_${what}_${k}`;
    const h = l('hdr');
    asm.directive('.balign 4').label(h);
    asm.longs([entryListCount(s.entries), stream.blockAddrs.length, blob.files.length], 'dec');
    asm.directive(`.long ${l('blk')} - ${h}`).directive(`.long ${l('data')} - ${l('blk')}`);
    asm.directive(`.long ${l('data')} - ${h}`).directive(`.long ${l('data_end')} - ${l('data')}`);
    asm.directive(`.long ${l('files')} - ${h}`).directive(`.long ${l('names')} - ${l('files')}`);
    asm.directive(`.long ${l('names')} - ${h}`).directive(`.long ${l('names_end')} - ${l('names')}`).blank();
    asm.label(l('blk')).longs(stream.blockAddrs, 'hex').longs(stream.blockOffsets, 'dec');
    asm.label(l('data')).byteRows(stream.data).label(l('data_end'));
    asm.directive('.balign 4').label(l('files')).longs(names.offsets, 'dec');
    asm.label(l('names')).asciz(blob.files).label(l('names_end')).blank();
  });
}

/** Both blobs of a module as one assembly file (the init blob only when it has a table). */
export function moduleBlobsAsm(t: ModuleSectionTables, target: AsmTarget): string {
  const asm = new AsmText(`${ASM_HEADER}\nLayout ${t.revision} (module, sectioned): ${PERSISTENT_BLOB} and ${INIT_BLOB}.`);
  const present = [...t.persistent.sections, ...t.init.sections].map((s) => s.name);
  for (const name of present) asm.directive(`.section ${name}, "ax"`);
  if (present.length) asm.blank();
  blobAsm(asm, PERSISTENT_BLOB, t.persistent, target, 'p');
  if (t.init.sections.length) blobAsm(asm, INIT_BLOB, t.init, target, 'i');
  return asm.toString();
}

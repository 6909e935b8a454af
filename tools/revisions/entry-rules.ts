/**
 * Rules on the decoded content, the same for every layout: entry order and ranges
 * (LI-ENT-*), file usage (LI-FIL-004) and path quality (LI-PTH-*).
 */
import { hex } from '../format/u32-math.js';
import type { ModelBuilder } from './model-builder.js';

/**
 * `unusedFiles`: whether a file no entry names is worth a note (LI-FIL-004). Not in the
 * sectioned layouts, where every table repeats the module's whole file list by design (W26).
 */
export function checkEntries(m: ModelBuilder, numFiles: number, fileTableOff: number, unusedFiles = true): void {
  const entries = m.entries;
  if (m.mustOnly) {
    checkEntriesMust(m, numFiles);
    return;
  }
  const used = new Uint8Array(numFiles);
  // The field path of entry i (`entries[i]`) is built only for a finding: this loop runs for
  // every entry of every section read.
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const prev = i > 0 ? entries[i - 1]! : undefined;
    if (e.offset > 0xffff_ffff) {
      m.find('LI-ENT-001', `entries[${i}]`, e.at, e.length, `entry ${i}'s offset ${hex(e.offset)} wraps past 2^32`);
    } else if (prev && e.offset <= prev.offset) {
      m.find('LI-ENT-001', `entries[${i}]`, e.at, e.length,
        `entry ${i} at ${hex(e.offset)} does not come after entry ${i - 1} at ${hex(prev.offset)}`);
    }
    if (e.fileId < 0 || e.fileId >= numFiles) {
      m.find('LI-ENT-002', e.fileAt === undefined ? `entries[${i}].file_id` : `file_ids[${i}]`, e.fileAt ?? e.at, e.fileAt === undefined ? e.length : 2, `entry ${i} names file ${e.fileId}, but there are ${numFiles} files`);
    } else {
      used[e.fileId] = 1;
    }
    if (e.line === 0) m.find('LI-ENT-003', e.lineAt === undefined ? `entries[${i}].line` : `lines[${i}]`, e.lineAt ?? e.at, e.lineAt === undefined ? e.length : 4, `entry ${i} at ${hex(e.offset)} has line 0`);
    if (prev && prev.fileId === e.fileId && prev.line === e.line) {
      m.find('LI-ENT-004', `entries[${i}]`, e.at, e.length,
        `entry ${i} at ${hex(e.offset)} repeats entry ${i - 1}'s file ${e.fileId} line ${e.line}`);
    }
  }
  // Unreferenced files are only meaningful once every entry was decoded.
  if (m.decoded && unusedFiles) {
    for (let id = 0; id < numFiles; id++) {
      if (!used[id]) {
        const f = m.files[id];
        m.find('LI-FIL-004', `file_offsets[${id}]`, fileTableOff + 4 * id, 4, `file ${id} (${f?.name ?? '?'}) is named by no entry`);
      }
    }
  }
}

/** checkEntries' MUST rules only (LI-ENT-001, LI-ENT-002), for a lookup-only read. */
function checkEntriesMust(m: ModelBuilder, numFiles: number): void {
  const entries = m.entries;
  let prev = -1;
  for (let i = 0; i < entries.length && !m.stop; i++) {
    const e = entries[i]!;
    if (e.offset > 0xffff_ffff || e.offset <= prev) m.find('LI-ENT-001', `entries[${i}]`, e.at, e.length, 'entry out of order or past 2^32');
    if (e.fileId < 0 || e.fileId >= numFiles) m.find('LI-ENT-002', `entries[${i}]`, e.at, e.length, 'file id out of range');
    prev = e.offset;
  }
}

/** Where file_offsets[] starts, for locating per-file findings; set by the layout. */
export function checkPaths(m: ModelBuilder, fileTableOff: number): void {
  if (m.mustOnly) return; // SHOULD rules only
  const files = m.files;
  let withDir = 0;
  for (let id = 0; id < files.length; id++) {
    const n = files[id]!.name;
    if (n !== null && n.includes('/')) withDir++;
  }
  for (let id = 0; id < files.length; id++) {
    const n = files[id]!.name;
    if (n === null || n.length === 0) continue;
    const at = fileTableOff + id * 4;
    if (n.startsWith('/')) m.find('LI-PTH-001', `file_offsets[${id}]`, at, 4, `file ${id} has an absolute path "${n}"`);
    if (n.startsWith('../')) m.find('LI-PTH-002', `file_offsets[${id}]`, at, 4, `file ${id} starts with ../ ("${n}"), typical of an O= build`);
    if (isDoubledPath(n)) m.find('LI-PTH-003', `file_offsets[${id}]`, at, 4, `file ${id} is a doubled path "${n}"`);
    if (withDir > 0 && !n.includes('/')) {
      m.find('LI-PTH-004', `file_offsets[${id}]`, at, 4, `file ${id} is a bare basename "${n}" while ${withDir} other file(s) have directories`);
    }
  }
}

/** "a/b.c/a/b.c": the two halves around the middle '/' are equal. */
export function isDoubledPath(path: string): boolean {
  const mid = (path.length - 1) / 2;
  if (!Number.isInteger(mid) || mid < 1 || path[mid] !== '/') return false;
  return path.slice(0, mid) === path.slice(mid + 1);
}

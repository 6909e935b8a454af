/**
 * Independent views of an object's sections and DWARF line rows, from other tools: the libdw
 * oracle (test/oracle/libdw_lineinfo.c, the kernel generator's libdw calls), `readelf -SW` and
 * `llvm-dwarfdump --debug-line`. Host readelf and llvm-dwarfdump read every target.
 */
import { join } from 'node:path';
import { REPO } from './cli.js';
import { must, sh } from './processes.js';

/** Builds the libdw oracle into dir; a reason instead when libdw-dev is missing. */
export function buildOracle(dir: string): { path: string } | { reason: string } {
  const path = join(dir, 'libdw_lineinfo');
  const r = sh('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', path, join(REPO, 'test/oracle/libdw_lineinfo.c'), '-ldw', '-lelf']);
  return r.status === 0 ? { path } : { reason: `cannot build the libdw oracle (install libdw-dev): ${r.stderr.trim().split('\n')[0] ?? ''}` };
}

export interface ReadelfSectionRow {
  index: number;
  name: string;
  addr: bigint;
  size: number;
  /** readelf's flag letters, e.g. `AX` */
  flags: string;
  align: number;
}

/** `readelf -SW FILE`, with flags and alignment. */
export function sectionRows(file: string): ReadelfSectionRow[] {
  const out: ReadelfSectionRow[] = [];
  for (const line of must('readelf', ['-SW', file]).split('\n')) {
    const m = /^\s*\[\s*(\d+)\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([A-Za-z]*)\s+\d+\s+\d+\s+(\d+)\s*$/.exec(line);
    if (m) out.push({ index: Number(m[1]), name: m[2]!, addr: BigInt(`0x${m[3]}`), size: parseInt(m[4]!, 16), flags: m[5]!, align: Number(m[6]) });
  }
  return out;
}

/**
 * All DWARF rows per address (llvm-dwarfdump): "table:file:line", or "end_sequence" for an
 * end-of-sequence row (which the generator keeps as an entry, W24, while addr2line answers ??
 * past a sequence's end).
 */
export function rowsByAddress(file: string): Map<bigint, Set<string>> {
  const out = new Map<bigint, Set<string>>();
  let table = '';
  for (const line of must('llvm-dwarfdump', ['--debug-line', file]).split('\n')) {
    const t = /^debug_line\[(0x[0-9a-f]+)\]/.exec(line);
    if (t) table = t[1]!;
    const m = /^0x([0-9a-f]+)\s+(\d+)\s+\d+\s+(\d+)\s/.exec(line);
    if (!m) continue;
    const addr = BigInt(`0x${m[1]}`);
    const set = out.get(addr) ?? new Set<string>();
    set.add(/\bend_sequence\b/.test(line) ? 'end_sequence' : `${table}:${m[3]}:${m[2]}`);
    out.set(addr, set);
  }
  return out;
}

/**
 * The host toolchain (gcc, binutils) the tests build real artefacts with, and parsers for
 * readelf's output, used as an independent oracle for the ELF reader.
 */
import { execFileSync, spawnSync } from 'node:child_process';

export function hasTool(name: string, versionArg = '--version'): boolean {
  const r = spawnSync(name, [versionArg], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

/** Runs a tool, throwing with its stderr when it fails. */
export function run(cmd: string, args: string[], cwd?: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr ?? err.message}`);
  }
}

export interface ReadelfSection {
  index: number;
  name: string;
  type: string;
  addr: bigint;
  offset: number;
  size: number;
}

/** `readelf -S -W FILE` (section names never contain white space in practice). */
export function readelfSections(file: string): ReadelfSection[] {
  const text = run('readelf', ['-S', '-W', file]);
  const out: ReadelfSection[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*\[\s*(\d+)\]\s+(?:(\S+)\s+)??(\S+)\s+([0-9a-f]{8,16})\s+([0-9a-f]+)\s+([0-9a-f]+)\s/.exec(line);
    if (!m) continue;
    out.push({ index: Number(m[1]), name: m[2] ?? '', type: m[3]!, addr: BigInt(`0x${m[4]}`), offset: parseInt(m[5]!, 16), size: parseInt(m[6]!, 16) });
  }
  return out;
}

export interface ReadelfSymbol {
  index: number;
  value: bigint;
  size: number;
  type: string;
  bind: string;
  ndx: string;
  /** as printed, with a dynamic symbol's version suffix (`@GLIBC_2.2.5 (3)`) removed */
  name: string;
}

/** `readelf -s -W FILE`, keyed by symbol table section name (`.symtab`, `.dynsym`). */
export function readelfSymbols(file: string): Map<string, ReadelfSymbol[]> {
  const text = run('readelf', ['-s', '-W', file]);
  const tables = new Map<string, ReadelfSymbol[]>();
  let current: ReadelfSymbol[] | null = null;
  for (const line of text.split('\n')) {
    const head = /^Symbol table '([^']+)' contains (\d+) entr/.exec(line);
    if (head) {
      current = [];
      tables.set(head[1]!, current);
      continue;
    }
    const m = /^\s*(\d+):\s+([0-9a-f]+)\s+(\d+|0x[0-9a-f]+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s?(.*)$/.exec(line);
    if (!m || !current) continue;
    let name = m[8] ?? '';
    name = name.replace(/ \(\d+\)$/, '').replace(/@.*$/, '');
    current.push({
      index: Number(m[1]),
      value: BigInt(`0x${m[2]}`),
      size: m[3]!.startsWith('0x') ? parseInt(m[3]!.slice(2), 16) : Number(m[3]),
      type: m[4]!,
      bind: m[5]!,
      ndx: m[7]!,
      name,
    });
  }
  return tables;
}

/**
 * Writes the conformance vector catalogue: `npm run vectors` (tsx conformance/generate-vectors.ts)
 * regenerates conformance/vectors/ from scratch; `npm run vectors:check` (--check) compares a
 * fresh build with the committed files and fails when they differ (the catalogue is stale).
 *
 * Usage: tsx conformance/generate-vectors.ts [--check] [--out DIR]
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compactJson } from './suite/compact-json.js';
import { MANIFEST_FILE } from './suite/manifest.js';
import { buildCatalogue } from './suite/vector-builder.js';

const DEFAULT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'vectors');

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

export function expectedFiles(): Map<string, Uint8Array> {
  const { manifest, files } = buildCatalogue();
  const all = new Map<string, Uint8Array>(files);
  all.set(MANIFEST_FILE, new TextEncoder().encode(compactJson(manifest)));
  return all;
}

/** Differences between DIR and a fresh build: missing, extra and changed files. */
export function staleFiles(dir: string): string[] {
  const want = expectedFiles();
  const have = new Set(listFiles(dir));
  const problems: string[] = [];
  for (const [path, bytes] of want) {
    if (!have.has(path)) problems.push(`missing: ${path}`);
    else if (!sameBytes(new Uint8Array(readFileSync(join(dir, path))), bytes)) problems.push(`changed: ${path}`);
  }
  for (const path of have) if (!want.has(path)) problems.push(`extra: ${path}`);
  return problems;
}

function write(dir: string): { files: number; bytes: number } {
  const want = expectedFiles();
  rmSync(dir, { recursive: true, force: true });
  let bytes = 0;
  for (const [path, data] of want) {
    const p = join(dir, path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, data);
    bytes += data.length;
  }
  return { files: want.size, bytes };
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const outAt = argv.indexOf('--out');
  const dir = outAt >= 0 && argv[outAt + 1] ? argv[outAt + 1]! : DEFAULT_DIR;
  if (check) {
    const problems = staleFiles(dir);
    if (problems.length) {
      process.stderr.write(`conformance vectors in ${dir} are stale (run npm run vectors):\n${problems.slice(0, 40).map((p) => `  ${p}\n`).join('')}${problems.length > 40 ? `  ... and ${problems.length - 40} more\n` : ''}`);
      return 1;
    }
    process.stdout.write(`conformance vectors in ${dir} are up to date\n`);
    return 0;
  }
  const { files, bytes } = write(dir);
  process.stdout.write(`wrote ${files} files (${bytes} bytes) to ${dir}\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));

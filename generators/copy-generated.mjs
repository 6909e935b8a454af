#!/usr/bin/env node
// Copies the generated Kaitai parsers (tools/generated/*.cjs) and their declarations (*.d.cts)
// next to the compiled index.js: tsc compiles tools/generated/index.ts but never copies .cjs files.
//
//   node generators/copy-generated.mjs [outDir]    (outDir defaults to dist, tsconfig's outDir)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(REPO, 'tools', 'generated');
const outRoot = path.resolve(REPO, process.argv[2] ?? 'dist');
const DEST = path.join(outRoot, 'tools', 'generated');

const files = fs
  .readdirSync(SRC)
  .filter((f) => f.endsWith('.cjs') || f.endsWith('.d.cts'))
  .sort();
if (!files.some((f) => f.endsWith('.cjs'))) {
  console.error(`copy-generated: no .cjs files in ${path.relative(REPO, SRC)}; run node generators/generate.mjs`);
  process.exit(1);
}
fs.mkdirSync(DEST, { recursive: true });
for (const f of files) fs.copyFileSync(path.join(SRC, f), path.join(DEST, f));
console.log(`copy-generated: ${files.length} files -> ${path.relative(REPO, DEST) || DEST}`);

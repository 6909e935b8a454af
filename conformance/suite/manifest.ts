/**
 * The vector catalogue (conformance/vectors/manifest.json, schemas/vector-manifest.schema.json):
 * types, loading and integrity checks.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Endian } from '../../tools/format/endian.js';
import type { LayoutId } from '../../tools/revisions/layout-id.js';
import type { DecoderQuery } from '../decoder-interface.js';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'lineinfo-conformance-vectors';
export const MANIFEST_VERSION = 1;

/** A reference answer: the file name (as UTF-8 text), the line, and where the name lies. */
export interface ExpectedHit {
  readonly file: string;
  readonly line: number;
  readonly nameOffset: number;
}

export type ExpectedAnswer = ExpectedHit | null;

export type VectorKind = 'valid' | 'malformed';

export interface ValidExpectation {
  /** one reference answer per query, in query order */
  readonly answers: readonly ExpectedAnswer[];
}

export interface MalformedExpectation {
  readonly required: 'safe';
  readonly recommended: 'no-annotation';
}

/** What the v1 kernel algorithm (builtin:kernel-v1) does on a malformed vector; informative. */
export interface KernelBehaviour {
  readonly outcome: 'safe' | 'out-of-bounds' | 'unsafe-answer';
  readonly detail?: string;
}

export interface VectorEntry {
  /** stable id: LAYOUT/GROUP/NAME-ENDIAN; the file is ID.bin */
  readonly id: string;
  readonly layout: LayoutId;
  readonly endian: Endian;
  readonly kind: VectorKind;
  /** `valid`, the rule id the vector was built to break, or the weakness (W-number) it targets */
  readonly group: string;
  readonly file: string;
  readonly size: number;
  readonly sha256: string;
  readonly description: string;
  /** every rule the reference reader reports for the section (MUST and SHOULD), sorted */
  readonly rules: readonly string[];
  /** weakness classes (W-numbers of format-revisions.md section 5) the vector exercises */
  readonly weaknesses: readonly string[];
  readonly queries: readonly DecoderQuery[];
  readonly expected: ValidExpectation | MalformedExpectation;
  readonly kernelV1?: KernelBehaviour;
}

export interface ExcludedRule {
  readonly rule: string;
  readonly reason: string;
}

export interface VectorManifest {
  readonly $schema?: string;
  readonly format: typeof MANIFEST_FORMAT;
  readonly version: typeof MANIFEST_VERSION;
  readonly description: string;
  readonly generator: string;
  readonly excludedRules: readonly ExcludedRule[];
  readonly vectors: readonly VectorEntry[];
}

export function isValidExpectation(e: VectorEntry['expected']): e is ValidExpectation {
  return 'answers' in e;
}

export interface LoadedVector {
  readonly entry: VectorEntry;
  readonly bytes: Uint8Array;
}

export class CatalogueError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path}: ${detail}`);
    this.name = 'CatalogueError';
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads the manifest and every vector file, checking sizes and hashes. */
export function loadCatalogue(dir: string): { manifest: VectorManifest; vectors: LoadedVector[] } {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) throw new CatalogueError(path, 'no vector manifest here (give --vectors DIR, the directory holding manifest.json)');
  let manifest: VectorManifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as VectorManifest;
  } catch (e) {
    throw new CatalogueError(path, `cannot read the manifest: ${(e as Error).message.split('\n')[0]}`);
  }
  if (manifest.format !== MANIFEST_FORMAT || manifest.version !== MANIFEST_VERSION || !Array.isArray(manifest.vectors)) {
    throw new CatalogueError(path, `not a version ${MANIFEST_VERSION} ${MANIFEST_FORMAT} manifest`);
  }
  const vectors = manifest.vectors.map((entry) => {
    const file = join(dir, entry.file);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(file));
    } catch (e) {
      throw new CatalogueError(file, `cannot read vector ${entry.id}: ${(e as Error).message.split('\n')[0]}`);
    }
    if (bytes.length !== entry.size || sha256(bytes) !== entry.sha256) {
      throw new CatalogueError(file, `vector ${entry.id} does not match its size/sha256 in the manifest (regenerate with npm run vectors)`);
    }
    return { entry, bytes };
  });
  return { manifest, vectors };
}

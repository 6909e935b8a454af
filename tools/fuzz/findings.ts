/**
 * Saved findings: NAME.bin (the reproducer section) and NAME.json (what went wrong, how the case
 * was made, the queries, and how to replay it). Names are stable for a given finding key.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { DecoderQuery } from '../../conformance/decoder-interface.js';
import { InputError } from '../errors.js';
import type { Endian } from '../format/endian.js';
import { isEndian } from '../format/endian.js';
import { writeFileAtomic } from '../output/atomic-write.js';
import { isLayoutId } from '../revisions/layout-id.js';
import type { LayoutId } from '../revisions/layout-id.js';
import type { CaseDecisions } from './case-gen.js';
import type { Category } from './oracle.js';
import type { WireCase } from './protocol.js';

export const FINDING_FORMAT = 'lineinfo-fuzz-finding/1';

export interface FindingFile {
  readonly format: typeof FINDING_FORMAT;
  readonly target: string;
  readonly seed: number;
  readonly caseIndex: number;
  readonly layout: LayoutId;
  readonly endian: Endian;
  readonly mutator: string;
  /** the rule the mutator targeted, if any */
  readonly rule: string | null;
  readonly mutation: string;
  readonly source: string;
  readonly sizeClass: string | null;
  readonly category: Category;
  /** what went wrong, on the reproducer */
  readonly detail: string;
  /** what went wrong on the original case */
  readonly originalDetail: string;
  readonly queryKind: string;
  readonly malformed: boolean;
  /** the MUST rules the reproducer breaks (validator), sorted; empty for a valid section */
  readonly rulesBroken: readonly string[];
  /** the reproducer's queries */
  readonly queries: readonly DecoderQuery[];
  readonly size: number;
  readonly originalSize: number;
  readonly minimised: boolean;
  readonly minimiseRuns: number;
  /** decision streams of the smallest regenerated case, when the minimiser got them */
  readonly decisions: CaseDecisions | null;
  readonly bin: string;
  readonly replay: string;
}

export function findingName(category: string, mutator: string, key: string): string {
  const slug = mutator.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();
  const hash = createHash('sha1').update(key).digest('hex').slice(0, 8);
  return `${category}-${slug}-${hash}`;
}

export function saveFinding(dir: string, name: string, bytes: Uint8Array, file: Omit<FindingFile, 'bin' | 'replay' | 'format'>): string {
  mkdirSync(dir, { recursive: true });
  const bin = join(dir, `${name}.bin`);
  const json = join(dir, `${name}.json`);
  writeFileAtomic(bin, bytes);
  const full: FindingFile = {
    format: FINDING_FORMAT,
    ...file,
    bin: basename(bin),
    replay: `lineinfo fuzz --target ${quote(file.target)} --replay ${quote(json)}`,
  };
  // arrays of numbers (decisions) on one line each
  const text = JSON.stringify(full, null, 2).replace(/\[\s*(-?\d+(?:,\s*-?\d+)*)\s*\]/g, (_, nums: string) => `[${nums.split(/,\s*/).join(', ')}]`);
  writeFileAtomic(json, text + '\n');
  return json;
}

function quote(s: string): string {
  return /^[A-Za-z0-9_./:#,=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface ReplayInput {
  /** the case, when fully known (a .json finding); for a bare .bin, layout/endian may be missing */
  readonly bytes: Uint8Array;
  readonly layout: LayoutId | null;
  readonly endian: Endian | null;
  readonly queries: readonly DecoderQuery[] | null;
  readonly finding: FindingFile | null;
}

export function loadReplay(path: string): ReplayInput {
  if (!existsSync(path)) throw new InputError(path, null, 'no such file');
  if (path.endsWith('.json')) {
    let f: FindingFile;
    try {
      f = JSON.parse(readFileSync(path, 'utf8')) as FindingFile;
    } catch (e) {
      throw new InputError(path, null, `not a finding file: ${(e as Error).message}`);
    }
    if (f.format !== FINDING_FORMAT || !isLayoutId(f.layout) || !isEndian(f.endian) || !Array.isArray(f.queries)) {
      throw new InputError(path, null, `not a ${FINDING_FORMAT} file`);
    }
    const binPath = join(dirname(path), f.bin);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(binPath));
    } catch (e) {
      throw new InputError(binPath, null, `cannot read the finding's section: ${(e as Error).message}`);
    }
    return { bytes, layout: f.layout, endian: f.endian, queries: f.queries, finding: f };
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new InputError(path, null, `cannot read: ${(e as Error).message}`);
  }
  const side = path.replace(/\.bin$/, '.json');
  if (path.endsWith('.bin') && existsSync(side)) {
    try {
      const f = JSON.parse(readFileSync(side, 'utf8')) as Partial<FindingFile>;
      if (f.format === FINDING_FORMAT) return loadReplay(side);
    } catch {
      // not a finding sidecar
    }
  }
  return { bytes, layout: null, endian: null, queries: null, finding: null };
}

export function wireCase(input: ReplayInput, layout: LayoutId, endian: Endian, queries: readonly DecoderQuery[]): WireCase {
  return { layout, endian, bytes: input.bytes, queries };
}

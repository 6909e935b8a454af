/**
 * Expected-failure lists: vector ids a decoder is known to fail. As in protobuf's conformance
 * suite, the list must be exact: a failure that is not listed fails the run, and so does a listed
 * id that no longer fails (a stale entry: the decoder improved, the list must shrink with it).
 *
 * Formats: a text file with one vector id per line (`#` starts a comment, blank lines ignored),
 * or JSON: an array of ids, or {"expectedFailures": [id | {"id": ..., "reason": ...}, ...]}.
 */
import { readFileSync } from 'node:fs';

export interface ExpectedFailures {
  readonly file: string;
  /** id -> reason given in the file (may be empty) */
  readonly ids: ReadonlyMap<string, string>;
}

export class ExpectedFailuresError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'ExpectedFailuresError';
  }
}

export function parseExpectedFailures(text: string, file: string): ExpectedFailures {
  const ids = new Map<string, string>();
  const add = (id: unknown, reason: unknown, where: string): void => {
    if (typeof id !== 'string' || !id.trim()) throw new ExpectedFailuresError(file, `${where}: not a vector id`);
    if (ids.has(id.trim())) throw new ExpectedFailuresError(file, `${where}: ${id} is listed twice`);
    ids.set(id.trim(), typeof reason === 'string' ? reason : '');
  };
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (e) {
      throw new ExpectedFailuresError(file, `not valid JSON: ${(e as Error).message.split('\n')[0]}`);
    }
    const list = Array.isArray(json) ? json : (json as { expectedFailures?: unknown }).expectedFailures;
    if (!Array.isArray(list)) throw new ExpectedFailuresError(file, 'JSON must be an array of ids or an object with an "expectedFailures" array');
    list.forEach((item: unknown, i) => {
      if (typeof item === 'object' && item !== null) add((item as { id?: unknown }).id, (item as { reason?: unknown }).reason, `expectedFailures[${i}]`);
      else add(item, '', `expectedFailures[${i}]`);
    });
    return { file, ids };
  }
  text.split(/\r?\n/).forEach((raw, i) => {
    const hash = raw.indexOf('#');
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (!line) return;
    if (/\s/.test(line)) throw new ExpectedFailuresError(file, `line ${i + 1}: one vector id per line ("${line}")`);
    add(line, hash >= 0 ? raw.slice(hash + 1).trim() : '', `line ${i + 1}`);
  });
  return { file, ids };
}

export function readExpectedFailures(file: string): ExpectedFailures {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ExpectedFailuresError(file, `cannot read: ${(e as Error).message.split('\n')[0]}`);
  }
  return parseExpectedFailures(text, file);
}

export interface StaleEntry {
  readonly id: string;
  readonly reason: string;
}

/**
 * Classifies results against the list: returns the stale entries (listed but passing, skipped
 * or unknown) and which failures were expected. Listed vectors that were not selected for this
 * run are neither.
 */
export function reconcile(
  list: ExpectedFailures | null,
  results: readonly { readonly id: string; readonly status: 'pass' | 'fail' | 'skip' }[],
  knownIds: ReadonlySet<string>,
): { expected: Set<string>; stale: StaleEntry[] } {
  const expected = new Set<string>();
  const stale: StaleEntry[] = [];
  if (!list) return { expected, stale };
  const byId = new Map(results.map((r) => [r.id, r]));
  for (const id of list.ids.keys()) {
    const r = byId.get(id);
    if (!r) {
      // a known vector outside the selection (--only) is simply not judged
      if (!knownIds.has(id)) stale.push({ id, reason: 'listed as an expected failure but no vector has this id' });
    } else if (r.status === 'fail') expected.add(id);
    else if (r.status === 'pass') stale.push({ id, reason: 'listed as an expected failure but passes now: remove it from the list' });
    else stale.push({ id, reason: 'listed as an expected failure but skipped (the decoder does not support its layout)' });
  }
  return { expected, stale };
}

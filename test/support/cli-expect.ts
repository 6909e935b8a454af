/** Assertions on how the CLI reports problems: one line, the right prefix, never a stack. */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliResult } from './cli.js';
import { REPO } from './cli.js';

export function stderrLines(r: CliResult): string[] {
  const lines = r.stderr.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export interface ErrorExpectation {
  /** the path the message must name */
  file?: string;
  /** require a `0x...` byte offset (after the file name when one is given); a number requires that exact offset */
  offset?: boolean | number;
  /** upper bound for the offset (e.g. the file size) */
  maxOffset?: number;
}

/** Exit 2, exactly one stderr line `lineinfo: ...`, no stack trace, optional file and offset. */
export function expectOneLineError(r: CliResult & { signal?: NodeJS.Signals | null }, what: string, x: ErrorExpectation = {}): void {
  const ctx = `${what}\n  status ${r.status}\n  stderr: ${JSON.stringify(r.stderr)}`;
  expect(r.signal ?? null, `${ctx}: killed (timeout?)`).to.equal(null);
  expect(r.status, ctx).to.equal(2);
  const lines = stderrLines(r);
  expect(lines, `${ctx}: exactly one stderr line`).to.have.length(1);
  const line = lines[0]!;
  expect(line.startsWith('lineinfo: '), ctx).to.equal(true);
  expect(/^\s{4}at /m.test(r.stderr), `${ctx}: stack trace`).to.equal(false);
  expect(r.stderr.includes('Error:'), `${ctx}: JS error prefix`).to.equal(false);
  expect(line.includes('internal error'), `${ctx}: internal error`).to.equal(false);
  if (x.file !== undefined) expect(line.includes(x.file), `${ctx}: names the file`).to.equal(true);
  if (x.offset !== undefined && x.offset !== false) {
    const re = x.file !== undefined ? new RegExp(`${escapeRe(x.file)}: 0x([0-9a-f]+)\\b`) : /\b0x([0-9a-f]+)\b/;
    const m = re.exec(line);
    expect(m, `${ctx}: a 0x byte offset${x.file !== undefined ? ' after the file name' : ''}`).to.not.equal(null);
    const at = parseInt(m![1]!, 16);
    if (typeof x.offset === 'number') expect(at, `${ctx}: byte offset`).to.equal(x.offset);
    if (x.maxOffset !== undefined) expect(at, `${ctx}: offset within the file`).to.be.at.most(x.maxOffset);
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Options a command parses, read from its source (parseCommandArgs(argv, { ... })). */
export function parsedOptions(command: string): { long: string[]; short: string[] } {
  const dir = join(REPO, 'tools', 'cli');
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.ts')) continue;
    const text = readFileSync(join(dir, f), 'utf8');
    if (!new RegExp(`name:\\s*'${command}'`).test(text)) continue;
    const start = text.indexOf('parseCommandArgs(argv, {');
    if (start < 0) continue;
    let depth = 0;
    let end = start + 'parseCommandArgs(argv, '.length;
    for (; end < text.length; end++) {
      if (text[end] === '{') depth++;
      else if (text[end] === '}' && --depth === 0) break;
    }
    const body = text.slice(start, end + 1);
    const long = [...body.matchAll(/['"]?([a-z][a-z0-9-]*)['"]?\s*:\s*\{\s*type\s*:/g)].map((m) => m[1]!);
    const short = [...body.matchAll(/short\s*:\s*'([A-Za-z])'/g)].map((m) => m[1]!);
    return { long: [...long, 'help'], short: [...short, 'h'] };
  }
  throw new Error(`no source for command ${command} in tools/cli`);
}

import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { EXIT, UsageError } from '../errors.js';
import { ENDIANS } from '../format/endian.js';
import type { FuzzReport } from '../fuzz/fuzz.js';
import { runFuzz } from '../fuzz/fuzz.js';
import { replay } from '../fuzz/replay.js';
import type { Command } from './command.js';
import { endianOption, layoutOption, parseCommandArgs, str, layoutList } from './options.js';

/** "30s", "2m", "500ms", "1h" or plain seconds */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--time must be a duration like 30s, 2m, 500ms or 1h; got "${text}"`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000));
}

function count(text: string | undefined, what: string, min = 0): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${what} must be a whole number; got "${text}"`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${what} must be at least ${min}; got "${text}"`);
  return n;
}

function summary(r: FuzzReport): string {
  const lines: string[] = [];
  const rate = Math.round(r.casesPerSec).toLocaleString('en-US');
  const perJob = Math.round(r.casesPerSec / r.jobs).toLocaleString('en-US');
  lines.push(`fuzz: target ${r.target} (${r.targetName}), seed ${r.seed}, layouts ${r.layouts.join(' ')}`);
  lines.push(`  ${r.cases.toLocaleString('en-US')} cases in ${(r.elapsedMs / 1000).toFixed(1)} s: ${rate} cases/s (${perJob} per job, ${r.jobs} job${r.jobs === 1 ? '' : 's'})` +
    (r.restarts ? `, ${r.restarts} worker restart(s)` : '') + (r.corpusLoaded || r.corpusSaved ? `; corpus: ${r.corpusLoaded} loaded, ${r.corpusSaved} saved` : ''));
  if (r.findings.length === 0) {
    lines.push('  no findings');
  } else {
    lines.push(`  ${r.findings.length} finding(s) (${r.rawFindings} failing case(s), deduplicated by category, mutator and first failing query):`);
    for (const f of r.findings) {
      const size = f.minimised ? `${f.size} B (from ${f.originalSize} B)` : `${f.size} B`;
      lines.push(`    ${f.category}  ${f.mutator}${f.rule ? ` [${f.rule}]` : ''}  ${f.layout}/${f.endian}  case ${f.caseIndex}  query ${f.queryKind}  ${size}${f.file ? `  ${f.file}` : ''}`);
      lines.push(`      ${f.detail}${f.rulesBroken.length ? ` [section breaks ${f.rulesBroken.join(', ')}]` : ' [valid section]'}`);
    }
  }
  return lines.join('\n') + '\n';
}

export const fuzzCommand: Command = {
  name: 'fuzz',
  summary: 'spec-aware fuzzing of a lineinfo decoder (in-process or external)',
  usage: `Usage: lineinfo fuzz --target SPEC [--revision R] [--endian E] [--seed N] [--runs N | --time 30s]
                     [--jobs N] [--corpus DIR] [--out DIR] [--no-minimize] [--json]
                     [--timeout MS] [--memory MB] [--max-entries N]
       lineinfo fuzz --target SPEC --replay FILE

Generates valid sections of every layout in both byte orders from random but realistic tables,
mutates them with structure-aware mutators (one per MUST rule, integer edges and u32 wrap-around,
LEB128 runs, truncation at every field, names, block offsets, counts) and byte-level havoc, runs
the decoder on each with lookup queries, and reports contract violations (spec/FORMAT.md,
"Decoder safety contract"): reads outside the section, exceptions, crashes, hangs, memory
exhaustion, wrong answers on valid sections, and answers on malformed ones whose name is not
NUL-terminated inside the name table. Every case is replayable from (seed, case index).

Targets (SPEC):
  builtin:reference        the strict reference decoder
  builtin:kernel-v1        the v1 kernel's lookup algorithm (finds its documented weaknesses)
  builtin:kaitai           the KSC-generated parsers (crashes, hangs, disagreement on valid input)
  module:PATH[#EXPORT]     a JS module exporting a DecoderUnderTest (conformance/decoder-interface.ts)
  exec:COMMAND [ARGS...]   a program speaking conformance/PROTOCOL.md
  c:PATH.c[,asan]          a C decoder in the conformance harness (guard pages, optional ASan)

Options:
  --target SPEC          the decoder under test (required)
  --revision R           only layout R; default all the target implements:
                         ${layoutList(25)}
  --endian E             only byte order E (le or be); default both
  --seed N               seed of the decision streams (default: random, printed)
  --runs N               number of cases (default 100000 unless --time is given)
  --time D               stop after D (30s, 5m, 1h); with --runs, whichever comes first
  --jobs N               worker threads (default: all cores, ${availableParallelism()} here)
  --corpus DIR           also mutate the *.bin sections in DIR, and save sections with new
                         behaviour there
  --out DIR              where findings are saved as NAME.bin + NAME.json (default fuzz-findings)
  --no-minimize          save findings as found, without shrinking them
  --timeout MS           per-case time limit before a case counts as a hang (default 5000, plus
                         1 ms per KiB of section)
  --max-entries N        largest generated table (default 1000000)
  --memory MB            heap limit of each worker thread; a decoder that exhausts it is a
                         memory finding (default 2048)
  --replay FILE          re-run a saved finding (.json or .bin) and print the outcome
  --json                 print the summary as JSON
  -h, --help             show this help

Output: a live progress line on a terminal; otherwise quiet except the final summary.
Exit status: 0 no findings (replay: the case passes); 1 findings (replay: it still fails);
2 usage error or unreadable/unwritable files.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      target: { type: 'string' },
      revision: { type: 'string' },
      endian: { type: 'string' },
      seed: { type: 'string' },
      runs: { type: 'string' },
      time: { type: 'string' },
      jobs: { type: 'string' },
      corpus: { type: 'string' },
      out: { type: 'string' },
      'no-minimize': { type: 'boolean' },
      timeout: { type: 'string' },
      'max-entries': { type: 'string' },
      memory: { type: 'string' },
      replay: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.help) return io.help(this.usage);
    if (positionals.length) throw new UsageError(`fuzz takes no positional arguments (got "${positionals[0]}")`);
    const target = str(values.target);
    const replayFile = str(values.replay);
    const layout = layoutOption(str(values.revision));
    const endian = endianOption(str(values.endian));
    const timeoutMs = count(str(values.timeout), '--timeout', 1);
    if (replayFile) {
      const r = await replay({ file: replayFile, ...(target ? { target } : {}), ...(layout ? { layout } : {}), ...(endian ? { endian } : {}), ...(timeoutMs ? { timeoutMs } : {}) });
      io.out(values.json ? JSON.stringify({ verdict: r.verdict, expected: r.expectedCategory }, null, 2) + '\n' : r.text);
      return r.verdict ? EXIT.FINDINGS : EXIT.OK;
    }
    if (!target) throw new UsageError('fuzz needs --target SPEC (see lineinfo fuzz --help)');
    const seedText = str(values.seed);
    const seed = seedText === undefined ? (Math.random() * 0x1_0000_0000) >>> 0 : count(seedText, '--seed')!;
    if (seed > 0xffff_ffff) throw new UsageError('--seed must be below 2^32');
    const timeText = str(values.time);
    const timeMs = timeText === undefined ? null : parseDuration(timeText);
    const runs = count(str(values.runs), '--runs') ?? (timeMs === null ? 100_000 : null);
    const jobs = count(str(values.jobs), '--jobs', 1);
    const maxEntries = count(str(values['max-entries']), '--max-entries', 1);
    const memoryMb = count(str(values.memory), '--memory', 16);
    const corpus = str(values.corpus);
    const out = resolve(str(values.out) ?? 'fuzz-findings');
    const report = await runFuzz({
      target,
      seed,
      runs,
      timeMs,
      ...(layout ? { layouts: [layout] } : {}),
      endians: endian ? [endian] : ENDIANS,
      ...(jobs ? { jobs } : {}),
      corpusDir: corpus ? resolve(corpus) : null,
      outDir: out,
      minimize: values['no-minimize'] !== true,
      ...(maxEntries ? { maxEntries } : {}),
      ...(timeoutMs ? { timeoutMs } : {}),
      ...(memoryMb ? { memoryMb } : {}),
      ...(io.progress ? { progress: io.progress } : {}),
    });
    io.out(values.json ? JSON.stringify(report, null, 2) + '\n' : summary(report));
    return report.findings.length ? EXIT.FINDINGS : EXIT.OK;
  },
};

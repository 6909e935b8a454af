import { existsSync } from 'node:fs';
import { EXIT, InputError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../output/atomic-write.js';
import { packagePath } from '../package-root.js';
import { parseDecoderSpec } from '../../conformance/driver.js';
import type { DecoderDriver } from '../../conformance/driver.js';
import { createDriver, DriverUnavailable, LEVELS, runConformance, specText } from '../../conformance/runner.js';
import type { Level } from '../../conformance/runner.js';
import { ExpectedFailuresError, readExpectedFailures } from '../../conformance/suite/expected-failures.js';
import type { ExpectedFailures } from '../../conformance/suite/expected-failures.js';
import { parseDuration } from '../../conformance/suite/fuzz-cases.js';
import { DecoderLoadError } from '../../conformance/suite/in-process-driver.js';
import { CatalogueError } from '../../conformance/suite/manifest.js';
import { htmlReport } from '../../conformance/suite/report-html.js';
import { jsonReport } from '../../conformance/suite/report-json.js';
import { junitReport } from '../../conformance/suite/report-junit.js';
import { textReport } from '../../conformance/suite/report-text.js';
import type { Command } from './command.js';
import { parseCommandArgs, str } from './options.js';

export const conformanceCommand: Command = {
  name: 'conformance',
  summary: 'run a decoder through the conformance vectors (and optionally fuzz cases)',
  usage: `Usage: lineinfo conformance --decoder SPEC [--level required|recommended] [--fuzz DURATION]
                            [--expected-failures FILE] [--json OUT] [--junit OUT] [--html OUT]
                            [--vectors DIR] [--only TEXT]... [--timeout MS] [--fuzz-seed N]

Runs the decoder SPEC over every vector of the conformance catalogue (conformance/vectors) and
judges its answers at a level of spec/FORMAT.md's decoder safety contract:
  required      valid tables: exactly the reference answers; malformed tables: every answer is
                none or a name NUL-terminated inside the name table; never a read outside the
                section, a crash, an exception or a hang
  recommended   as required, and no annotation at all on a table that breaks a MUST rule

Decoder specs:
  builtin:reference | builtin:kernel-v1   lineinfo-kit's strict decoder / the v1 kernel algorithm
  module:PATH[#EXPORT]                    a JS (or, with tsx installed, TS) module exporting a
                                          DecoderUnderTest (conformance/decoder-interface.ts)
  exec:COMMAND [ARGS...]                  a program speaking conformance/PROTOCOL.md
  c:PATH.c[,asan]                         a C decoder built into the guard-page harness
In-process decoders run in a worker thread on a guarded copy of the section (any read outside it
is reported with its offset), then twice more inside random bytes: answers that change mean the
decoder reads neighbouring memory.

Options:
  --decoder SPEC            the decoder under test (required)
  --level L                 required (default) or recommended
  --fuzz DURATION           after the vectors, judge random cases for DURATION (30s, 2m, 500ms)
  --fuzz-seed N             seed of the fuzz cases (default: from the clock; printed)
  --expected-failures FILE  vector ids expected to fail (text: one per line, # comments; or JSON);
                            an unlisted failure fails the run, and so does a listed id that passes
  --json OUT                JSON report (schemas/conformance-report.schema.json)
  --junit OUT               JUnit XML report (one testsuite per layout)
  --html OUT                self-contained HTML page with a hex map of every failing case
  --vectors DIR             catalogue directory (default: the bundled conformance/vectors)
  --only TEXT               run only vectors whose id contains TEXT (repeatable)
  --timeout MS              per-case time limit (default 2000)
  -h, --help                show this help

Exit status: 0 all cases pass (expected failures aside); 1 a failure, a stale expected-failure
entry or a fuzz failure; 2 usage error, unreadable catalogue or list, or a decoder that cannot be
loaded.`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, {
      decoder: { type: 'string' },
      level: { type: 'string' },
      fuzz: { type: 'string' },
      'fuzz-seed': { type: 'string' },
      'expected-failures': { type: 'string' },
      json: { type: 'string' },
      junit: { type: 'string' },
      html: { type: 'string' },
      vectors: { type: 'string' },
      only: { type: 'string', multiple: true },
      timeout: { type: 'string' },
    });
    if (values.help) return io.help(this.usage);
    const specArg = str(values.decoder);
    if (!specArg) throw new UsageError('conformance needs --decoder SPEC (e.g. builtin:reference); see lineinfo conformance --help');
    const spec = parseDecoderSpec(specArg);
    if (!spec) throw new UsageError(`--decoder "${specArg}" is not a decoder spec: builtin:NAME, module:PATH[#EXPORT], exec:COMMAND [ARGS], c:PATH.c[,asan]`);
    const level = (str(values.level) ?? 'required') as Level;
    if (!LEVELS.includes(level)) throw new UsageError(`--level must be required or recommended; got "${level}"`);
    let fuzzMs = 0;
    const fuzzArg = str(values.fuzz);
    if (fuzzArg !== undefined) {
      const ms = parseDuration(fuzzArg);
      if (ms === null || ms <= 0) throw new UsageError(`--fuzz "${fuzzArg}" is not a duration (e.g. 30s, 2m, 500ms)`);
      fuzzMs = ms;
    }
    const seedArg = str(values['fuzz-seed']);
    const fuzzSeed = seedArg === undefined ? undefined : Number(seedArg);
    if (fuzzSeed !== undefined && !(Number.isInteger(fuzzSeed) && fuzzSeed >= 0 && fuzzSeed <= 0xffff_ffff)) throw new UsageError(`--fuzz-seed "${seedArg}" is not a u32`);
    const timeoutArg = str(values.timeout);
    const timeoutMs = timeoutArg === undefined ? undefined : Number(timeoutArg);
    if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) throw new UsageError(`--timeout "${timeoutArg}" is not a positive number of milliseconds`);
    const vectorsDir = str(values.vectors) ?? packagePath('conformance', 'vectors');
    if (!existsSync(vectorsDir)) throw new InputError(vectorsDir, null, 'no such vectors directory');
    const only = Array.isArray(values.only) ? values.only : [];

    let expectedFailures: ExpectedFailures | null = null;
    const xfFile = str(values['expected-failures']);
    try {
      if (xfFile) expectedFailures = readExpectedFailures(xfFile);
    } catch (e) {
      if (e instanceof ExpectedFailuresError) throw new InputError(e.file, null, e.message.slice(e.file.length + 2));
      throw e;
    }

    let driver: DecoderDriver;
    try {
      driver = await createDriver(spec, timeoutMs === undefined ? {} : { timeoutMs });
    } catch (e) {
      if (e instanceof DecoderLoadError || e instanceof DriverUnavailable) throw new InputError('', null, `cannot load decoder ${specText(spec)}: ${e.message}`);
      throw new InputError('', null, `cannot start decoder ${specText(spec)}: ${(e as Error).message.split('\n')[0]}`);
    }
    let run;
    try {
      run = await runConformance(driver, {
        level,
        vectorsDir,
        decoderSpec: specText(spec),
        expectedFailures,
        ...(only.length ? { select: (v) => only.some((t) => v.id.includes(t)) } : {}),
        ...(fuzzMs ? { fuzzMs } : {}),
        ...(fuzzSeed === undefined ? {} : { fuzzSeed }),
        ...(io.progress ? { progress: io.progress } : {}),
      });
    } catch (e) {
      if (e instanceof CatalogueError) throw new InputError(e.path, null, e.message.slice(e.path.length + 2));
      throw e;
    } finally {
      await driver.close();
    }
    const json = str(values.json);
    const junit = str(values.junit);
    const html = str(values.html);
    if (json) writeFileAtomic(json, JSON.stringify(jsonReport(run), null, 2) + '\n');
    if (junit) writeFileAtomic(junit, junitReport(run));
    if (html) writeFileAtomic(html, htmlReport(run));
    io.out(textReport(run));
    return run.summary.ok ? EXIT.OK : EXIT.FINDINGS;
  },
};

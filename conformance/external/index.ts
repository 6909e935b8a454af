/**
 * Drivers for decoders outside this process (conformance/driver.ts specs `exec:` and `c:`). The
 * conformance runner imports this module dynamically and calls createDriver(spec).
 *
 *   exec:COMMAND ARGS   a program speaking conformance/PROTOCOL.md on stdin/stdout
 *   c:FILE.c[,asan]     a C decoder implementing conformance/harness/c/lineinfo_decoder.h, built
 *                       into the guard-page harness (with ASan + UBSan when `asan` is given) and
 *                       run as an exec: decoder
 */
import type { DecoderDriver, DecoderSpec } from '../driver.js';
import { buildCHarness, sanitizerEnv } from './c-build.js';
import type { CBuildOptions } from './c-build.js';
import { createExecDriver } from './exec-driver.js';
import type { ExecDriverOptions } from './exec-driver.js';

export {
  ANSWER_HIT,
  ANSWER_NONE,
  ANSWER_UNSUPPORTED,
  PROTOCOL_VERSION,
  ProtocolError,
  protocolDecodeRequest,
  protocolDecodeResponse,
  protocolEncodeRequest,
  protocolEncodeResponse,
} from './protocol.js';
export type { ProtocolAnswer, ProtocolRequest } from './protocol.js';
export { ExecDriver, createExecDriver, DEFAULT_TIMEOUT_MS } from './exec-driver.js';
export type { ExecDriverOptions } from './exec-driver.js';
export { buildCHarness, findCompiler, defaultCacheDir, sanitizerEnv } from './c-build.js';
export type { CBuild, CBuildOptions } from './c-build.js';
export { classifyFailure, classifyReport } from './classify.js';

export type ExternalDriverOptions = ExecDriverOptions & CBuildOptions;

/** A driver for an `exec:` or `c:` decoder spec. Throws when the decoder cannot be built or run. */
export async function createDriver(spec: DecoderSpec, options: ExternalDriverOptions = {}): Promise<DecoderDriver> {
  switch (spec.kind) {
    case 'exec':
      return createExecDriver(spec.argv, options);
    case 'c': {
      const build = await buildCHarness(spec.source, spec.sanitize, options);
      const name = options.name ?? `c:${spec.source}${spec.sanitize ? ',asan' : ''}`;
      const env = spec.sanitize ? sanitizerEnv(options.env ?? process.env) : options.env;
      return createExecDriver([build.executable], { ...options, name, ...(env ? { env } : {}) });
    }
    default:
      throw new Error(`conformance/external drives exec: and c: decoders, not ${spec.kind}:`);
  }
}

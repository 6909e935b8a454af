/**
 * How the conformance runner and the fuzzer drive a decoder: one case in (a section, its byte
 * order and layout, queries), one outcome out. In-process decoders, external programs speaking
 * conformance/PROTOCOL.md and the C harness are all drivers, so the runner does not care which.
 */
import type { Endian } from '../tools/format/endian.js';
import type { LayoutId } from '../tools/revisions/layout-id.js';
import type { DecoderAnswer, DecoderQuery } from './decoder-interface.js';

export interface DecoderCase {
  readonly section: Uint8Array;
  readonly endian: Endian;
  readonly layout: LayoutId;
  readonly queries: readonly DecoderQuery[];
}

/** What happened when a decoder ran one case. Anything but `answers` is a contract violation. */
export type CaseOutcome =
  | { readonly kind: 'answers'; readonly answers: readonly DecoderAnswer[] }
  /** read outside the section (guarded buffer, guard page or AddressSanitizer) */
  | { readonly kind: 'out-of-bounds'; readonly offset: number | null; readonly detail: string }
  /** crash, sanitizer report other than an out-of-bounds read, protocol error */
  | { readonly kind: 'crash'; readonly detail: string }
  /** an exception other than the documented ones (in-process decoders) */
  | { readonly kind: 'exception'; readonly detail: string }
  | { readonly kind: 'timeout'; readonly afterMs: number };

export interface DecoderDriver {
  readonly name: string;
  /** layouts the decoder supports (cases of other layouts are skipped) */
  readonly layouts: readonly LayoutId[];
  run(c: DecoderCase): Promise<CaseOutcome>;
  /** releases processes and files; the driver is not used afterwards */
  close(): Promise<void>;
}

/**
 * Decoder specs on the command line (`--decoder SPEC`):
 *   builtin:reference | builtin:kernel-v1      lineinfo-kit's own decoders
 *   module:PATH[#EXPORT]                       a JS/TS module exporting a DecoderUnderTest
 *   exec:COMMAND [ARGS...]                     a program speaking conformance/PROTOCOL.md
 *   c:PATH.c[,asan]                            a C decoder built into conformance/harness/c
 */
export type DecoderSpec =
  | { readonly kind: 'builtin'; readonly name: string }
  | { readonly kind: 'module'; readonly path: string; readonly exportName: string }
  | { readonly kind: 'exec'; readonly argv: readonly string[] }
  | { readonly kind: 'c'; readonly source: string; readonly sanitize: boolean };

export function parseDecoderSpec(text: string): DecoderSpec | null {
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  const kind = text.slice(0, colon);
  const rest = text.slice(colon + 1);
  if (!rest) return null;
  switch (kind) {
    case 'builtin':
      return { kind, name: rest };
    case 'module': {
      const hash = rest.lastIndexOf('#');
      return hash > 0 ? { kind, path: rest.slice(0, hash), exportName: rest.slice(hash + 1) } : { kind, path: rest, exportName: 'default' };
    }
    case 'exec':
      return { kind, argv: rest.split(/\s+/).filter(Boolean) };
    case 'c': {
      const [source, ...flags] = rest.split(',');
      return { kind, source: source!, sanitize: flags.includes('asan') };
    }
    default:
      return null;
  }
}

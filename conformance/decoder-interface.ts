/**
 * The interface every decoder under test implements, in-process (TypeScript/JavaScript modules)
 * or behind the external protocol (conformance/PROTOCOL.md). The conformance runner and the
 * fuzzer talk to decoders only through this.
 */
import type { Endian } from '../tools/format/endian.js';
import type { LayoutId } from '../tools/revisions/layout-id.js';

export interface DecoderQuery {
  /** offset from the table base (module text / vmlinux _text), u32 */
  readonly offset: number;
  /** the enclosing symbol's start as a table offset, when the caller knows it */
  readonly symbolStart?: number;
}

/** A decoder's answer: no annotation, or file:line plus where the name lies in the section. */
export type DecoderAnswer =
  | null
  | {
      readonly line: number;
      /**
       * Section offset of the first byte of the returned file name. The contract requires it to
       * lie inside the name table and be NUL-terminated there; the runner reads the name itself.
       */
      readonly nameOffset: number;
    };

export interface DecoderUnderTest {
  readonly name: string;
  /** the layouts this decoder claims to implement */
  readonly layouts: readonly LayoutId[];
  /**
   * Answers every query for one section. `section` may be a guarded view that throws
   * `GuardViolation` on any read outside the section: a decoder must never catch it.
   */
  decode(section: Uint8Array, endian: Endian, layout: LayoutId, queries: readonly DecoderQuery[]): DecoderAnswer[];
}

/** Exceptions a decoder may throw instead of answering (the contract says: prefer null). */
export class DecoderRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecoderRejected';
  }
}

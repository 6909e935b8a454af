/**
 * lineinfo-kit's own decoders as decoders under test: `reference` (strict: checks the whole
 * section, annotates nothing when a MUST rule is broken; the oracle) and `kernel-v1` (the v1
 * kernel's algorithm as posted, reads bounds-checked: it answers where the real kernel would, so
 * the suite shows which malformed sections the original decoders mishandle).
 */
import type { Endian } from '../tools/format/endian.js';
import { lookupValid, readForLookup } from '../tools/lookup/strict-lookup.js';
import type { LookupAnswer, LookupQuery } from '../tools/revisions/layout.js';
import type { LayoutId } from '../tools/revisions/layout-id.js';
import { LAYOUTS, layoutById } from '../tools/revisions/registry.js';
import type { DecoderAnswer, DecoderQuery, DecoderUnderTest } from './decoder-interface.js';

function toAnswer(a: LookupAnswer): DecoderAnswer {
  return a.kind === 'hit' ? { line: a.line, nameOffset: a.nameAt } : null;
}

function query(q: DecoderQuery): LookupQuery {
  return q.symbolStart === undefined ? { offset: q.offset } : { offset: q.offset, symbolStart: q.symbolStart };
}

export const referenceDecoder: DecoderUnderTest = {
  name: 'reference',
  layouts: LAYOUTS.map((l) => l.id),
  decode(section: Uint8Array, endian: Endian, layout: LayoutId, queries: readonly DecoderQuery[]): DecoderAnswer[] {
    // strictLookup(read(section), q) for every query, from the lookup-only read (the same answers)
    const model = readForLookup(layoutById(layout), section, endian);
    return queries.map((q) => (model === null ? null : toAnswer(lookupValid(model, query(q)))));
  },
};

/** The kernel's algorithm; a read outside the section is reported as what it is (a fault). */
export class KernelFault extends Error {
  constructor(readonly offset: number, reason: string) {
    super(reason);
    this.name = 'KernelFault';
  }
}

export const kernelV1Decoder: DecoderUnderTest = {
  name: 'kernel-v1',
  layouts: LAYOUTS.map((l) => l.id),
  decode(section: Uint8Array, endian: Endian, layout: LayoutId, queries: readonly DecoderQuery[]): DecoderAnswer[] {
    const l = layoutById(layout);
    return queries.map((q) => {
      const a = l.lookupKernel(section, endian, query(q));
      if (a.kind === 'fault') throw new KernelFault(a.offset, a.reason);
      return toAnswer(a);
    });
  },
};

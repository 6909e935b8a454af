/** Messages between the in-process driver and its decoder worker thread. */
import type { Endian } from '../../tools/format/endian.js';
import type { LayoutId } from '../../tools/revisions/layout-id.js';
import type { DecoderQuery } from '../decoder-interface.js';
import type { CaseOutcome } from '../driver.js';

export type WorkerDecoderSpec =
  | { readonly kind: 'builtin'; readonly name: string }
  | { readonly kind: 'module'; readonly url: string; readonly exportName: string };

export type ToWorker =
  | { readonly type: 'init'; readonly spec: WorkerDecoderSpec }
  | {
      readonly type: 'case';
      readonly seq: number;
      readonly section: Uint8Array;
      readonly endian: Endian;
      readonly layout: LayoutId;
      readonly queries: readonly DecoderQuery[];
      /** run twice more with the section inside random bytes and compare the answers */
      readonly poison: boolean;
      readonly poisonSeed: number;
    };

export type FromWorker =
  | { readonly type: 'ready'; readonly name: string; readonly layouts: readonly LayoutId[] }
  | { readonly type: 'init-error'; readonly message: string }
  | { readonly type: 'outcome'; readonly seq: number; readonly outcome: CaseOutcome };

/** Pieces every kernel-faithful lookup ends with. */
import { OutOfSection } from '../format/section-bytes.js';
import type { SectionBytes } from '../format/section-bytes.js';
import { hex } from '../format/u32-math.js';
import type { LookupAnswer } from './layout.js';

/**
 * The kernel hands the name pointer to printk's `%s`, which reads up to the NUL: a name that is
 * not terminated inside the section is an out-of-section read.
 */
export function finishLookup(view: SectionBytes, nameAt: number, fileId: number, line: number, entryOffset: number): LookupAnswer {
  const file = view.cString(nameAt, view.size);
  if (file === null) {
    return { kind: 'fault', offset: nameAt, reason: `file name at ${hex(nameAt)} is not NUL-terminated inside the section; printing it reads past the end` };
  }
  return { kind: 'hit', file, line, fileId, entryOffset, nameAt };
}

export function faultFrom(e: unknown): LookupAnswer {
  if (e instanceof OutOfSection) {
    return { kind: 'fault', offset: e.offset, reason: `the kernel's lookup reads ${e.width} byte(s) at ${hex(e.offset)}, outside the ${e.sectionSize}-byte section` };
  }
  throw e;
}

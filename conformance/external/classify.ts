/**
 * Turns what a decoder process left behind when it failed (stderr, exit status, signal) into a
 * CaseOutcome. Recognises the C harness's own report lines (conformance/harness/c/harness.c),
 * AddressSanitizer and UndefinedBehaviorSanitizer reports, and plain deaths.
 *
 *   - AddressSanitizer heap-/global-buffer-overflow on a READ          -> out-of-bounds (offset)
 *   - harness fault in a guard page next to the section                 -> out-of-bounds (offset)
 *   - harness fault at an address that u32 index arithmetic from the
 *     section can reach (4 GiB before it to 64 GiB after it)            -> out-of-bounds (wild)
 *   - harness: name pointer outside the section, answers that depend on
 *     the bytes around the section (placement mismatch)                 -> out-of-bounds
 *   - a Go or Rust bounds-check panic (index/slice out of range)          -> out-of-bounds (offset unknown)
 *   - any other sanitizer report, other faults (e.g. a NULL dereference),
 *     a bad return value, a protocol error, death without a report      -> crash
 */
import type { CaseOutcome } from '../driver.js';

export interface ProcessFailure {
  /** stderr written while the case ran (may include earlier noise) */
  readonly stderr: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** the process could not be started or talked to */
  readonly error?: string;
}

const FAULT_LINE = /lineinfo-harness: fault signal=(\d+) name=(\w+) phase=(\w+) placement=(\w+) query=(\d+) size=(\d+) guard=(\w+) offset=(-?\d+) addr=(0x[0-9a-f]+)/;
const NAME_OUTSIDE = /lineinfo-harness: name-outside-section placement=(\w+) query=(\d+) size=(\d+) offset=(-?\d+)/;
const MISMATCH = /lineinfo-harness: placement-mismatch query=(\d+)[^\n]*/;
const HARNESS_OTHER = /lineinfo-harness: (bad-answer|protocol-error|out-of-memory|mprotect-failed)[^\n]*/;
const ASAN = /ERROR: AddressSanitizer: ([\w-]+)[^\n]*/;
const ASAN_ACCESS = /\b(READ|WRITE) of size (\d+)/;
const ASAN_WHERE = /is located (\d+) bytes (to the right of|after|to the left of|before|inside of|inside) (\d+)-byte region/;
/** UBSan: `file.c:12:5: runtime error: …`; not Go's `panic: runtime error: …` */
const UBSAN = /^(?!panic: |fatal error: )[^\n]*runtime error: ([^\n]*)/m;
/** bounds-checked languages refusing a read outside a slice (most likely the section) */
const GO_BOUNDS = /panic: runtime error: ((?:index|slice bounds) out of range[^\n]*)/;
const RUST_BOUNDS = /panicked at[\s\S]{0,400}?(index out of bounds: the len is \d+ but the index is \d+|range (?:start|end) index \d+ out of range for slice of length \d+|slice index starts at \d+ but ends at \d+)/;
const GO_PANIC = /^(panic: [^\n]*|fatal error: [^\n]*)/m;
const RUST_PANIC = /thread '[^']*' panicked at[^\n]*(?:\n[^\n]*)?/;
const TWO_32 = 2 ** 32;
/** how far past the section a computed u32 index x element size (+ u32 offset) can reach */
const WILD_AFTER = 2 ** 36;

function tail(text: string, max = 1500): string {
  const t = text.trimEnd();
  return t.length > max ? `…${t.slice(t.length - max)}` : t;
}

/** The first lines of a sanitizer report, enough to see what and where. */
function reportExcerpt(text: string, from: number, lines = 8): string {
  return text.slice(from).split('\n').slice(0, lines).join('\n').trim();
}

function asanOutcome(stderr: string, m: RegExpExecArray): CaseOutcome {
  const type = m[1]!;
  const after = stderr.slice(m.index);
  const access = ASAN_ACCESS.exec(after);
  const where0 = ASAN_WHERE.exec(after);
  const lines = reportExcerpt(stderr, m.index, 4).replace(/^ERROR: /, '').split('\n');
  if (where0 && !lines.some((l) => l.includes(where0[0]))) lines.push(stderr.slice(m.index + where0.index).split('\n')[0]!.trim());
  const detail = lines.join('\n');
  if ((type === 'heap-buffer-overflow' || type === 'global-buffer-overflow') && access?.[1] === 'READ') {
    const where = ASAN_WHERE.exec(after);
    let offset: number | null = null;
    if (where) {
      const n = Number(where[1]);
      const size = Number(where[3]);
      offset = where[2] === 'to the left of' || where[2] === 'before' ? -n : where[2]!.startsWith('inside') ? n : size + n;
    }
    return { kind: 'out-of-bounds', offset, detail };
  }
  return { kind: 'crash', detail };
}

/** Classifies a report found in stderr; null when there is none. */
export function classifyReport(stderr: string): CaseOutcome | null {
  const asan = ASAN.exec(stderr);
  const fault = FAULT_LINE.exec(stderr);
  // ASan reports first: the harness runs the heap placement first, so its report has the offset.
  if (asan && (!fault || asan.index < fault.index)) return asanOutcome(stderr, asan);
  if (fault) {
    const [, sig, name, phase, placement, query, size, guard, offsetText, addr] = fault;
    const offset = Number(offsetText);
    const where = `query ${query}, ${placement} placement, section of ${size} bytes`;
    if (guard === 'lower' || guard === 'upper') {
      const side = guard === 'upper' ? 'past the end of' : 'before the start of';
      return { kind: 'out-of-bounds', offset, detail: `${name} in the guard page ${side} the section at offset ${offset} while ${phase === 'name' ? 'reading the returned name' : 'decoding'} (${where})` };
    }
    const segv = sig === '11' || sig === '7';
    if (segv && phase !== 'harness' && Number(BigInt(addr!)) >= 0x10000 && offset >= -TWO_32 && offset < Number(size) + WILD_AFTER) {
      const beyond = placement === 'heap' ? 'outside the redzones AddressSanitizer checks' : 'beyond the guard pages';
      return { kind: 'out-of-bounds', offset, detail: `${name} at section offset ${offset}, ${beyond} (a wild read ${offset < 0 ? 'before' : 'after'} the section; ${where})` };
    }
    return { kind: 'crash', detail: `${name} at address ${addr} while ${phase === 'name' ? 'reading the returned name' : phase === 'decode' ? 'decoding' : 'in the harness'} (${where})` };
  }
  const outside = NAME_OUTSIDE.exec(stderr);
  if (outside) {
    return { kind: 'out-of-bounds', offset: Number(outside[4]), detail: `the returned name pointer lies outside the section, at offset ${outside[4]} (query ${outside[2]}, ${outside[1]} placement)` };
  }
  const mismatch = MISMATCH.exec(stderr);
  if (mismatch) {
    return { kind: 'out-of-bounds', offset: null, detail: `answers depend on the bytes around the section, so the decoder reads outside it: ${mismatch[0].replace('lineinfo-harness: ', '')}` };
  }
  const other = HARNESS_OTHER.exec(stderr);
  if (other) return { kind: 'crash', detail: other[0].replace('lineinfo-harness: ', 'harness: ') };
  const goBounds = GO_BOUNDS.exec(stderr);
  if (goBounds) return { kind: 'out-of-bounds', offset: null, detail: `Go bounds check: ${goBounds[1]} (a read outside a slice, most likely the section)` };
  const rustBounds = RUST_BOUNDS.exec(stderr);
  if (rustBounds) return { kind: 'out-of-bounds', offset: null, detail: `Rust bounds check: ${rustBounds[1]} (a read outside a slice, most likely the section)` };
  const ub = UBSAN.exec(stderr);
  if (ub) {
    const lineStart = stderr.lastIndexOf('\n', ub.index) + 1;
    return { kind: 'crash', detail: `UndefinedBehaviorSanitizer: ${reportExcerpt(stderr, lineStart, 4)}` };
  }
  const panic = GO_PANIC.exec(stderr) ?? RUST_PANIC.exec(stderr);
  if (panic) return { kind: 'crash', detail: panic[0].trim() };
  return null;
}

/** Outcome for a decoder process that died (or was unusable) while running a case. */
export function classifyFailure(f: ProcessFailure): CaseOutcome {
  const report = classifyReport(f.stderr);
  if (report) return report;
  if (f.error) return { kind: 'crash', detail: f.error + (f.stderr.trim() ? `; stderr: ${tail(f.stderr)}` : '') };
  const how = f.signal ? `was killed by ${f.signal}` : f.code === 0 ? 'exited (status 0) without answering' : `exited with status ${f.code}`;
  return { kind: 'crash', detail: `the decoder ${how}` + (f.stderr.trim() ? `; stderr: ${tail(f.stderr)}` : '') };
}

/**
 * The guarded view handed to in-process decoders: a Uint8Array over an ArrayBuffer of exactly the
 * section's size, behind a Proxy that throws GuardViolation on any numeric index outside
 * [0, size). Reading outside the section is therefore either impossible (DataView, subarray and
 * typed-array methods work on the exact-size buffer and fail or return nothing) or reported
 * with the offset the decoder tried to read.
 */

// One violation type for the conformance runner and the fuzzer.
import { GuardViolation } from '../../conformance/suite/guard.js';
export { GuardViolation };

/** A numeric property key of an integer-indexed object ("3", "-1", "1.5", "NaN"...), or null. */
function numericKey(p: string): number | null {
  const c = p.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    // fast path: plain decimal digits
    let v = 0;
    for (let i = 0; i < p.length; i++) {
      const d = p.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return canonical(p);
      v = v * 10 + d;
    }
    return p.length > 1 && c === 48 ? canonical(p) : v;
  }
  if (c === 45 || p === 'NaN' || p === 'Infinity') return canonical(p);
  return null;
}

function canonical(p: string): number | null {
  if (p === '-0') return -0;
  const n = Number(p);
  return String(n) === p ? n : null;
}

/**
 * One handler for every view (no per-view closures: views are made for every case). Methods are
 * bound to the real array on access, so typed-array methods work on the exact-size buffer.
 */
const HANDLER: ProxyHandler<Uint8Array> = {
  get(target, p) {
    if (typeof p === 'string') {
      const i = numericKey(p);
      if (i !== null) {
        if (Number.isInteger(i) && i >= 0 && i < target.length && !Object.is(i, -0)) return target[i];
        throw new GuardViolation(i, target.length);
      }
    }
    const v: unknown = Reflect.get(target, p, target);
    return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
  },
  set(target, p, value) {
    if (typeof p === 'string') {
      const i = numericKey(p);
      if (i !== null) {
        if (Number.isInteger(i) && i >= 0 && i < target.length) {
          target[i] = value as number;
          return true;
        }
        throw new GuardViolation(i, target.length, true);
      }
    }
    return Reflect.set(target, p, value, target);
  },
  has(target, p) {
    if (typeof p === 'string') {
      const i = numericKey(p);
      if (i !== null) return Number.isInteger(i) && i >= 0 && i < target.length;
    }
    return Reflect.has(target, p);
  },
};

/** A fresh copy of `bytes` in an exact-size buffer, guarded. */
export function guardedView(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(new ArrayBuffer(bytes.length));
  copy.set(bytes);
  return new Proxy(copy, HANDLER);
}

/** A copy of `bytes` in an exact-size buffer, unguarded (for decoders that need a real typed array). */
export function exactCopy(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(new ArrayBuffer(bytes.length));
  copy.set(bytes);
  return copy;
}

/**
 * Guarded sections for in-process decoders.
 *
 * The decoder gets a Uint8Array whose backing ArrayBuffer is exactly the section (so `.buffer`,
 * DataView and typed-array views cannot reach other memory), behind a Proxy that throws
 * GuardViolation on any integer index outside [0, length). DataViews over such a buffer are
 * checked too (when installDataViewGuard() has run, as it does in the decoder worker), so a read
 * past the end reports its offset instead of a bare RangeError. Every violation is also recorded
 * in the GuardState: a decoder that catches the exception is still caught.
 */

/** A decoder touched a byte outside the section. Decoders must never catch it. */
export class GuardViolation extends Error {
  constructor(
    readonly offset: number,
    readonly sectionSize: number,
    readonly write = false,
  ) {
    super(`${write ? 'write' : 'read'} at ${describe(offset)} is outside the ${sectionSize}-byte section`);
    this.name = 'GuardViolation';
  }
}

function describe(offset: number): string {
  return Number.isInteger(offset) && offset >= 0 ? `0x${offset.toString(16)}` : String(offset);
}

export interface GuardState {
  /** the first violation, kept even when the decoder swallows the exception */
  violation: GuardViolation | null;
}

const guardedBuffers = new WeakMap<ArrayBufferLike, { state: GuardState; size: number }>();

/** A canonical numeric property key ("3", "-1", "1.5", "NaN", "-0"), or null for other keys. */
function numericKey(p: string): number | null {
  const c = p.charCodeAt(0);
  if (!((c >= 48 && c <= 57) || c === 45 || c === 73 || c === 78)) return null; // digit, '-', 'I', 'N'
  if (p === '-0') return -0;
  const n = Number(p);
  return String(n) === p ? n : null;
}

function violate(state: GuardState, offset: number, size: number, write = false): GuardViolation {
  const v = new GuardViolation(offset, size, write);
  if (!state.violation) state.violation = v;
  return v;
}

/** A copy of `bytes` in an exact-size buffer, behind the guard Proxy. */
export function guardedSection(bytes: Uint8Array, state: GuardState): Uint8Array {
  const buffer = new ArrayBuffer(bytes.length);
  const target = new Uint8Array(buffer);
  target.set(bytes);
  const size = bytes.length;
  guardedBuffers.set(buffer, { state, size });
  const methods = new Map<PropertyKey, unknown>();
  const inRange = (i: number): boolean => Number.isInteger(i) && i >= 0 && i < size && !Object.is(i, -0);
  return new Proxy(target, {
    get(t, p) {
      if (typeof p === 'string') {
        const i = numericKey(p);
        if (i !== null) {
          if (inRange(i)) return t[i];
          throw violate(state, i, size);
        }
      }
      const v: unknown = Reflect.get(t, p, t);
      if (typeof v !== 'function') return v;
      let bound = methods.get(p);
      if (!bound) {
        bound =
          p === 'at'
            ? (index: number) => {
                const i = Math.trunc(Number(index));
                const k = i < 0 ? size + i : i;
                if (!inRange(k)) throw violate(state, k, size);
                return t[k];
              }
            : (v as (...a: unknown[]) => unknown).bind(t);
        methods.set(p, bound);
      }
      return bound;
    },
    set(t, p, value) {
      if (typeof p === 'string') {
        const i = numericKey(p);
        if (i !== null) {
          if (!inRange(i)) throw violate(state, i, size, true);
          t[i] = value as number;
          return true;
        }
      }
      return Reflect.set(t, p, value, t);
    },
  });
}

const DATA_VIEW_READS: readonly [string, number][] = [
  ['getInt8', 1], ['getUint8', 1], ['getInt16', 2], ['getUint16', 2], ['getInt32', 4], ['getUint32', 4],
  ['getFloat32', 4], ['getFloat64', 8], ['getBigInt64', 8], ['getBigUint64', 8],
];
const DATA_VIEW_WRITES: readonly [string, number][] = [
  ['setInt8', 1], ['setUint8', 1], ['setInt16', 2], ['setUint16', 2], ['setInt32', 4], ['setUint32', 4],
  ['setFloat32', 4], ['setFloat64', 8], ['setBigInt64', 8], ['setBigUint64', 8],
];

let installed = false;

/**
 * Replaces the global DataView with a subclass that reports reads and writes outside a guarded
 * section as GuardViolation (with the section offset). Only affects DataViews over guarded
 * buffers. Meant for the decoder worker thread, which runs nothing else.
 */
export function installDataViewGuard(): void {
  if (installed) return;
  installed = true;
  const Native = globalThis.DataView as unknown as new (buffer: ArrayBufferLike, byteOffset?: number, byteLength?: number) => DataView;
  class GuardedDataView extends Native {}
  const proto = GuardedDataView.prototype as unknown as Record<string, unknown>;
  for (const [list, write] of [[DATA_VIEW_READS, false], [DATA_VIEW_WRITES, true]] as const) {
    for (const [name, width] of list) {
      const original = (Native.prototype as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!;
      proto[name] = function (this: DataView, offset: unknown, ...rest: unknown[]) {
        const g = guardedBuffers.get(this.buffer);
        if (g) {
          const o = Number(offset);
          if (!(Number.isInteger(o) && o >= 0 && o + width <= this.byteLength)) throw violate(g.state, this.byteOffset + (Number.isFinite(o) ? Math.trunc(o) : 0), g.size, write);
        }
        return original.call(this, offset, ...rest);
      };
    }
  }
  Object.defineProperty(globalThis, 'DataView', { value: GuardedDataView, writable: true, configurable: true, enumerable: false });
}

/**
 * The same section inside a larger buffer of random bytes (a subarray with poison before and
 * after). Two calls with the same seed and `invert` false/true give complementary poison, so a
 * decoder that reads any neighbouring byte sees a different value in the two runs.
 */
export function poisonedSection(bytes: Uint8Array, seed: number, invert: boolean): Uint8Array {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  // multiples of 8 keep the section's alignment the same as in the exact-size buffer
  const before = 64 + (next() % 32) * 8;
  const after = 64 + (next() % 32) * 8;
  const all = new Uint8Array(before + bytes.length + after);
  for (let i = 0; i < all.length; i++) all[i] = (next() & 0xff) ^ (invert ? 0xff : 0);
  all.set(bytes, before);
  return all.subarray(before, before + bytes.length);
}

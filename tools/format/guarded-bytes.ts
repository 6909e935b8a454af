/**
 * Guarded sections for in-process decoders: the conformance runner's decoder worker and the
 * fuzzer both hand decoders a copy of the section in which a read outside [0, size) is reported
 * as a GuardViolation with the offset the decoder tried, instead of yielding `undefined`.
 *
 * Two views, one contract (`section[i]` outside the section throws; `.buffer` is an
 * exact-size ArrayBuffer holding the section, so DataView and typed-array views over it cannot
 * reach other memory; typed-array methods work):
 *
 *  - guardedSection(): a real Uint8Array behind a Proxy that checks every property access. Exact
 *    typed-array behaviour (ArrayBuffer.isView, TextDecoder.decode(view), writes), but every read
 *    pays for the Proxy (about 85 ns in V8: several microseconds for a small section).
 *  - fastGuardedSection(): the bytes as the elements of an ordinary array whose prototype is a
 *    Proxy. Reads inside the section are plain element loads (no trap); any other index (past
 *    the end, negative, fractional, NaN) is not an own element, so the lookup reaches the
 *    prototype and throws. `instanceof Uint8Array` holds and every Uint8Array method and
 *    accessor is forwarded to an exact-size copy. It is not a typed array to the engine:
 *    ArrayBuffer.isView() is false, TextDecoder.decode(view) and similar APIs reject it, and
 *    writes into it are not seen through `.buffer`. Callers that need certainty re-run a case on
 *    guardedSection() (the fuzzer does so for every case that is a finding).
 *
 * FastViewPool hands out fast views whose exact-size copies are recycled, for a loop that makes
 * one view per call of a decoder that keeps nothing of it.
 *
 * With a GuardState, the first violation is also recorded there, so a decoder that catches the
 * exception is still caught. installDataViewGuard() makes DataViews over guarded buffers report
 * out-of-range reads as GuardViolation too (the conformance worker installs it).
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

/** The exact-size buffers handed out, with their state (for the DataView guard and violations). */
const guardedBuffers = new WeakMap<ArrayBufferLike, { state: GuardState | null; size: number }>();
/** installDataViewGuard() has run in this thread */
let installed = false;

/** A canonical numeric property key ("3", "-1", "1.5", "NaN", "-0", "Infinity"), or null. */
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
    return p.length > 1 && c === 48 ? canonical(p) : v <= Number.MAX_SAFE_INTEGER ? v : canonical(p);
  }
  if (c === 45 || c === 73 || c === 78) return canonical(p); // '-', 'I', 'N'
  return null;
}

function canonical(p: string): number | null {
  if (p === '-0') return -0;
  const n = Number(p);
  return String(n) === p ? n : null;
}

function inRange(i: number, size: number): boolean {
  return Number.isInteger(i) && i >= 0 && i < size && !Object.is(i, -0);
}

function violate(state: GuardState | null, offset: number, size: number, write = false): GuardViolation {
  const v = new GuardViolation(offset, size, write);
  if (state && !state.violation) state.violation = v;
  return v;
}

function stateOf(buffer: ArrayBufferLike): GuardState | null {
  return guardedBuffers.get(buffer)?.state ?? null;
}

/** A copy of `bytes` in a fresh ArrayBuffer of exactly its size. */
export function exactCopy(bytes: Uint8Array): Uint8Array {
  // slice() of a Uint8Array allocates a buffer of exactly the slice's length
  return bytes.slice();
}

function exactGuardedCopy(bytes: Uint8Array, state: GuardState | null): Uint8Array {
  const copy = exactCopy(bytes);
  // registered for the DataView guard and for recording violations; skipped (it costs a WeakMap
  // entry per case) when neither is in use
  if (state !== null || installed) guardedBuffers.set(copy.buffer, { state, size: copy.length });
  return copy;
}

/** `at()` with the guard: relative indexing inside the section, a violation outside it. */
function guardedAt(t: Uint8Array, state: GuardState | null): (index: number) => number {
  return (index: number) => {
    const i = Math.trunc(Number(index));
    const k = i < 0 ? t.length + i : i;
    if (!inRange(k, t.length)) throw violate(state, k, t.length);
    return t[k]!;
  };
}

// ---------------------------------------------------------------------------------------------
// the Proxy view

/**
 * One handler for every Proxy view (no per-view closures: views are made for every case). The
 * state is found through the target's buffer, and only when a violation happens.
 */
const STRICT: ProxyHandler<Uint8Array> = {
  get(t, p) {
    if (typeof p === 'string') {
      const i = numericKey(p);
      if (i !== null) {
        if (inRange(i, t.length)) return t[i];
        throw violate(stateOf(t.buffer), i, t.length);
      }
    }
    const v: unknown = Reflect.get(t, p, t);
    if (typeof v !== 'function' || p === 'constructor') return v;
    if (p === 'at') return guardedAt(t, stateOf(t.buffer));
    return (v as (...a: unknown[]) => unknown).bind(t);
  },
  set(t, p, value) {
    if (typeof p === 'string') {
      const i = numericKey(p);
      if (i !== null) {
        if (!inRange(i, t.length)) throw violate(stateOf(t.buffer), i, t.length, true);
        t[i] = value as number;
        return true;
      }
    }
    return Reflect.set(t, p, value, t);
  },
  has(t, p) {
    if (typeof p === 'string') {
      const i = numericKey(p);
      if (i !== null) return inRange(i, t.length);
    }
    return Reflect.has(t, p);
  },
};

/** A copy of `bytes` in an exact-size buffer, behind the guard Proxy (exact Uint8Array behaviour). */
export function guardedSection(bytes: Uint8Array, state: GuardState | null = null): Uint8Array {
  return new Proxy(exactGuardedCopy(bytes, state), STRICT);
}

// ---------------------------------------------------------------------------------------------
// the fast view

/** the exact-size copy behind a fast view (an own symbol property, so lookups never trap) */
const COPY = Symbol('lineinfo.guarded-bytes.copy');

interface FastView extends Array<number> {
  [COPY]: Uint8Array;
}

/**
 * The prototype of every fast view: reached only for what a view does not own, i.e. every index
 * outside the section and every Uint8Array property but `length`.
 */
const FAST_PROTO: object = new Proxy(Object.create(null) as object, {
  get(_t, p, receiver: FastView) {
    const copy = receiver[COPY] as Uint8Array | undefined;
    if (copy === undefined) return undefined; // not a view (the prototype itself)
    if (typeof p === 'string') {
      const i = numericKey(p);
      if (i !== null) throw violate(stateOf(copy.buffer), i, copy.length);
    }
    const v: unknown = Reflect.get(copy, p, copy);
    if (typeof v !== 'function' || p === 'constructor') return v;
    if (p === 'at') return guardedAt(copy, stateOf(copy.buffer));
    return (v as (...a: unknown[]) => unknown).bind(copy);
  },
  set(_t, p, value, receiver: FastView) {
    const copy = receiver[COPY] as Uint8Array | undefined;
    if (copy !== undefined && typeof p === 'string' && numericKey(p) !== null) throw violate(stateOf(copy.buffer), numericKey(p)!, copy.length, true);
    Object.defineProperty(receiver, p, { value, writable: true, enumerable: true, configurable: true });
    return true;
  },
  has(_t, p) {
    if (typeof p === 'string' && numericKey(p) !== null) return false;
    return Reflect.has(Uint8Array.prototype, p);
  },
  getPrototypeOf: () => Uint8Array.prototype,
});

/**
 * A copy of `bytes` as a fast guarded view (see the module comment for what differs from a real
 * Uint8Array). About as fast as a plain array to read; costs one copy and one array to make.
 */
export function fastGuardedSection(bytes: Uint8Array, state: GuardState | null = null): Uint8Array {
  return viewOf(exactGuardedCopy(bytes, state));
}

/**
 * The fast view over `copy` (an exact-size buffer the view owns); with `source`, `copy` is
 * filled from it in the same pass (for small sections, cheaper than TypedArray.prototype.set).
 */
function viewOf(copy: Uint8Array, source?: Uint8Array): Uint8Array {
  const n = copy.length;
  const view = new Array<number>(n) as FastView;
  if (source === undefined) for (let i = 0; i < n; i++) view[i] = copy[i]!;
  else {
    for (let i = 0; i < n; i++) {
      const b = source[i]!;
      copy[i] = b;
      view[i] = b;
    }
  }
  view[COPY] = copy;
  Object.setPrototypeOf(view, FAST_PROTO);
  return view as unknown as Uint8Array;
}

/** sections this long or longer are rare in a fuzz loop and not worth a slot */
const POOLED_LENGTHS = 8192;

/**
 * Fast guarded views whose exact-size copies are recycled by length. Of what a view costs, the
 * exact-size ArrayBuffer is the dearest part (an off-heap allocation the collector has to track);
 * a fuzz loop makes one view per case, and section lengths repeat (the fuzzer's tables are
 * cached), so most cases can refill a free copy of the right length instead. The array of
 * elements is made afresh: refilling an old one is slower than making it, because stores into
 * an array whose prototype is a Proxy take V8's slow path.
 *
 * For a caller that runs one decoder call at a time and knows the decoder keeps nothing of the
 * view past the call (the fuzzer's builtin:reference target): once given back, a view's `buffer`
 * holds the next case's bytes. Views come without a GuardState.
 */
export class FastViewPool {
  /** free copies by length, for lengths below POOLED_LENGTHS (an array index: no hashing) */
  private free: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(POOLED_LENGTHS).fill(undefined);
  private held = 0;

  /** `maxBytes`: the free copies' total length kept; past it, every free copy is dropped */
  constructor(private readonly maxBytes = 1 << 20) {}

  /** a fast guarded view of a copy of `bytes` */
  take(bytes: Uint8Array): Uint8Array {
    const n = bytes.length;
    const copy = n < POOLED_LENGTHS ? this.free[n] : undefined;
    if (copy === undefined) return fastGuardedSection(bytes);
    this.free[n] = undefined;
    this.held -= n;
    return viewOf(copy, bytes);
  }

  /** hands `view` (from take(), no longer used by anyone) back: its copy is reused */
  giveBack(view: Uint8Array): void {
    const copy = (view as unknown as Partial<FastView>)[COPY];
    if (copy === undefined) return;
    const n = copy.length;
    if (n >= POOLED_LENGTHS || this.free[n] !== undefined) return;
    if (this.held + n > this.maxBytes) {
      this.free.fill(undefined);
      this.held = 0;
    }
    this.free[n] = copy;
    this.held += n;
  }
}

/**
 * The exact-size copy behind a fast view, or `bytes` itself for anything else: what a DataView
 * over the view's `buffer` would read anyway, without three trips through the prototype trap
 * (`buffer`, `byteOffset`, `byteLength`). Reads through it are not guarded: for readers that
 * bounds-check every DataView read themselves (SectionBytes).
 */
export function backingOf(bytes: Uint8Array): Uint8Array {
  return Array.isArray(bytes) ? ((bytes as unknown as Partial<FastView>)[COPY] ?? bytes) : bytes;
}

/** whether `view` came from fastGuardedSection() */
export function isFastGuarded(view: unknown): boolean {
  return Array.isArray(view) && (view as Partial<FastView>)[COPY] !== undefined;
}

// ---------------------------------------------------------------------------------------------
// DataView guard

const DATA_VIEW_READS: readonly [string, number][] = [
  ['getInt8', 1], ['getUint8', 1], ['getInt16', 2], ['getUint16', 2], ['getInt32', 4], ['getUint32', 4],
  ['getFloat32', 4], ['getFloat64', 8], ['getBigInt64', 8], ['getBigUint64', 8],
];
const DATA_VIEW_WRITES: readonly [string, number][] = [
  ['setInt8', 1], ['setUint8', 1], ['setInt16', 2], ['setUint16', 2], ['setInt32', 4], ['setUint32', 4],
  ['setFloat32', 4], ['setFloat64', 8], ['setBigInt64', 8], ['setBigUint64', 8],
];

/**
 * Replaces the global DataView with a subclass that reports reads and writes outside a guarded
 * section as GuardViolation (with the section offset). Only affects DataViews over guarded
 * buffers. Meant for a decoder worker thread, which runs nothing else.
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
          if (!(Number.isInteger(o) && o >= 0 && o + width <= this.byteLength)) {
            throw violate(g.state, this.byteOffset + (Number.isFinite(o) ? Math.trunc(o) : 0), g.size, write);
          }
        }
        return original.call(this, offset, ...rest);
      };
    }
  }
  Object.defineProperty(globalThis, 'DataView', { value: GuardedDataView, writable: true, configurable: true, enumerable: false });
}

// ---------------------------------------------------------------------------------------------
// poisoned neighbourhood

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

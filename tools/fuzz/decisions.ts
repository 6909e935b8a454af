/**
 * The decision stream: every random choice the fuzzer makes (which layout, how many entries, which
 * mutator, which byte...) is one u32 drawn from here. A case is therefore a pure function of its
 * decisions. Drawn from a seeded generator, the decisions make a case replayable from
 * (seed, case index); recorded, they make it shrinkable: the minimiser edits the recorded values
 * (shorter, smaller, zeroed) and replays them. Reads past the end of a replayed stream give 0.
 *
 * Every helper maps the value 0 to the simplest choice (the first option, the lower bound,
 * `false` for a chance), so shrinking values towards 0 shrinks the case.
 */

/** murmur3's 32-bit finaliser: a cheap, well-mixing hash of one u32. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85eb_ca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2_ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

const TWO32 = 4294967296;

export class Decisions {
  // xoshiro128** state
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  private pos = 0;

  private constructor(
    private readonly given: readonly number[] | null,
    /** every value drawn, in order, when recording */
    readonly recorded: number[] | null,
  ) {}

  /**
   * A seeded stream. `stream` separates independent uses of one seed (case decisions, table
   * decisions per size class); `index` is the case or slot number (any safe integer).
   */
  static seeded(seed: number, stream: number, index: number, record = false): Decisions {
    const s = new Decisions(null, record ? [] : null);
    const lo = index >>> 0;
    const hi = Math.floor(index / TWO32) >>> 0;
    s.a = mix32((seed >>> 0) ^ 0x9e37_79b9);
    s.b = mix32(s.a ^ Math.imul(stream + 1, 0x85eb_ca77));
    s.c = mix32(s.b ^ lo ^ 0x27d4_eb2f);
    s.d = mix32(s.c ^ hi ^ 0x1656_67b1);
    if ((s.a | s.b | s.c | s.d) === 0) s.a = 1;
    for (let i = 0; i < 4; i++) s.next();
    return s;
  }

  /** Replays recorded values (and records what is drawn, so the consumed prefix is known). */
  static replay(values: readonly number[]): Decisions {
    return new Decisions(values, []);
  }

  /** how many values were drawn so far */
  get drawn(): number {
    return this.pos;
  }

  private next(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** one raw decision */
  u32(): number {
    let v: number;
    if (this.given !== null) v = this.pos < this.given.length ? this.given[this.pos]! >>> 0 : 0;
    else v = this.next();
    this.pos++;
    if (this.recorded !== null) this.recorded.push(v);
    return v;
  }

  /** an integer in [0, n) for 1 <= n <= 2^32 */
  below(n: number): number {
    if (n <= 1) {
      this.u32();
      return 0;
    }
    return this.u32() % n;
  }

  /** an integer in [lo, hi] (inclusive) */
  int(lo: number, hi: number): number {
    return hi <= lo ? (this.u32(), lo) : lo + this.below(hi - lo + 1);
  }

  /** true with probability p; the decision 0 gives false */
  chance(p: number): boolean {
    return this.u32() >= (1 - p) * TWO32;
  }

  /** a number in [0, 1) */
  real(): number {
    return this.u32() / TWO32;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  /** index of one of the weights (integers), in proportion to them; 0 gives the first non-zero one */
  weighted(weights: readonly number[], total?: number): number {
    const sum = total ?? weights.reduce((a, b) => a + b, 0);
    let v = this.below(sum);
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i]!;
      if (v < w) return i;
      v -= w;
    }
    return weights.length - 1;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * A 32-bit hash of `bytes`, continuing from `h`: FNV-1a's multiply over little-endian 32-bit words
 * (a quarter of the multiplies of byte-wise FNV-1a, which was 5% of a fuzz worker's time spent on
 * the run digest), the length and a murmur3 finish. Not for anything adversarial.
 */
export function hashBytes(bytes: Uint8Array, h = 0x811c_9dc5): number {
  const n = bytes.length;
  const words = n & ~3;
  let i = 0;
  for (; i < words; i += 4) {
    h = Math.imul(h ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)), 0x0100_0193);
    h ^= h >>> 15;
  }
  for (; i < n; i++) h = Math.imul(h ^ bytes[i]!, 0x0100_0193);
  return mix32((h ^ n) >>> 0);
}

/**
 * The one seeded generator of the project (the mulberry32 construction): vectors, tests, soak
 * runs and benchmarks all derive their tables from it, so the same seed gives the same bytes on
 * every platform and a committed catalogue can be regenerated exactly.
 */

/** A 32-bit seeded generator returning numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Deterministic randomness for the vector generator and the built-in fuzz cases: the same seed
 * gives the same bytes on every platform, so the committed catalogue can be regenerated exactly.
 */

export { seededRandom } from '../../tools/random/seeded-random.js';

/** An integer in [lo, hi] (inclusive). */
export function randInt(random: () => number, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1));
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[Math.floor(random() * items.length)]!;
}

/** FNV-1a over a string: stable seeds from names. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** FNV-1a over bytes (sampled for large inputs): poison seeds for a section. */
export function seedOfBytes(bytes: Uint8Array): number {
  let h = 0x811c9dc5 ^ bytes.length;
  const step = bytes.length > 65536 ? Math.floor(bytes.length / 65536) : 1;
  for (let i = 0; i < bytes.length; i += step) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

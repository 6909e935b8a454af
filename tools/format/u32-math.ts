/**
 * 32-bit unsigned arithmetic as C's `u32` does it. The kernel decoders compute array offsets in
 * u32, so a hostile header can make them wrap; the kernel-faithful lookup reproduces that on
 * purpose, and the validator compares against exact arithmetic to report it.
 */
export const add32 = (a: number, b: number): number => (a + b) >>> 0;
export const mul32 = (a: number, b: number): number => Math.imul(a, b) >>> 0;
export const sub32 = (a: number, b: number): number => (a - b) >>> 0;
/** `(x + 3) & ~3u` in u32 */
export const align4u32 = (x: number): number => ((x + 3) & ~3) >>> 0;
/** exact (no wrap) round-up to a multiple of 4 */
export const align4 = (x: number): number => Math.ceil(x / 4) * 4;
export const hex = (x: number | bigint): string => `0x${x.toString(16)}`;

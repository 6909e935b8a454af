/**
 * The memory a zstd stream asks for before any output appears. A zstd decoder allocates each
 * frame's window (or, for a single-segment frame, its declared content size) up front, so a
 * hostile file of a few bytes could make it reserve gigabytes; counting output bytes alone cannot
 * stop that. Walking the frame and block headers (no decoding) gives every frame's request first.
 * Layout per RFC 8878, section 3.1.
 */

const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const BLOCK_RLE = 1;
const BLOCK_RESERVED = 3;

function u32le(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/** Little-endian unsigned integer of `n` bytes (n <= 8), as a double: exact up to 2^53. */
function uintLe(b: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + b[at + i]!;
  return v;
}

/**
 * The largest buffer any frame of `data` makes a decoder allocate (window or declared content
 * size, whichever the decoder uses), or a string saying why the stream is malformed. Truncated
 * or malformed streams are left to the decoder to report when the headers themselves are fine.
 */
export function largestZstdFrameRequest(data: Uint8Array): number | string {
  let at = 0;
  let largest = 0;
  while (at < data.length) {
    if (at + 4 > data.length) return `truncated zstd frame at 0x${at.toString(16)}`;
    const magic = u32le(data, at);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (at + 8 > data.length) return `truncated skippable frame at 0x${at.toString(16)}`;
      at += 8 + u32le(data, at + 4);
      continue;
    }
    if (magic !== FRAME_MAGIC) return `no zstd frame at 0x${at.toString(16)}`;
    const fhd = data[at + 4];
    if (fhd === undefined) return `truncated zstd frame header at 0x${at.toString(16)}`;
    const singleSegment = (fhd >> 5) & 1;
    const checksum = (fhd >> 2) & 1;
    const dictBytes = [0, 1, 2, 4][fhd & 3]!;
    const fcsFlag = fhd >> 6;
    const fcsBytes = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
    let p = at + 5;
    let window = 0;
    if (!singleSegment) {
      const wd = data[p++];
      if (wd === undefined) return `truncated zstd frame header at 0x${at.toString(16)}`;
      const base = 2 ** (10 + (wd >> 3));
      window = base + (base / 8) * (wd & 7);
    }
    p += dictBytes;
    if (p + fcsBytes > data.length) return `truncated zstd frame header at 0x${at.toString(16)}`;
    const contentSize = fcsBytes === 0 ? 0 : uintLe(data, p, fcsBytes) + (fcsBytes === 2 ? 256 : 0);
    p += fcsBytes;
    // Single-segment frames have no window descriptor: the content size is the window.
    largest = Math.max(largest, singleSegment ? contentSize : window, contentSize);
    for (;;) {
      if (p + 3 > data.length) return `truncated zstd block at 0x${p.toString(16)}`;
      const header = data[p]! | (data[p + 1]! << 8) | (data[p + 2]! << 16);
      const type = (header >> 1) & 3;
      if (type === BLOCK_RESERVED) return `reserved zstd block type at 0x${p.toString(16)}`;
      p += 3 + (type === BLOCK_RLE ? 1 : header >>> 3);
      if (header & 1) break;
    }
    at = p + 4 * checksum;
  }
  return largest;
}

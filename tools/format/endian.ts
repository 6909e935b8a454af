/**
 * Byte order of a lineinfo section. The kernel's generator emits `.long`/`.short` and lets the
 * target assembler choose, so every multi-byte integer is in the target's native order.
 */
export type Endian = 'le' | 'be';

export const ENDIANS: readonly Endian[] = ['le', 'be'];

export function isEndian(value: string): value is Endian {
  return value === 'le' || value === 'be';
}

/** Growable little/big-endian byte sink used by the encoders (no size driven by input fields). */
export class ByteSink {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;
  private readonly le: boolean;

  constructor(endian: Endian, initialCapacity = 1024) {
    this.le = endian === 'le';
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.len;
  }

  private reserve(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(value: number): void {
    this.reserve(1);
    this.buf[this.len++] = value & 0xff;
  }

  u16(value: number): void {
    this.reserve(2);
    this.view.setUint16(this.len, value & 0xffff, this.le);
    this.len += 2;
  }

  u32(value: number): void {
    this.reserve(4);
    this.view.setUint32(this.len, value >>> 0, this.le);
    this.len += 4;
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  /** Zero bytes up to the next multiple of `alignment` (the assembler's `.balign`). */
  align(alignment: number): void {
    while (this.len % alignment !== 0) this.u8(0);
  }

  /** Overwrites a u32 already written (used for fields whose value is known only later). */
  patchU32(at: number, value: number): void {
    this.view.setUint32(at, value >>> 0, this.le);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/**
 * The rows of one line program's matrix, stored column by column in typed arrays.
 *
 * Why columns: a kernel's line tables hold millions of rows. One JS object per row (13 fields and
 * a bigint address) costs well over 100 bytes of heap each and keeps the garbage collector busy;
 * the generator needs 21 bytes a row (address, file, line, flags, section). The row objects of
 * LineRow are still available (row(), toRows()) for readers that want the whole matrix.
 *
 * Representation:
 *  - the 64-bit address is two u32 columns (addrHi, addrLo): kernel addresses such as
 *    0xffffffff81000000 do not fit a double exactly, and bigints would be allocated per row;
 *  - file and line are u32. The line register is kept modulo 2^32 by the decoder; a file index
 *    above 2^32 - 1 is stored as 2^32 - 1 (no table can have that many entries, so it stays an
 *    invalid index, which is all the generator asks of it);
 *  - the boolean registers are bits of one u8 (ROW_* below);
 *  - sectionIndex is an i32, NO_SECTION (-1) for null;
 *  - op_index, column, isa and discriminator (unused by the generator) are stored only when the
 *    rows are created with `detail`; otherwise at() reports them as 0.
 * Capacity grows by doubling, bounded by `maxRows` when the caller knows a bound (a program has
 * at most one row per byte).
 */
import type { LineRow, LineRowSink } from './debug-line.js';

export const ROW_IS_STMT = 1;
export const ROW_BASIC_BLOCK = 2;
export const ROW_END_SEQUENCE = 4;
export const ROW_PROLOGUE_END = 8;
export const ROW_EPILOGUE_BEGIN = 16;
/** sectionIndex of a row whose section is unknown (LineRow.sectionIndex null). */
export const NO_SECTION = -1;

const U32_MAX = 0xffff_ffff;

/** The detail registers, stored only on request. */
interface DetailColumns {
  opIndex: Uint8Array;
  column: Float64Array;
  isa: Float64Array;
  discriminator: Float64Array;
}

export class LineRows implements LineRowSink {
  length = 0;
  addrHi: Uint32Array;
  addrLo: Uint32Array;
  file: Uint32Array;
  line: Uint32Array;
  flags: Uint8Array;
  sectionIndex: Int32Array;
  private detail: DetailColumns | null;

  /**
   * @param capacity initial number of rows
   * @param maxRows upper bound on the rows that will be pushed (growth never goes past it)
   * @param detail store op_index, column, isa and discriminator too
   */
  constructor(
    capacity: number,
    private readonly maxRows: number = Number.MAX_SAFE_INTEGER,
    detail = false,
  ) {
    const n = Math.max(1, Math.min(capacity, maxRows));
    this.addrHi = new Uint32Array(n);
    this.addrLo = new Uint32Array(n);
    this.file = new Uint32Array(n);
    this.line = new Uint32Array(n);
    this.flags = new Uint8Array(n);
    this.sectionIndex = new Int32Array(n);
    this.detail = detail ? { opIndex: new Uint8Array(n), column: new Float64Array(n), isa: new Float64Array(n), discriminator: new Float64Array(n) } : null;
  }

  get capacity(): number {
    return this.flags.length;
  }

  get hasDetail(): boolean {
    return this.detail !== null;
  }

  /** Append a row (LineRowSink). */
  row(addrHi: number, addrLo: number, file: number, line: number, flags: number, sectionIndex: number, opIndex: number, column: number, isa: number, discriminator: number): void {
    const i = this.length;
    if (i === this.flags.length) this.resize(Math.min(Math.max(2 * i, 16), Math.max(this.maxRows, i + 1)));
    this.addrHi[i] = addrHi;
    this.addrLo[i] = addrLo;
    this.file[i] = file > U32_MAX ? U32_MAX : file;
    this.line[i] = line;
    this.flags[i] = flags;
    this.sectionIndex[i] = sectionIndex;
    const d = this.detail;
    if (d !== null) {
      d.opIndex[i] = opIndex;
      d.column[i] = column;
      d.isa[i] = isa;
      d.discriminator[i] = discriminator;
    }
    this.length = i + 1;
  }

  /** Hand every stored row to `sink`, in order (a program shared by several units is read once). */
  replay(sink: LineRowSink): void {
    const d = this.detail;
    for (let i = 0; i < this.length; i++) {
      sink.row(this.addrHi[i]!, this.addrLo[i]!, this.file[i]!, this.line[i]!, this.flags[i]!, this.sectionIndex[i]!, d === null ? 0 : d.opIndex[i]!, d === null ? 0 : d.column[i]!, d === null ? 0 : d.isa[i]!, d === null ? 0 : d.discriminator[i]!);
    }
  }

  address(i: number): bigint {
    return (BigInt(this.addrHi[i]!) << 32n) | BigInt(this.addrLo[i]!);
  }

  endSequence(i: number): boolean {
    return (this.flags[i]! & ROW_END_SEQUENCE) !== 0;
  }

  /** Row `i` as a LineRow object. */
  at(i: number): LineRow {
    const f = this.flags[i]!;
    const s = this.sectionIndex[i]!;
    const d = this.detail;
    return {
      address: this.address(i),
      opIndex: d === null ? 0 : d.opIndex[i]!,
      file: this.file[i]!,
      line: this.line[i]!,
      column: d === null ? 0 : d.column[i]!,
      isStmt: (f & ROW_IS_STMT) !== 0,
      basicBlock: (f & ROW_BASIC_BLOCK) !== 0,
      endSequence: (f & ROW_END_SEQUENCE) !== 0,
      prologueEnd: (f & ROW_PROLOGUE_END) !== 0,
      epilogueBegin: (f & ROW_EPILOGUE_BEGIN) !== 0,
      isa: d === null ? 0 : d.isa[i]!,
      discriminator: d === null ? 0 : d.discriminator[i]!,
      sectionIndex: s === NO_SECTION ? null : s,
    };
  }

  toRows(): LineRow[] {
    const out = new Array<LineRow>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.at(i);
    return out;
  }

  private resize(n: number): void {
    const keep = Math.min(this.length, n);
    const grow = <T extends Uint8Array | Uint32Array | Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a.subarray(0, keep));
      return b;
    };
    this.addrHi = grow(this.addrHi, (k) => new Uint32Array(k));
    this.addrLo = grow(this.addrLo, (k) => new Uint32Array(k));
    this.file = grow(this.file, (k) => new Uint32Array(k));
    this.line = grow(this.line, (k) => new Uint32Array(k));
    this.flags = grow(this.flags, (k) => new Uint8Array(k));
    this.sectionIndex = grow(this.sectionIndex, (k) => new Int32Array(k));
    const d = this.detail;
    if (d !== null) {
      this.detail = {
        opIndex: grow(d.opIndex, (k) => new Uint8Array(k)),
        column: grow(d.column, (k) => new Float64Array(k)),
        isa: grow(d.isa, (k) => new Float64Array(k)),
        discriminator: grow(d.discriminator, (k) => new Float64Array(k)),
      };
    }
  }
}

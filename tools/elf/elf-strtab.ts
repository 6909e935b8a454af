import type { ElfBytes } from './elf-bytes.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });
// windows-1252 as WHATWG defines it maps every byte to exactly one BMP code point, so indices in
// the decoded string are byte offsets; only ASCII-only ranges of it are ever handed out.
const singleByte = new TextDecoder('windows-1252');

/**
 * A string table section (SHT_STRTAB: .strtab, .dynstr, .shstrtab) with lookups whose cost does not
 * depend on how the names overlap. A naive "scan to the next NUL and decode" lets a hostile table
 * (one huge string, every st_name pointing into it) cost O(symbols x table size) in time and in
 * memory. Here:
 *  - one pass records the NUL positions; finding a name's end is a binary search;
 *  - the table is decoded once; an ASCII name is a slice of that string (V8 shares the storage);
 *  - a name with non-ASCII bytes is decoded as UTF-8 on its own (cached by offset), within a
 *    budget of 4x the table size plus 64 KiB; past it the file is rejected.
 * Memory stays O(table size).
 */
export class ElfStringTable {
  private readonly nuls: Uint32Array;
  private readonly nonAscii: Uint32Array;
  private text: string | undefined;
  private readonly decoded = new Map<number, string>();
  private budget: number;

  constructor(
    private readonly bytes: ElfBytes,
    readonly data: Uint8Array,
    /** How messages name the table, e.g. `string table 29 (.strtab)`. */
    readonly label: string,
  ) {
    let nulCount = 0;
    let highCount = 0;
    for (let i = 0; i < data.length; i++) {
      const b = data[i]!;
      if (b === 0) nulCount++;
      else if (b >= 0x80) highCount++;
    }
    this.nuls = new Uint32Array(nulCount);
    this.nonAscii = new Uint32Array(highCount);
    let n = 0;
    let h = 0;
    for (let i = 0; i < data.length; i++) {
      const b = data[i]!;
      if (b === 0) this.nuls[n++] = i;
      else if (b >= 0x80) this.nonAscii[h++] = i;
    }
    this.budget = 4 * data.length + 65536;
  }

  get size(): number {
    return this.data.length;
  }

  /**
   * The NUL-terminated string at `index`. `at` is the file offset of the field holding the index
   * (sh_name, st_name), used in the error when the index is outside the table or the string has
   * no terminator.
   */
  get(index: number, at: number): string {
    if (index >= this.data.length) {
      this.bytes.fail(at, `name offset 0x${index.toString(16)} is outside ${this.label} (size ${this.data.length})`);
    }
    const end = firstAtOrAfter(this.nuls, index);
    if (end < 0) {
      this.bytes.fail(at, `name at offset 0x${index.toString(16)} of ${this.label} is not NUL-terminated`);
    }
    if (end === index) return '';
    const high = firstAtOrAfter(this.nonAscii, index);
    if (high < 0 || high >= end) {
      this.text ??= singleByte.decode(this.data);
      return this.text.slice(index, end);
    }
    const cached = this.decoded.get(index);
    if (cached !== undefined) return cached;
    this.budget -= end - index;
    if (this.budget < 0) {
      this.bytes.fail(at, `names in ${this.label} overlap too much (non-ASCII decoding budget exceeded)`);
    }
    const name = utf8.decode(this.data.subarray(index, end));
    this.decoded.set(index, name);
    return name;
  }
}

/** The first element of the ascending array `sorted` that is >= `value`, or -1. */
function firstAtOrAfter(sorted: Uint32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length ? sorted[lo]! : -1;
}

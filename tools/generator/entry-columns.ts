/**
 * The generator's raw entries (offset, file id, line), stored column by column, and the
 * generator's sort and de-duplication of them.
 *
 * Why columns: a module or vmlinux yields one raw entry per kept DWARF row (millions for a
 * kernel), and about half of them survive de-duplication. The raw ones take 12 bytes each in
 * typed arrays, the survivors 10 (EntryArrays, which the encoders take as they are); an Entry
 * object would take about 56.
 *
 * toColumns() applies exactly the rules of normaliseEntries (model/line-table.ts), which stays the
 * definition: sort by (offset, file id, line), then drop a row whose offset equals the last kept
 * one's, or whose (file id, line) equals the last kept one's. Rows with line 0 are never added.
 */
import type { EntryArrays } from '../model/line-table.js';

/** Rows per chunk: 2^16 rows of 12 bytes, 768 KiB. */
const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

/** ES2024 resizable ArrayBuffer (Node 20+; the compiler's library predates it). */
interface ResizableBuffer extends ArrayBuffer {
  resize?(byteLength: number): void;
}
const Resizable = ArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => ResizableBuffer;

interface Chunk {
  readonly buffer: ResizableBuffer;
  readonly offset: Uint32Array;
  readonly file: Uint32Array;
  readonly line: Uint32Array;
}

/**
 * A chunk's three columns in one resizable ArrayBuffer, so that release() can give its memory
 * back at once (V8 decommits the pages of a resizable buffer that shrinks) instead of whenever the
 * garbage collector next runs: the result of toColumns() is written while the rows are released.
 */
function newChunk(): Chunk {
  const buffer = new Resizable(12 * CHUNK, { maxByteLength: 12 * CHUNK });
  return { buffer, offset: new Uint32Array(buffer, 0, CHUNK), file: new Uint32Array(buffer, 4 * CHUNK, CHUNK), line: new Uint32Array(buffer, 8 * CHUNK, CHUNK) };
}

function release(chunk: Chunk): void {
  chunk.buffer.resize?.(0);
}

/**
 * Rows in fixed-size chunks rather than one array that doubles: growing never copies, leaves no
 * garbage behind and wastes less than one chunk, so the peak is the rows themselves.
 */
export class EntryColumns {
  length = 0;
  private readonly chunks: Chunk[] = [];

  push(offset: number, file: number, line: number): void {
    const i = this.length;
    const j = i & MASK;
    if (j === 0 && i >>> CHUNK_BITS === this.chunks.length) {
      this.chunks.push(newChunk());
    }
    const c = this.chunks[i >>> CHUNK_BITS]!;
    c.offset[j] = offset;
    c.file[j] = file;
    c.line[j] = line;
    this.length = i + 1;
  }

  offsetAt(i: number): number {
    return this.chunks[i >>> CHUNK_BITS]!.offset[i & MASK]!;
  }

  /** File id; while a unit is being collected, its rows hold DWARF file indices here (collect-entries.ts). */
  fileAt(i: number): number {
    return this.chunks[i >>> CHUNK_BITS]!.file[i & MASK]!;
  }

  lineAt(i: number): number {
    return this.chunks[i >>> CHUNK_BITS]!.line[i & MASK]!;
  }

  /** Overwrite row `i` (< length). */
  set(i: number, offset: number, file: number, line: number): void {
    const c = this.chunks[i >>> CHUNK_BITS]!;
    const j = i & MASK;
    c.offset[j] = offset;
    c.file[j] = file;
    c.line[j] = line;
  }

  /** Drop the rows from `length` on (and the chunks they leave empty). */
  truncate(length: number): void {
    this.length = Math.min(this.length, length);
    const keep = Math.min(this.chunks.length, (this.length + MASK) >>> CHUNK_BITS);
    for (let c = keep; c < this.chunks.length; c++) release(this.chunks[c]!);
    this.chunks.length = keep;
  }

  /**
   * The generator's sorted, de-duplicated entries (see the module comment), as exact-size columns.
   * The rows are dropped as they are read (the collector is done with them), so that their chunks
   * can be freed while the result is written.
   */
  toColumns(): EntryArrays {
    const n = this.length;
    // Rows collected unit by unit are mostly in order already (each unit is walked in address
    // order, and units usually follow each other in .text); then no sort is needed. Otherwise
    // sort an index array: Array.prototype.sort is a merge sort that takes the sorted runs as
    // they are.
    const compare = (a: number, b: number): number => this.offsetAt(a) - this.offsetAt(b) || this.fileAt(a) - this.fileAt(b) || this.lineAt(a) - this.lineAt(b);
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) sorted = compare(i - 1, i) <= 0;
    let order: number[] | null = null;
    if (!sorted) {
      order = new Array<number>(n);
      for (let i = 0; i < n; i++) order[i] = i;
      order.sort(compare);
    }
    // Two walks: count the survivors, then write exactly that many (arrays grown by doubling
    // would leave copies behind). In row order, the second walk releases each chunk it is done
    // with, so the result takes the place of the rows rather than adding to them.
    const walk = (keep: (offset: number, file: number, line: number) => void, passed: ((chunk: number) => void) | null): void => {
      let lastOffset = -1;
      let lastFile = -1;
      let lastLine = -1;
      for (let k = 0; k < n; k++) {
        const i = order === null ? k : order[k]!;
        const o = this.offsetAt(i);
        const f = this.fileAt(i);
        const l = this.lineAt(i);
        if (passed !== null && (k & MASK) === MASK) passed(k >>> CHUNK_BITS);
        if (o === lastOffset || (f === lastFile && l === lastLine)) continue;
        keep(o, f, l);
        lastOffset = o;
        lastFile = f;
        lastLine = l;
      }
    };
    let count = 0;
    walk(() => count++, null);
    const offsets = new Uint32Array(count);
    const fileIds = new Uint16Array(count);
    const lines = new Uint32Array(count);
    let w = 0;
    const chunks = this.chunks;
    walk(
      (offset, fileId, line) => {
        offsets[w] = offset;
        fileIds[w] = fileId;
        lines[w] = line;
        w++;
      },
      // (the row just read is the chunk's last: its values are in locals already)
      order === null ? (c) => release(chunks[c]!) : null,
    );
    this.truncate(0);
    return { offsets, fileIds, lines };
  }
}

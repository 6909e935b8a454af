/**
 * Cuts a kernel log, arriving as byte chunks, into pieces to annotate one at a time, so a log of
 * any size streams through in bounded memory. Text is latin1 (one character per byte): every
 * byte, valid UTF-8 or not, comes out as it went in. A piece is one line with its `\n` (a `\r`
 * before it stays part of the line; a last line without `\n` is a piece too).
 *
 * A line longer than MAX_PENDING is cut into several pieces where no frame (nor the annotation
 * that may already follow one) crosses the cut; each later piece starts with CONTEXT characters
 * of what came before, for the marker look-back, and `from` says where its own text starts.
 * Kernel lines are at most 1 KiB, so this only bounds memory on input that is not a kernel log.
 */
import { findModuleFrames } from './frame-pattern.js';

export interface LogPiece {
  /** latin1 text; only `text.slice(from)` is this piece's own output */
  readonly text: string;
  readonly from: number;
}

const MAX_PENDING = 1 << 20;
/** bytes kept back at a cut: more than a frame (KSYM_NAME_LEN 512 + module name + numbers) plus ROOM */
const TAIL = 8192;
/** room after a frame for an annotation ` (file:line)` that is already there */
const ROOM = 4096;
/** more than frame-pattern's marker look-back */
const CONTEXT = 256;

/** Where a long line can be cut: before any frame that would end within ROOM of the cut. */
function safeCut(text: string): number {
  let cut = text.length - TAIL;
  const frames = findModuleFrames(text);
  for (let i = frames.length - 1; i >= 0; i--) {
    const f = frames[i]!;
    if (f.start < cut && f.end + ROOM > cut) cut = f.start;
  }
  // A line packed with frames: cut anyway rather than hold it (those frames may go unannotated).
  return cut < MAX_PENDING / 2 ? text.length - TAIL : cut;
}

export class LogSplitter {
  private pending = '';
  /** characters at the start of `pending` that were already output (context) */
  private from = 0;

  /** The pieces completed by this chunk. */
  push(chunk: Uint8Array): LogPiece[] {
    const pieces: LogPiece[] = [];
    // Buffer's latin1 decoding maps each byte to the code point of the same value, and back.
    const text = this.pending + Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    let start = 0;
    let from = this.from;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      pieces.push({ text: text.slice(start, nl + 1), from });
      start = nl + 1;
      from = 0;
    }
    this.pending = text.slice(start);
    this.from = from;
    while (this.pending.length > MAX_PENDING) {
      const cut = safeCut(this.pending);
      pieces.push({ text: this.pending.slice(0, cut), from: this.from });
      this.pending = this.pending.slice(cut - CONTEXT);
      this.from = CONTEXT;
    }
    return pieces;
  }

  /** The last line, when the log does not end with a newline. */
  end(): LogPiece[] {
    const rest = this.pending.length > this.from ? [{ text: this.pending, from: this.from }] : [];
    this.pending = '';
    this.from = 0;
    return rest;
  }
}

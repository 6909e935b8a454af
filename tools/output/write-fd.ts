/**
 * Writes a whole buffer to an open descriptor, synchronously. Synchronous so that every byte is
 * out (or its error known) before the command returns its exit status: nothing is left queued in
 * a stream when the process ends.
 */
import { writeSync } from 'node:fs';

/** A descriptor another process left (or Node made) non-blocking answers EAGAIN when full. */
const pause = new Int32Array(new SharedArrayBuffer(4));

export function writeAllSync(fd: number, data: Uint8Array | string): void {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      // The reader has not drained the pipe yet: wait a little rather than spin.
      Atomics.wait(pause, 0, 0, 2);
    }
  }
}

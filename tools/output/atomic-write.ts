/**
 * Every output file is written here. A regular file (or a new one) is written to a temporary
 * file beside it and renamed over it, so an interrupted run never leaves a half-written file and
 * never destroys the previous one; the replaced file's mode (and, for root, owner and group) is
 * kept, as `--in-place` must not change who may read a module. Anything else is written into
 * as it is (output-target.ts says why), with its write errors reported.
 */
import { closeSync, fchmodSync, fchownSync, fsyncSync, openSync, renameSync, unlinkSync } from 'node:fs';
import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { outputTarget } from './output-target.js';
import { StdoutClosedError, writeStdout } from './stdout.js';
import { writeAllSync } from './write-fd.js';

export function writeFileAtomic(target: string, data: Uint8Array | string): void {
  try {
    const t = outputTarget(target);
    // `-o /dev/stdout` is standard output, closed pipe and all (stdout.ts).
    if (t.kind === 'descriptor' && t.fd === 1) writeStdout(data);
    else if (t.kind === 'descriptor') writeAllSync(t.fd, data);
    else if (t.kind === 'special') writeInto(t.path, data);
    else if (t.kind === 'directory') throw new Error('is a directory');
    else replaceAtomically(t.path, data, t.kind === 'regular' ? t.stat : null);
  } catch (e) {
    if (e instanceof StdoutClosedError || e instanceof InputError) throw e;
    throw new InputError(target, null, `cannot write: ${(e as Error).message}`);
  }
}

/** Devices and FIFOs: no temporary file, no truncation, no fsync (meaningless there). */
function writeInto(path: string, data: Uint8Array | string): void {
  const fd = openSync(path, constants.O_WRONLY);
  try {
    writeAllSync(fd, data);
  } finally {
    closeSync(fd);
  }
}

function replaceAtomically(path: string, data: Uint8Array | string, old: Stats | null): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | null = null;
  try {
    // A new file: 0644 less the umask, as for any file a tool creates.
    fd = openSync(tmp, 'wx', 0o644);
    if (old) keepOwnerAndMode(fd, old);
    writeAllSync(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* the temporary file may not exist */
    }
    throw e;
  }
}

function keepOwnerAndMode(fd: number, old: Stats): void {
  // Only root may give a file away; chown comes first because it clears set-id bits.
  if (process.getuid?.() === 0 && (old.uid !== process.getuid() || old.gid !== process.getgid?.())) fchownSync(fd, old.uid, old.gid);
  fchmodSync(fd, old.mode & 0o7777);
}

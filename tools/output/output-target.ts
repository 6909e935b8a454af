/**
 * What an output path names, decided before anything is written, because the right way to write
 * depends on it: a regular file (or a new one) is replaced atomically; a device, FIFO or socket
 * is written into (renaming over /dev/null would replace the device with a regular file); an
 * already open descriptor (/dev/stdout, /dev/fd/N) is written through that descriptor.
 */
import { lstatSync, readlinkSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

export type OutputTarget =
  /** nothing there yet: create `path` (a symlink's final target when the name was a dangling link) */
  | { readonly kind: 'absent'; readonly path: string }
  /** an existing regular file, `path` with every symlink resolved, so the link itself survives */
  | { readonly kind: 'regular'; readonly path: string; readonly stat: Stats }
  | { readonly kind: 'directory'; readonly path: string }
  /** a character or block device, FIFO or socket */
  | { readonly kind: 'special'; readonly path: string }
  /** /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N: the caller's own descriptor */
  | { readonly kind: 'descriptor'; readonly fd: number };

const DESCRIPTOR_PATH = /^\/(?:dev\/fd|proc\/self\/fd)\/(\d+)$/;
const NAMED_DESCRIPTORS: ReadonlyMap<string, number> = new Map([['/dev/stdout', 1], ['/dev/stderr', 2]]);
/** The kernel's own limit on symlinks followed in one path lookup. */
const MAX_LINKS = 40;

export function outputTarget(path: string): OutputTarget {
  const fd = descriptorOf(path);
  // The shell's descriptor shares its file offset: `-o /dev/stdout >> log` appends, as it should.
  if (fd !== undefined) return { kind: 'descriptor', fd };
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    return { kind: 'absent', path: finalLinkTarget(path) };
  }
  if (st.isFile()) return { kind: 'regular', path: finalLinkTarget(path), stat: st };
  if (st.isDirectory()) return { kind: 'directory', path };
  return { kind: 'special', path };
}

function descriptorOf(path: string): number | undefined {
  const m = DESCRIPTOR_PATH.exec(path);
  return m ? Number(m[1]) : NAMED_DESCRIPTORS.get(path);
}

/** Follows `path` while it is a symlink (also a dangling one, whose target is then created). */
function finalLinkTarget(path: string): string {
  let p = path;
  for (let i = 0; i < MAX_LINKS; i++) {
    let isLink: boolean;
    try {
      isLink = lstatSync(p).isSymbolicLink();
    } catch {
      return p;
    }
    if (!isLink) return p;
    p = resolve(dirname(p), readlinkSync(p));
  }
  return p;
}

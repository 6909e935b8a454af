/**
 * How the generator turns the path libdw composes for a row into the name the kernel prints
 * (spec/FORMAT.md, "Entries from DWARF"). Two generations of the rule:
 *
 * v1 (`relativise`):
 *  - an absolute path inside comp_dir loses the `comp_dir/` prefix; any other absolute path is
 *    reduced to its basename (this loses directories when comp_dir is a subdirectory, the
 *    regression Helge Deller reported on parisc);
 *  - a relative path is kept, except the "doubled path" quirk `a/b.c/a/b.c`, which becomes
 *    `a/b.c`.
 *
 * v2 to v7 (`relativiseKernelDirs`), the fix for that regression:
 *  - an absolute path inside comp_dir loses the prefix only when what is left still has a '/';
 *    otherwise the first path component (at any depth) that is one of the kernel's top-level
 *    directories starts the name; failing that, the basename;
 *  - a relative path: the doubled-path quirk as in v1 (v4's midpoint test finds the same split);
 *    a bare name (no '/') with an absolute comp_dir is joined to it and the joined path scanned
 *    for a top-level directory the same way; otherwise kept.
 */

/** The kernel tree's top-level directories the v2+ generator scans for (22 of them). */
const KERNEL_DIRS = [
  'arch/', 'block/', 'certs/', 'crypto/', 'drivers/', 'fs/', 'include/', 'init/', 'io_uring/', 'ipc/', 'kernel/', 'lib/',
  'mm/', 'net/', 'rust/', 'samples/', 'scripts/', 'security/', 'sound/', 'tools/', 'usr/', 'virt/',
];

/** The doubled-path quirk `a/b.c/a/b.c` -> `a/b.c`, or null. */
function undoubled(path: string): string | null {
  // The split can only be in the middle: the part after it is as long as the part before.
  const mid = (path.length - 1) / 2;
  if (Number.isInteger(mid) && mid > 0 && path[mid] === '/' && path.slice(0, mid) === path.slice(mid + 1)) return path.slice(mid + 1);
  return null;
}

function basename(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash >= 0 ? path.slice(slash + 1) : path;
}

/** The rest of `path` from the first component (after a '/', at index 1 or later) that is a kernel top-level directory. */
function fromKernelDir(path: string): string | null {
  for (let p = path.indexOf('/', 0) + 1; p > 0 && p < path.length; p = path.indexOf('/', p) + 1) {
    if (KERNEL_DIRS.some((d) => path.startsWith(d, p))) return path.slice(p);
  }
  return null;
}

export function relativise(path: string, compDir: string | null): string {
  if (path.startsWith('/')) {
    if (compDir !== null && path.startsWith(compDir) && path[compDir.length] === '/') return path.slice(compDir.length + 1);
    return basename(path);
  }
  return undoubled(path) ?? path;
}

export function relativiseKernelDirs(path: string, compDir: string | null): string {
  if (path.startsWith('/')) {
    if (compDir !== null && path.startsWith(compDir) && path[compDir.length] === '/') {
      const rest = path.slice(compDir.length + 1);
      if (rest.includes('/')) return rest;
    }
    return fromKernelDir(path) ?? basename(path);
  }
  const single = undoubled(path);
  if (single !== null) return single;
  if (!path.includes('/') && compDir !== null && compDir.startsWith('/')) return fromKernelDir(`${compDir}/${path}`) ?? path;
  return path;
}

/** The relativisation of a generator's rules. */
export function relativiserFor(paths: 'v1' | 'kernel-dirs'): (path: string, compDir: string | null) => string {
  return paths === 'v1' ? relativise : relativiseKernelDirs;
}

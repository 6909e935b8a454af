/**
 * How the v1 generator turns the path libdw composes for a row into the name the kernel prints
 * (spec/FORMAT.md, "Entries from DWARF"):
 *  - an absolute path inside comp_dir loses the `comp_dir/` prefix; any other absolute path is
 *    reduced to its basename (this loses directories when comp_dir is a subdirectory, the
 *    regression Helge Deller reported on parisc);
 *  - a relative path is kept, except the "doubled path" quirk `a/b.c/a/b.c`, which becomes
 *    `a/b.c` (the first '/' at which the rest repeats the prefix wins).
 */
export function relativise(path: string, compDir: string | null): string {
  if (path.startsWith('/')) {
    if (compDir !== null && path.startsWith(compDir) && path[compDir.length] === '/') return path.slice(compDir.length + 1);
    const slash = path.lastIndexOf('/');
    return slash >= 0 ? path.slice(slash + 1) : path;
  }
  for (let p = path.indexOf('/'); p >= 0; p = path.indexOf('/', p + 1)) {
    const rest = path.length - p - 1;
    if (rest === p && path.slice(0, p) === path.slice(p + 1)) return path.slice(p + 1);
  }
  return path;
}

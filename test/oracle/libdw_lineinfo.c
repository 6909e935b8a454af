/*
 * libdw_lineinfo: an independent oracle for `lineinfo encode ELF`, written for lineinfo-kit's
 * tests from the rules in spec/FORMAT.md ("Encoder", "Entries from DWARF"). MIT licensed; it is
 * not derived from the kernel's scripts/gen_lineinfo.c.
 *
 *   libdw_lineinfo module|vmlinux FILE > table.json
 *
 * It reads FILE's line tables with libdw (elfutils), which does NOT relocate ET_REL objects, so
 * module mode is meant for a LINKED copy of a module (its .text at its own address). Output is
 * lineinfo-kit's encoder input (schemas/encoder-input.schema.json), already normalised:
 *   {"files":[...],"entries":[{"offset":O,"file":F,"line":L},...]}
 *
 * Build: gcc -O2 -Wall -o libdw_lineinfo libdw_lineinfo.c -ldw -lelf
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct row { uint64_t offset; uint32_t file; uint32_t line; };

static struct row *rows;
static size_t nrows, caprows;
static char **files;
static size_t nfiles, capfiles;

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "libdw_lineinfo: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	exit(1);
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	*cap = *cap ? *cap * 2 : 256;
	if (*cap < need)
		*cap = need;
	p = realloc(p, *cap * elem);
	if (!p)
		die("out of memory", NULL);
	return p;
}

/* The name the kernel prints for a path libdw composed (see relative-path rules in the spec). */
static const char *relativise(const char *path, const char *comp_dir)
{
	size_t n = strlen(path);

	if (path[0] == '/') {
		if (comp_dir) {
			size_t c = strlen(comp_dir);
			if (strncmp(path, comp_dir, c) == 0 && path[c] == '/')
				return path + c + 1;
		}
		const char *slash = strrchr(path, '/');
		return slash + 1;
	}
	/* "a/b.c/a/b.c" -> "a/b.c": the first '/' after which the rest repeats the part before it */
	for (size_t p = 0; p < n; p++) {
		if (path[p] != '/')
			continue;
		if (n - p - 1 == p && memcmp(path, path + p + 1, p) == 0)
			return path + p + 1;
	}
	return path;
}

/* File ids in order of first use. */
static uint32_t file_id(const char *name)
{
	for (size_t i = 0; i < nfiles; i++)
		if (strcmp(files[i], name) == 0)
			return (uint32_t)i;
	if (nfiles >= 65535)
		die("more than 65535 files", NULL);
	files = grow(files, &capfiles, nfiles + 1, sizeof *files);
	files[nfiles] = strdup(name);
	if (!files[nfiles])
		die("out of memory", NULL);
	return (uint32_t)nfiles++;
}

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return 0;
}

static void json_string(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* The base and, in module mode, the end of the kept address range. */
static void find_base(Elf *elf, int module, uint64_t *base, uint64_t *end)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	int found = 0;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		die("no section header string table", elf_errmsg(-1));
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (module && name && strcmp(name, ".text") == 0) {
			*base = sh.sh_addr;
			*end = sh.sh_addr + sh.sh_size;
			return;
		}
		if (!module && sh.sh_type == SHT_SYMTAB) {
			Elf_Data *data = elf_getdata(scn, NULL);
			size_t count = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
			for (size_t i = 0; data && i < count; i++) {
				GElf_Sym sym;
				if (!gelf_getsym(data, (int)i, &sym))
					continue;
				const char *sname = elf_strptr(elf, sh.sh_link, sym.st_name);
				if (sname && strcmp(sname, "_text") == 0) {
					*base = sym.st_value;
					found = 1;
					break;
				}
			}
			if (found)
				return;
		}
	}
	die(module ? "no .text section" : "no _text symbol", NULL);
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "module") != 0 && strcmp(argv[1], "vmlinux") != 0)) {
		fprintf(stderr, "usage: libdw_lineinfo module|vmlinux FILE\n");
		return 2;
	}
	int module = strcmp(argv[1], "module") == 0;
	int fd = open(argv[2], O_RDONLY);
	if (fd < 0)
		die("cannot open", argv[2]);
	Dwarf *dbg = dwarf_begin(fd, DWARF_C_READ);
	if (!dbg)
		die("dwarf_begin", dwarf_errmsg(-1));
	Elf *elf = dwarf_getelf(dbg);
	uint64_t base = 0, end = UINT64_MAX;
	find_base(elf, module, &base, &end);

	Dwarf_Off off = 0, next;
	size_t hsize;
	while (dwarf_nextcu(dbg, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		Dwarf_Attribute attr;
		Dwarf_Lines *lines;
		size_t nlines;

		if (!dwarf_offdie(dbg, off + hsize, &cu)) {
			off = next;
			continue;
		}
		off = next;
		const char *comp_dir = dwarf_formstring(dwarf_attr(&cu, DW_AT_comp_dir, &attr));
		if (dwarf_getsrclines(&cu, &lines, &nlines) != 0)
			continue;
		for (size_t i = 0; i < nlines; i++) {
			Dwarf_Line *line = dwarf_onesrcline(lines, i);
			Dwarf_Addr addr;
			int lineno;
			if (!line || dwarf_lineaddr(line, &addr) != 0 || dwarf_lineno(line, &lineno) != 0)
				continue;
			if (lineno == 0)
				continue;
			const char *src = dwarf_linesrc(line, NULL, NULL);
			if (!src)
				continue;
			if (addr < base || addr >= end)
				continue;
			uint64_t offset = addr - base;
			if (offset > 0xffffffffu)
				continue;
			rows = grow(rows, &caprows, nrows + 1, sizeof *rows);
			rows[nrows].offset = offset;
			rows[nrows].file = file_id(relativise(src, comp_dir));
			rows[nrows].line = (uint32_t)lineno;
			nrows++;
		}
	}

	/* sort by (offset, file, line); keep a row unless it repeats the last kept row's offset or
	 * its (file, line) */
	qsort(rows, nrows, sizeof *rows, cmp_row);
	size_t kept = 0;
	for (size_t i = 0; i < nrows; i++) {
		if (kept) {
			const struct row *last = &rows[kept - 1];
			if (rows[i].offset == last->offset)
				continue;
			if (rows[i].file == last->file && rows[i].line == last->line)
				continue;
		}
		rows[kept++] = rows[i];
	}

	printf("{\"files\":[");
	for (size_t i = 0; i < nfiles; i++) {
		if (i)
			putchar(',');
		json_string(files[i]);
	}
	printf("],\n\"entries\":[");
	for (size_t i = 0; i < kept; i++)
		printf("%s\n{\"offset\":%" PRIu64 ",\"file\":%" PRIu32 ",\"line\":%" PRIu32 "}", i ? "," : "",
		       rows[i].offset, rows[i].file, rows[i].line);
	printf("]}\n");
	fprintf(stderr, "libdw_lineinfo: %zu rows kept before de-duplication, %zu entries, %zu files\n", nrows, kept, nfiles);
	dwarf_end(dbg);
	close(fd);
	return 0;
}

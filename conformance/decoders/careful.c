/*
 * careful.c: a sample C decoder for all four v1 layouts (v1-flat, v1, vmlinux-v1-flat,
 * vmlinux-v1), written from spec/FORMAT.md ("Lookup", "Decoder safety contract"), for
 * conformance/harness/c (lineinfo_decoder.h). It meets the `required` level:
 *
 *  - every read is bounds-checked against the section size; all extents are computed in 64-bit
 *    arithmetic, so a header cannot make them wrap (W10);
 *  - a block's stream bound is clamped to the stream size (W11), the vmlinux-v1 last block ends
 *    where its entries end and is never read past the image (W7), and a block whose start is not
 *    before its end answers none;
 *  - the last block's entry count is N - 64k, and a header whose block count does not match
 *    ceil(N / 64) answers none;
 *  - every name offset is checked against the name table, and the name must be NUL-terminated
 *    inside it (W8, W12);
 *  - the symbol-start rule: on the found entry (flat layouts), per scanned entry (compressed).
 *
 * Each call does a binary search and decodes at most one block (plus, for vmlinux-v1, the last
 * block, to find where the stream ends). It allocates nothing.
 *
 * Part of lineinfo-kit (MIT).
 */
#include "lineinfo_decoder.h"

#include <string.h>

struct sec {
	const uint8_t *p;
	uint64_t size;
	int be;
};

/* u32/u16 at `at`; 0 when any byte of it is outside the section (callers check extents first). */
static int get32(const struct sec *s, uint64_t at, uint32_t *out)
{
	if (at > s->size || s->size - at < 4)
		return 0;
	const uint8_t *b = s->p + at;
	*out = s->be ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]
		     : (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
	return 1;
}

static int get16(const struct sec *s, uint64_t at, uint32_t *out)
{
	if (at > s->size || s->size - at < 2)
		return 0;
	const uint8_t *b = s->p + at;
	*out = s->be ? (uint32_t)b[0] << 8 | b[1] : (uint32_t)b[1] << 8 | b[0];
	return 1;
}

static uint64_t align4(uint64_t x) { return (x + 3) & ~(uint64_t)3; }

/*
 * The name at names + no, which must start inside the name table [names, names_end) and be
 * NUL-terminated inside it.
 */
static int name_at(const struct sec *s, uint64_t names, uint64_t names_end, uint32_t no, const char **name)
{
	if (names_end > s->size || names > names_end || no >= names_end - names)
		return 0;
	const uint8_t *start = s->p + names + no;
	if (!memchr(start, 0, (size_t)(names_end - names - no)))
		return 0;
	*name = (const char *)start;
	return 1;
}

/* Binary search over `n` u32 at `at` (inside the section): index + 1 of the last element <= o. */
static uint32_t bsearch32(const struct sec *s, uint64_t at, uint32_t n, uint32_t o)
{
	uint32_t low = 0, high = n, v = 0;
	while (low < high) {
		uint32_t mid = low + (high - low) / 2;
		if (!get32(s, at + 4 * (uint64_t)mid, &v))
			return 0;
		if (v <= o)
			low = mid + 1;
		else
			high = mid;
	}
	return low;
}

/*
 * A stream [data, data + end) inside the section, read with the kernel's ULEB128 rules: 7 bits
 * per byte into a u32, at most 5 groups (longer varints are consumed whole, value truncated),
 * never at or past `end`. `cut` is set when a varint ran into `end` unterminated.
 */
struct stream {
	const uint8_t *data;
	uint64_t pos, end;
	int cut;
};

static uint32_t uleb(struct stream *st)
{
	uint32_t v = 0;
	unsigned shift = 0;
	while (st->pos < st->end) {
		uint8_t b = st->data[st->pos++];
		v |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
		shift += 7;
		if (shift >= 32) {
			while (st->pos < st->end && (st->data[st->pos] & 0x80))
				st->pos++;
			if (st->pos < st->end) {
				st->pos++;
				return v;
			}
			break;
		}
	}
	st->cut = 1;
	return v;
}

static uint32_t unzigzag(uint32_t u) { return (u >> 1) ^ (0u - (u & 1)); }

/* Scans one block (spec "Block scan"): the last entry at most o (and at least ss if given). */
static int scan(struct stream *st, uint32_t addr, uint32_t count, uint32_t o, int has_ss, uint32_t ss,
		uint32_t *file, uint32_t *line)
{
	uint32_t f = uleb(st), l = uleb(st);
	int found = 0;
	if (addr <= o && (!has_ss || addr >= ss)) {
		*file = f;
		*line = l;
		found = 1;
	}
	for (uint32_t j = 1; j < count; j++) {
		addr += uleb(st);
		f += unzigzag(uleb(st));
		l += unzigzag(uleb(st));
		if (addr > o)
			break;
		if (!has_ss || addr >= ss) {
			*file = f;
			*line = l;
			found = 1;
		}
	}
	return found;
}

/* Entries of block k of b for n entries; 0 when the header's counts do not fit together. */
static uint32_t block_entries(uint32_t k, uint32_t b, uint32_t n)
{
	if ((uint64_t)b != ((uint64_t)n + 63) / 64)
		return 0;
	return k + 1 < b ? 64 : n - 64 * k;
}

static int lookup_v1_flat(const struct sec *s, uint32_t o, int has_ss, uint32_t ss, uint32_t *line, const char **name)
{
	uint32_t n, f, sz, i, addr, id, no;
	if (!get32(s, 0, &n) || !get32(s, 4, &f) || !get32(s, 8, &sz) || n == 0)
		return 0;
	uint64_t ids = 16 + 4 * (uint64_t)n, lines = align4(16 + 6 * (uint64_t)n);
	uint64_t fo = lines + 4 * (uint64_t)n, names = fo + 4 * (uint64_t)f, end = names + sz;
	if (end > s->size)
		return 0;
	i = bsearch32(s, 16, n, o);
	if (i-- == 0 || !get32(s, 16 + 4 * (uint64_t)i, &addr) || (has_ss && addr < ss))
		return 0;
	if (!get16(s, ids + 2 * (uint64_t)i, &id) || id >= f || !get32(s, fo + 4 * (uint64_t)id, &no))
		return 0;
	return get32(s, lines + 4 * (uint64_t)i, line) && name_at(s, names, end, no, name);
}

static int lookup_vmlinux_v1_flat(const struct sec *s, uint32_t o, int has_ss, uint32_t ss, uint32_t *line, const char **name)
{
	uint32_t n, f, i, addr, id, no;
	if (!get32(s, 0, &n) || !get32(s, 4, &f) || n == 0)
		return 0;
	uint64_t ids = 8 + 4 * (uint64_t)n, lines = align4(8 + 6 * (uint64_t)n);
	uint64_t fo = lines + 4 * (uint64_t)n, names = fo + 4 * (uint64_t)f;
	if (names > s->size)
		return 0;
	i = bsearch32(s, 8, n, o);
	if (i-- == 0 || !get32(s, 8 + 4 * (uint64_t)i, &addr) || (has_ss && addr < ss))
		return 0;
	if (!get16(s, ids + 2 * (uint64_t)i, &id) || id >= f || !get32(s, fo + 4 * (uint64_t)id, &no))
		return 0;
	/* no stored name-table size: it runs to the end of the image */
	return get32(s, lines + 4 * (uint64_t)i, line) && name_at(s, names, s->size, no, name);
}

/* Shared by both compressed layouts once the stream and file table are located. */
static int lookup_blocks(const struct sec *s, uint64_t addrs, uint64_t offsets, uint64_t data, uint64_t dsize,
			 uint32_t n, uint32_t b, uint32_t f, uint64_t fo, uint64_t names, uint64_t names_end,
			 uint32_t o, int has_ss, uint32_t ss, uint32_t *line, const char **name)
{
	uint32_t k, count, addr, start, next, file = 0, l = 0, no;
	k = bsearch32(s, addrs, b, o);
	if (k-- == 0 || !(count = block_entries(k, b, n)) || !get32(s, addrs + 4 * (uint64_t)k, &addr) ||
	    !get32(s, offsets + 4 * (uint64_t)k, &start))
		return 0;
	uint64_t end = dsize;
	if (k + 1 < b) {
		if (!get32(s, offsets + 4 * (uint64_t)(k + 1), &next))
			return 0;
		if (next < end)
			end = next;
	}
	if (start >= end || data + end > s->size)
		return 0;
	struct stream st = { s->p + data, start, end, 0 };
	if (!scan(&st, addr, count, o, has_ss, ss, &file, &l) || file >= f || !get32(s, fo + 4 * (uint64_t)file, &no))
		return 0;
	*line = l;
	return name_at(s, names, names_end, no, name);
}

static int lookup_v1(const struct sec *s, uint32_t o, int has_ss, uint32_t ss, uint32_t *line, const char **name)
{
	uint32_t n, f, sz, b, d;
	if (!get32(s, 0, &n) || !get32(s, 4, &f) || !get32(s, 8, &sz) || !get32(s, 12, &b) || !get32(s, 16, &d) ||
	    n == 0 || b == 0)
		return 0;
	uint64_t offsets = 24 + 4 * (uint64_t)b, data = offsets + 4 * (uint64_t)b, fo = data + d;
	uint64_t names = fo + 4 * (uint64_t)f, end = names + sz;
	if (end > s->size)
		return 0;
	return lookup_blocks(s, 24, offsets, data, d, n, b, f, fo, names, end, o, has_ss, ss, line, name);
}

static int lookup_vmlinux_v1(const struct sec *s, uint32_t o, int has_ss, uint32_t ss, uint32_t *line, const char **name)
{
	uint32_t n, f, b, last, count;
	if (!get32(s, 0, &n) || !get32(s, 4, &f) || !get32(s, 8, &b) || n == 0 || b == 0)
		return 0;
	uint64_t offsets = 12 + 4 * (uint64_t)b, data = offsets + 4 * (uint64_t)b;
	if (data > s->size || !(count = block_entries(b - 1, b, n)) || !get32(s, offsets + 4 * (uint64_t)(b - 1), &last))
		return 0;
	/* No stored stream size: the stream ends after the last block's varints, which must all end
	 * inside the image. */
	struct stream st = { s->p + data, last, s->size - data, 0 };
	if (last >= st.end)
		return 0;
	for (uint32_t v = 0; v < 2 + 3 * (count - 1) && !st.cut; v++)
		uleb(&st);
	if (st.cut)
		return 0;
	uint64_t dsize = st.pos, fo = align4(data + dsize), names = fo + 4 * (uint64_t)f;
	if (names > s->size)
		return 0;
	return lookup_blocks(s, 12, offsets, data, dsize, n, b, f, fo, names, s->size, o, has_ss, ss, line, name);
}

int lineinfo_decode(const uint8_t *section, size_t size, int big_endian, const char *layout,
		    uint32_t offset, int has_symbol_start, uint32_t symbol_start,
		    uint32_t *line, const char **name)
{
	struct sec s = { section, size, big_endian };
	int (*fn)(const struct sec *, uint32_t, int, uint32_t, uint32_t *, const char **);
	if (!strcmp(layout, "v1-flat"))
		fn = lookup_v1_flat;
	else if (!strcmp(layout, "v1"))
		fn = lookup_v1;
	else if (!strcmp(layout, "vmlinux-v1-flat"))
		fn = lookup_vmlinux_v1_flat;
	else if (!strcmp(layout, "vmlinux-v1"))
		fn = lookup_vmlinux_v1;
	else
		return LINEINFO_UNSUPPORTED;
	return fn(&s, offset, has_symbol_start, symbol_start, line, name) ? LINEINFO_HIT : LINEINFO_NONE;
}

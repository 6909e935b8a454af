/*
 * careful.c: a sample C decoder for every layout of spec/FORMAT.md (v1-flat, v1, v2, v3, v5,
 * v7, vmlinux-v1-flat, vmlinux-v1, vmlinux-v2, vmlinux-v3, vmlinux-v7), written from the spec
 * ("Lookup", "Decoder safety contract"), for conformance/harness/c (lineinfo_decoder.h). It
 * meets the `required` level:
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
 *  - the symbol-start rule of v1 (on the found entry, flat layouts; per scanned entry,
 *    compressed) and v7 (min_offset: only for a symbol starting at or before the address);
 *    v2 to v6 have none;
 *  - sectioned blobs (v5, v7): the address is descriptor 0's anchor plus the offset (u64), the
 *    first descriptor covering it answers, and its table's (offset, size) pairs are checked
 *    against the blob in 64-bit arithmetic.
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

/* The kernel's SLEB128 reader (v3 on): as uleb(), sign-extended from the last group read. */
static uint32_t sleb(struct stream *st)
{
	uint32_t v = 0;
	unsigned shift = 0;
	while (st->pos < st->end) {
		uint8_t b = st->data[st->pos++];
		v |= (uint32_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80)) {
			if (shift < 32 && (b & 0x40))
				v |= ~(uint32_t)0 << shift;
			return v;
		}
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

enum coding { ZIGZAG, SLEB };

static uint32_t sdelta(struct stream *st, enum coding c) { return c == SLEB ? sleb(st) : unzigzag(uleb(st)); }

/* Scans one block (spec "Block scan"): the last entry at most o (and at least ss if given). */
static int scan(struct stream *st, enum coding c, uint32_t addr, uint32_t count, uint32_t o, int has_ss, uint32_t ss,
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
		f += sdelta(st, c);
		l += sdelta(st, c);
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
static int lookup_blocks(const struct sec *s, enum coding c, uint64_t addrs, uint64_t offsets, uint64_t data, uint64_t dsize,
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
	if (!scan(&st, c, addr, count, o, has_ss, ss, &file, &l) || file >= f || !get32(s, fo + 4 * (uint64_t)file, &no))
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
	return lookup_blocks(s, ZIGZAG, 24, offsets, data, d, n, b, f, fo, names, end, o, has_ss, ss, line, name);
}

/* v2: v1's header; zero padding aligns file_offsets[] to 4; no symbol bound. */
static int lookup_v2(const struct sec *s, uint32_t o, int has_ss, uint32_t ss, uint32_t *line, const char **name)
{
	uint32_t n, f, sz, b, d;
	(void)has_ss;
	(void)ss;
	if (!get32(s, 0, &n) || !get32(s, 4, &f) || !get32(s, 8, &sz) || !get32(s, 12, &b) || !get32(s, 16, &d) ||
	    n == 0 || b == 0)
		return 0;
	uint64_t offsets = 24 + 4 * (uint64_t)b, data = offsets + 4 * (uint64_t)b, fo = align4(data + d);
	uint64_t names = fo + 4 * (uint64_t)f, end = names + sz;
	if (end > s->size)
		return 0;
	return lookup_blocks(s, ZIGZAG, 24, offsets, data, d, n, b, f, fo, names, end, o, 0, 0, line, name);
}

/*
 * A table whose header at `h` stores counts and (offset, size) pairs relative to `h`: v3's
 * (48 bytes, from the section start) and each v5/v7 per-section table (44 bytes). `min` is the
 * v7 bound (0: none).
 */
static int lookup_offset_size(const struct sec *s, uint64_t h, uint64_t hsize, uint32_t o, uint32_t min,
			      uint32_t *line, const char **name)
{
	uint32_t v[11];
	if (h > s->size || s->size - h < hsize)
		return 0;
	for (int i = 0; i < 11; i++)
		if (!get32(s, h + 4 * (uint64_t)i, &v[i]))
			return 0;
	uint32_t n = v[0], b = v[1], f = v[2];
	uint64_t avail = s->size - h;
	for (int i = 3; i < 11; i += 2)
		if (v[i] > avail || v[i + 1] > avail - v[i])
			return 0;
	if (n == 0 || b == 0 || v[4] / 8 < b || v[8] / 4 < f)
		return 0;
	uint64_t addrs = h + v[3], offsets = addrs + 4 * (uint64_t)b, data = h + v[5], fo = h + v[7];
	uint64_t names = h + v[9], end = names + v[10];
	uint32_t found_line;
	const char *found_name;
	/* the bound as v7 applies it: to the entry found, a symbol start at or before the offset */
	if (!lookup_blocks(s, SLEB, addrs, offsets, data, v[6], n, b, f, fo, names, end, o, min != 0, min,
			   &found_line, &found_name))
		return 0;
	*line = found_line;
	*name = found_name;
	return 1;
}

static int lookup_v3(const struct sec *s, uint32_t o, int has_ss, uint32_t ss, uint32_t *line, const char **name)
{
	(void)has_ss;
	(void)ss;
	return lookup_offset_size(s, 0, 48, o, 0, line, name);
}

static int get64(const struct sec *s, uint64_t at, uint64_t *out)
{
	uint32_t a, b;
	if (!get32(s, at, &a) || !get32(s, at + 4, &b))
		return 0;
	*out = s->be ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
	return 1;
}

/* v5 and v7 blobs: descriptors at 8; the query is anchor0 + offset; the first cover answers. */
static int lookup_sectioned(const struct sec *s, int v7, uint32_t o, int has_ss, uint32_t ss, uint32_t *line,
			    const char **name)
{
	uint32_t k_count, size, table;
	uint64_t anchor0, anchor;
	if (!get32(s, 0, &k_count) || k_count == 0 || 8 + 16 * (uint64_t)k_count > s->size || !get64(s, 8, &anchor0))
		return 0;
	uint64_t address = anchor0 + o, symbol = anchor0 + ss;
	for (uint32_t k = 0; k < k_count; k++) {
		uint64_t d = 8 + 16 * (uint64_t)k;
		if (!get64(s, d, &anchor) || !get32(s, d + 8, &size) || !get32(s, d + 12, &table))
			return 0;
		if (anchor == 0 || address < anchor || address - anchor >= size)
			continue;
		uint64_t off = address - anchor;
		uint32_t min = 0;
		if (v7 && has_ss && symbol > anchor && symbol - anchor <= off)
			min = (uint32_t)(symbol - anchor);
		/* the name table must end with a NUL (the kernel checks its last byte) */
		uint32_t names_off, names_size;
		if (!get32(s, (uint64_t)table + 36, &names_off) || !get32(s, (uint64_t)table + 40, &names_size) || names_size == 0 ||
		    (uint64_t)table + names_off + names_size > s->size || s->p[(uint64_t)table + names_off + names_size - 1] != 0)
			return 0;
		return lookup_offset_size(s, table, 44, (uint32_t)off, min, line, name);
	}
	return 0;
}

static int lookup_v5(const struct sec *s, uint32_t o, int has_ss, uint32_t ss, uint32_t *line, const char **name)
{
	return lookup_sectioned(s, 0, o, has_ss, ss, line, name);
}

static int lookup_v7(const struct sec *s, uint32_t o, int has_ss, uint32_t ss, uint32_t *line, const char **name)
{
	return lookup_sectioned(s, 1, o, has_ss, ss, line, name);
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
	return lookup_blocks(s, ZIGZAG, 12, offsets, data, dsize, n, b, f, fo, names, s->size, o, has_ss, ss, line, name);
}

/*
 * vmlinux-v2, -v3, -v7: v1's symbols plus lineinfo_data_size before the stream and
 * lineinfo_filenames_size between the file table and the names.
 */
static int lookup_vmlinux_sized(const struct sec *s, enum coding c, int bound, uint32_t o, int has_ss, uint32_t ss,
				uint32_t *line, const char **name)
{
	uint32_t n, f, b, d, sz;
	if (!get32(s, 0, &n) || !get32(s, 4, &f) || !get32(s, 8, &b) || n == 0 || b == 0)
		return 0;
	uint64_t offsets = 12 + 4 * (uint64_t)b, dsize_at = offsets + 4 * (uint64_t)b, data = dsize_at + 4;
	if (!get32(s, dsize_at, &d))
		return 0;
	uint64_t fo = align4(data + d), sz_at = fo + 4 * (uint64_t)f, names = sz_at + 4;
	if (!get32(s, sz_at, &sz) || names + sz > s->size)
		return 0;
	/* v7: min_offset, only for a symbol starting at or before the offset */
	int use = bound && has_ss && ss <= o;
	return lookup_blocks(s, c, 12, offsets, data, d, n, b, f, fo, names, names + sz, o, use, use ? ss : 0, line, name);
}

static int lookup_vmlinux_v2(const struct sec *s, uint32_t o, int has_ss, uint32_t ss, uint32_t *line, const char **name)
{
	return lookup_vmlinux_sized(s, ZIGZAG, 0, o, has_ss, ss, line, name);
}

static int lookup_vmlinux_v3(const struct sec *s, uint32_t o, int has_ss, uint32_t ss, uint32_t *line, const char **name)
{
	return lookup_vmlinux_sized(s, SLEB, 0, o, has_ss, ss, line, name);
}

static int lookup_vmlinux_v7(const struct sec *s, uint32_t o, int has_ss, uint32_t ss, uint32_t *line, const char **name)
{
	return lookup_vmlinux_sized(s, SLEB, 1, o, has_ss, ss, line, name);
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
	else if (!strcmp(layout, "v2"))
		fn = lookup_v2;
	else if (!strcmp(layout, "v3"))
		fn = lookup_v3;
	else if (!strcmp(layout, "v5"))
		fn = lookup_v5;
	else if (!strcmp(layout, "v7"))
		fn = lookup_v7;
	else if (!strcmp(layout, "vmlinux-v2"))
		fn = lookup_vmlinux_v2;
	else if (!strcmp(layout, "vmlinux-v3"))
		fn = lookup_vmlinux_v3;
	else if (!strcmp(layout, "vmlinux-v7"))
		fn = lookup_vmlinux_v7;
	else
		return LINEINFO_UNSUPPORTED;
	return fn(&s, offset, has_symbol_start, symbol_start, line, name) ? LINEINFO_HIT : LINEINFO_NONE;
}

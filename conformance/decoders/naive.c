/*
 * naive.c: a sample C decoder that trusts the table the way the original v1 kernel decoders do
 * (spec/FORMAT.md, "Lookup" and "Summary of the bounds"). It exists so that the conformance suite
 * can show it catches these defects; do NOT use it as a model.
 *
 *  - module layouts: the size check adds the header's parts in u32 arithmetic, which wraps (W10);
 *  - v1: a block's stream bound is the next block's offset, not clamped to data_size (W11);
 *  - vmlinux-v1: the last block is read with the bound UINT_MAX (W7), with no `pos >= data_end`
 *    check; lineinfo_file_offsets is found by decoding the last block the same way;
 *  - vmlinux layouts: the counts and name offsets are not bounded at all (W8);
 *  - no layout checks that a name is NUL-terminated inside the name table (W12).
 *
 * Array elements are read at start + index * size without reducing the index, as the kernel's
 * pointer arithmetic does. Written for lineinfo-kit (MIT) from the specification's description of
 * the algorithms; no kernel code.
 */
#include "lineinfo_decoder.h"

#include <stdint.h>
#include <string.h>

static uint32_t rd32(const uint8_t *p, int be)
{
	return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		  : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint32_t rd16(const uint8_t *p, int be)
{
	return be ? (uint32_t)p[0] << 8 | p[1] : (uint32_t)p[1] << 8 | p[0];
}

/* The kernel-style reader: bounded only by `end`, whatever that is. */
static uint32_t uleb(const uint8_t *data, uint32_t *pos, uint32_t end)
{
	uint32_t v = 0;
	unsigned shift = 0;
	while (*pos < end) {
		uint8_t b = data[(*pos)++];
		v |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
		shift += 7;
		if (shift >= 32) {
			while (*pos < end && (data[*pos] & 0x80))
				(*pos)++;
			if (*pos < end)
				(*pos)++;
			return v;
		}
	}
	return v;
}

static uint32_t unzigzag(uint32_t u) { return (u >> 1) ^ (0u - (u & 1)); }

static uint32_t bsearch32(const uint8_t *arr, uint32_t n, uint32_t o, int be)
{
	uint32_t low = 0, high = n;
	while (low < high) {
		uint32_t mid = low + (high - low) / 2;
		if (rd32(arr + 4 * (size_t)mid, be) <= o)
			low = mid + 1;
		else
			high = mid;
	}
	return low;
}

static uint32_t block_entries(uint32_t k, uint32_t b, uint32_t n)
{
	uint32_t r;
	if (k != b - 1)
		return 64;
	r = n - 64 * k;
	return r < 64 ? r : 64;
}

static int scan(const uint8_t *data, uint32_t pos, uint32_t end, uint32_t addr, uint32_t count, uint32_t o,
		int has_ss, uint32_t ss, uint32_t *file, uint32_t *line)
{
	uint32_t f = uleb(data, &pos, end), l = uleb(data, &pos, end);
	int found = 0;
	if (addr <= o && (!has_ss || addr >= ss)) {
		*file = f;
		*line = l;
		found = 1;
	}
	for (uint32_t j = 1; j < count; j++) {
		addr += uleb(data, &pos, end);
		f += unzigzag(uleb(data, &pos, end));
		l += unzigzag(uleb(data, &pos, end));
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

static int v1_flat(const uint8_t *s, size_t z, int be, uint32_t o, int has_ss, uint32_t ss, uint32_t *line, const char **name)
{
	if (z < 16)
		return 0;
	uint32_t n = rd32(s, be), f = rd32(s + 4, be), sz = rd32(s + 8, be);
	if (n == 0)
		return 0;
	uint32_t ids = 16 + n * 4, lines = (ids + n * 2 + 3) & ~3u, fo = lines + n * 4, names = fo + f * 4;
	if (z < (uint32_t)(names + sz)) /* W10: wraps */
		return 0;
	uint32_t i = bsearch32(s + 16, n, o, be);
	if (i-- == 0)
		return 0;
	if (has_ss && rd32(s + 16 + 4 * (size_t)i, be) < ss)
		return 0;
	uint32_t id = rd16(s + ids + 2 * (size_t)i, be);
	if (id >= f)
		return 0;
	uint32_t no = rd32(s + fo + 4 * (size_t)id, be);
	if (no >= sz)
		return 0;
	*line = rd32(s + lines + 4 * (size_t)i, be);
	*name = (const char *)(s + names + (size_t)no); /* W12: no NUL check */
	return 1;
}

static int v1(const uint8_t *s, size_t z, int be, uint32_t o, int has_ss, uint32_t ss, uint32_t *line, const char **name)
{
	if (z < 24)
		return 0;
	uint32_t n = rd32(s, be), f = rd32(s + 4, be), sz = rd32(s + 8, be), b = rd32(s + 12, be), d = rd32(s + 16, be);
	if (n == 0 || b == 0)
		return 0;
	uint32_t offs = 24 + b * 4, data = offs + b * 4, fo = data + d, names = fo + f * 4;
	if (z < (uint32_t)(names + sz)) /* W10 */
		return 0;
	uint32_t k = bsearch32(s + 24, b, o, be);
	if (k-- == 0)
		return 0;
	uint32_t end = k + 1 < b ? rd32(s + offs + 4 * (size_t)(k + 1), be) : d; /* W11: not clamped */
	uint32_t pos = rd32(s + offs + 4 * (size_t)k, be), file = 0, l = 0;
	if (pos >= end)
		return 0;
	if (!scan(s + data, pos, end, rd32(s + 24 + 4 * (size_t)k, be), block_entries(k, b, n), o, has_ss, ss, &file, &l))
		return 0;
	if (file >= f)
		return 0;
	uint32_t no = rd32(s + fo + 4 * (size_t)file, be);
	if (no >= sz)
		return 0;
	*line = l;
	*name = (const char *)(s + names + (size_t)no);
	return 1;
}

static int vmlinux_v1_flat(const uint8_t *s, size_t z, int be, uint32_t o, int has_ss, uint32_t ss, uint32_t *line, const char **name)
{
	(void)z; /* the kernel trusts its symbols */
	uint32_t n = rd32(s, be), f = rd32(s + 4, be);
	if (n == 0)
		return 0;
	size_t ids = 8 + 4 * (size_t)n, lines = (8 + 6 * (size_t)n + 3) & ~(size_t)3, fo = lines + 4 * (size_t)n;
	size_t names = fo + 4 * (size_t)f;
	uint32_t i = bsearch32(s + 8, n, o, be);
	if (i-- == 0)
		return 0;
	if (has_ss && rd32(s + 8 + 4 * (size_t)i, be) < ss)
		return 0;
	uint32_t id = rd16(s + ids + 2 * (size_t)i, be);
	if (id >= f)
		return 0;
	*line = rd32(s + lines + 4 * (size_t)i, be);
	*name = (const char *)(s + names + rd32(s + fo + 4 * (size_t)id, be)); /* W8: not bounded */
	return 1;
}

static int vmlinux_v1(const uint8_t *s, size_t z, int be, uint32_t o, int has_ss, uint32_t ss, uint32_t *line, const char **name)
{
	(void)z;
	uint32_t n = rd32(s, be), f = rd32(s + 4, be), b = rd32(s + 8, be);
	if (n == 0 || b == 0)
		return 0;
	size_t offs = 12 + 4 * (size_t)b, data = offs + 4 * (size_t)b;
	uint32_t k = bsearch32(s + 12, b, o, be);
	if (k-- == 0)
		return 0;
	uint32_t end = k + 1 < b ? rd32(s + offs + 4 * (size_t)(k + 1), be) : UINT32_MAX; /* W7 */
	uint32_t file = 0, l = 0;
	/* W8: no pos >= end check */
	if (!scan(s + data, rd32(s + offs + 4 * (size_t)k, be), end, rd32(s + 12 + 4 * (size_t)k, be), block_entries(k, b, n), o,
		  has_ss, ss, &file, &l))
		return 0;
	if (file >= f)
		return 0;
	/* where the assembler put lineinfo_file_offsets: after the last block, decoded unbounded */
	uint32_t last = b - 1, pos = rd32(s + offs + 4 * (size_t)last, be), count = block_entries(last, b, n);
	uint32_t varints = count ? 2 + 3 * (count - 1) : 2;
	for (uint32_t v = 0; v < varints; v++)
		uleb(s + data, &pos, UINT32_MAX);
	size_t fo = (data + pos + 3) & ~(size_t)3, names = fo + 4 * (size_t)f;
	*line = l;
	*name = (const char *)(s + names + rd32(s + fo + 4 * (size_t)file, be));
	return 1;
}

int lineinfo_decode(const uint8_t *section, size_t size, int big_endian, const char *layout,
		    uint32_t offset, int has_symbol_start, uint32_t symbol_start,
		    uint32_t *line, const char **name)
{
	int r;
	if (!strcmp(layout, "v1-flat"))
		r = v1_flat(section, size, big_endian, offset, has_symbol_start, symbol_start, line, name);
	else if (!strcmp(layout, "v1"))
		r = v1(section, size, big_endian, offset, has_symbol_start, symbol_start, line, name);
	else if (!strcmp(layout, "vmlinux-v1-flat"))
		r = vmlinux_v1_flat(section, size, big_endian, offset, has_symbol_start, symbol_start, line, name);
	else if (!strcmp(layout, "vmlinux-v1"))
		r = vmlinux_v1(section, size, big_endian, offset, has_symbol_start, symbol_start, line, name);
	else
		return LINEINFO_UNSUPPORTED;
	return r ? LINEINFO_HIT : LINEINFO_NONE;
}

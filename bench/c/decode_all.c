/*
 * C reference for bench/decode.bench.mjs: decodes every entry of a v1 (module, compressed)
 * .mod_lineinfo section, written by lineinfo-kit from spec/FORMAT.md. Bounds-checked like the
 * TypeScript decoder, so the two do the same work.
 *
 * Usage: decode_all SECTION.bin REPEAT   prints "entries ms_per_pass checksum"
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

/* Minimal ULEB128 reader: stops at `end`; returns 0 and sets *ok = 0 on truncation. */
static uint32_t uleb(const uint8_t *d, size_t *pos, size_t end, int *ok)
{
	uint32_t v = 0;
	unsigned shift = 0;
	while (*pos < end) {
		uint8_t b = d[(*pos)++];
		if (shift < 32)
			v |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
		shift += 7;
	}
	*ok = 0;
	return v;
}

static int32_t unzig(uint32_t v) { return (int32_t)((v >> 1) ^ (0u - (v & 1))); }

static uint64_t decode(const uint8_t *s, size_t size, uint32_t *count)
{
	uint64_t sum = 0;
	uint32_t n, b, d, i, k;
	int ok = 1;
	if (size < 24)
		return 0;
	n = rd32(s), b = rd32(s + 12), d = rd32(s + 16);
	if ((uint64_t)24 + 8ull * b + d > size)
		return 0;
	const uint8_t *addrs = s + 24, *offs = s + 24 + 4 * (size_t)b, *data = s + 24 + 8 * (size_t)b;
	*count = 0;
	for (i = 0; i < b; i++) {
		size_t pos = rd32(offs + 4 * i), end = i + 1 < b ? rd32(offs + 4 * (i + 1)) : d;
		uint32_t cnt = i == b - 1 ? n - 64 * i : 64, addr = rd32(addrs + 4 * i), file, line;
		if (end > d || cnt > 64)
			return 0;
		file = uleb(data, &pos, end, &ok);
		line = uleb(data, &pos, end, &ok);
		sum += addr ^ file ^ line;
		for (k = 1; k < cnt && ok; k++) {
			addr += uleb(data, &pos, end, &ok);
			file += unzig(uleb(data, &pos, end, &ok));
			line += unzig(uleb(data, &pos, end, &ok));
			sum += addr ^ file ^ line;
		}
		*count += cnt;
	}
	return ok ? sum : 0;
}

int main(int argc, char **argv)
{
	FILE *f;
	long size;
	uint8_t *buf;
	int repeat, r;
	uint32_t count = 0;
	uint64_t sum = 0;
	struct timespec t0, t1;

	if (argc != 3 || !(f = fopen(argv[1], "rb")))
		return 2;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = malloc(size ? size : 1);
	if (!buf || fread(buf, 1, size, f) != (size_t)size)
		return 2;
	repeat = atoi(argv[2]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (r = 0; r < repeat; r++)
		sum += decode(buf, size, &count);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%u %.4f %llu\n", count,
	       ((t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6) / repeat,
	       (unsigned long long)sum);
	return 0;
}

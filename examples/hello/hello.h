/* SPDX-License-Identifier: MIT */
/*
 * A small module-like object for lineinfo-kit's examples and tests. It is not a real kernel
 * module (no kernel headers are needed to build it), but it has the shape of one: init/exit
 * functions in .init.text/.exit.text, an inline helper from a header, and code in two files.
 */
#ifndef HELLO_H
#define HELLO_H

#define __init __attribute__((section(".init.text"), used, noinline, cold))
#define __exit __attribute__((section(".exit.text"), used, noinline, cold))

struct hello_stats {
	unsigned long calls;
	unsigned long total;
};

extern struct hello_stats hello_stats;

/* Inlined into its callers, so its lines show up inside other functions' ranges. */
static inline unsigned long hello_mix(unsigned long a, unsigned long b)
{
	unsigned long x = a * 2654435761UL;

	x ^= b + (x << 6) + (x >> 2);
	return x;
}

unsigned long hello_checksum(const unsigned char *buf, unsigned long len);
int hello_format(char *out, unsigned long size, unsigned long value);
void hello_record(unsigned long value);

#endif /* HELLO_H */

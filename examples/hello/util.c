// SPDX-License-Identifier: MIT
#include "hello.h"

struct hello_stats hello_stats;

unsigned long hello_checksum(const unsigned char *buf, unsigned long len)
{
	unsigned long sum = 0;
	unsigned long i;

	for (i = 0; i < len; i++)
		sum = hello_mix(sum, buf[i]);
	return sum;
}

static __attribute__((noinline)) char hello_digit(unsigned long v)
{
	return (char)('0' + v % 10);
}

int hello_format(char *out, unsigned long size, unsigned long value)
{
	char tmp[24];
	int n = 0, i;

	do {
		tmp[n++] = hello_digit(value);
		value /= 10;
	} while (value && n < (int)sizeof(tmp));

	if ((unsigned long)n + 1 > size)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	return n;
}

void hello_record(unsigned long value)
{
	hello_stats.calls++;
	hello_stats.total = hello_mix(hello_stats.total, value);
}

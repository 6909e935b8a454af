// SPDX-License-Identifier: MIT
#include "hello.h"

static const unsigned char hello_greeting[] = "Hello, lineinfo!";
static char hello_buf[32];

static __attribute__((noinline)) unsigned long hello_work(unsigned long seed)
{
	unsigned long sum = hello_checksum(hello_greeting, sizeof(hello_greeting) - 1);

	hello_record(sum);
	return hello_mix(sum, seed);
}

int hello_show(unsigned long seed)
{
	unsigned long v = hello_work(seed);

	if (hello_format(hello_buf, sizeof(hello_buf), v) < 0)
		return -1;
	return (int)hello_stats.calls;
}

static int __init hello_init(void)
{
	hello_stats.calls = 0;
	return hello_show(42) < 0 ? -1 : 0;
}

static void __exit hello_exit(void)
{
	hello_record(hello_stats.total);
}

/* What module_init()/module_exit() boil down to: aliases the loader looks up. */
int init_module(void) __attribute__((copy(hello_init), alias("hello_init")));
void cleanup_module(void) __attribute__((copy(hello_exit), alias("hello_exit")));

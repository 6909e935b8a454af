/*
 * harness.c: runs a C lineinfo decoder (lineinfo_decoder.h) behind lineinfo-kit's external decoder
 * protocol (conformance/PROTOCOL.md, version 1): reads request frames on stdin, answers each
 * query by calling lineinfo_decode(), writes one response frame per request on stdout.
 *
 * What it adds around the decoder, so that the suite sees every read outside the section:
 *  - Guard pages. Every section is copied next to inaccessible (PROT_NONE) pages: once so that its
 *    last byte is the last byte before a guard page ("end" placement), and, unless its size is a
 *    multiple of the page size, once more so that its first byte is the first byte after a guard
 *    page ("start" placement). The rest of those pages is filled with 0xA5. Each query runs in
 *    every placement and the answers must agree: a decoder that reads the filler instead of
 *    faulting gives itself away by answering differently.
 *  - Under AddressSanitizer (built with -fsanitize=address) a third placement: a heap block of
 *    exactly the section's size, whose redzones make ASan report heap-buffer-overflow with the
 *    offset. ASan's own SIGSEGV handling is switched off (handle_segv=0, see
 *    __asan_default_options below) so that guard-page faults still reach this harness's handler.
 *  - A SIGSEGV/SIGBUS/SIGFPE/SIGILL handler that writes one parseable line to stderr,
 *      lineinfo-harness: fault signal=11 name=SIGSEGV phase=decode placement=end query=2
 *        size=62 guard=upper offset=62 addr=0x7f...
 *    (one line), where `offset` is the faulting address minus the section's first byte and
 *    `guard` says whether it lies in the guard page below (`lower`), above (`upper`) or in
 *    neither (`none`); then exits with status 70.
 *  - Observability: every returned line and the length of every returned name (read with
 *    strlen(), as printk("%s") would) go into a volatile sink, so the optimiser cannot drop the
 *    decoder's reads; name_offset = name - section.
 *  - Answer checks: a name pointer outside the section, a return value other than -1/0/1, or
 *    answers that differ between placements are reported on stderr (`lineinfo-harness:
 *    name-outside-section|placement-mismatch|bad-answer ...`) and end the process with status 3.
 *    A malformed request ends it with status 2 (`lineinfo-harness: protocol-error ...`).
 *
 * Build (see Makefile):
 *   cc -O2 -std=c11 -I. -o lineinfo-harness harness.c DECODER.c
 *   cc -O1 -g -std=c11 -fsanitize=address,undefined -fno-omit-frame-pointer \
 *      -fno-sanitize-recover=all -I. -o lineinfo-harness-asan harness.c DECODER.c
 *
 * Part of lineinfo-kit (MIT). Written from conformance/PROTOCOL.md.
 */
#define _GNU_SOURCE
#include "lineinfo_decoder.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define HARNESS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HARNESS_ASAN 1
#endif
#endif
#ifndef HARNESS_ASAN
#define HARNESS_ASAN 0
#endif

/*
 * Sanitizer defaults (ASAN_OPTIONS / UBSAN_OPTIONS in the environment still override them).
 * handle_segv=0: guard-page faults go to our handler, which knows where the section is.
 */
__attribute__((used, visibility("default"))) const char *__asan_default_options(void)
{
	return "handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:detect_leaks=0:"
	       "abort_on_error=0:print_summary=1";
}

__attribute__((used, visibility("default"))) const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

#define EXIT_PROTOCOL 2
#define EXIT_ANSWER 3
#define EXIT_FAULT 70
#define FRAME_MAX (1u << 30)

/* ---- async-signal-safe output ---- */

static char errbuf[1024];
static size_t errlen;

static void err_str(const char *s)
{
	while (*s && errlen < sizeof errbuf - 1)
		errbuf[errlen++] = *s++;
}

static void err_udec(uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n && errlen < sizeof errbuf - 1)
		errbuf[errlen++] = tmp[--n];
}

static void err_sdec(int64_t v)
{
	if (v < 0) {
		err_str("-");
		err_udec((uint64_t)0 - (uint64_t)v);
	} else {
		err_udec((uint64_t)v);
	}
}

static void err_hex(uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[17];
	int n = 0;
	do {
		tmp[n++] = digits[v & 15];
		v >>= 4;
	} while (v);
	err_str("0x");
	while (n && errlen < sizeof errbuf - 1)
		errbuf[errlen++] = tmp[--n];
}

static void err_flush(void)
{
	size_t off = 0;
	errbuf[errlen++] = '\n';
	while (off < errlen) {
		ssize_t w = write(2, errbuf + off, errlen - off);
		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			break;
		}
		off += (size_t)w;
	}
	errlen = 0;
}

/* ---- what is running, for the fault handler ---- */

static volatile sig_atomic_t g_phase; /* 0 harness, 1 decoder, 2 reading the returned name */
static const uint8_t *volatile g_sec;
static volatile size_t g_size;
static volatile uintptr_t g_lower_guard, g_upper_guard; /* first byte of each guard page, 0 = none */
static const char *volatile g_placement = "none";
static volatile uint32_t g_query;
static size_t g_page;
static volatile uint64_t g_sink;

static const char *signame(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGFPE: return "SIGFPE";
	case SIGILL: return "SIGILL";
	default: return "signal";
	}
}

static void on_fault(int sig, siginfo_t *si, void *uctx)
{
	uintptr_t addr = (uintptr_t)si->si_addr, sec = (uintptr_t)g_sec;
	const char *guard = "none";
	(void)uctx;
	if (g_lower_guard && addr >= g_lower_guard && addr - g_lower_guard < g_page)
		guard = "lower";
	else if (g_upper_guard && addr >= g_upper_guard && addr - g_upper_guard < g_page)
		guard = "upper";
	errlen = 0;
	err_str("lineinfo-harness: fault signal=");
	err_udec((uint64_t)sig);
	err_str(" name=");
	err_str(signame(sig));
	err_str(" phase=");
	err_str(g_phase == 1 ? "decode" : g_phase == 2 ? "name" : "harness");
	err_str(" placement=");
	err_str(g_placement);
	err_str(" query=");
	err_udec(g_query);
	err_str(" size=");
	err_udec(g_size);
	err_str(" guard=");
	err_str(guard);
	err_str(" offset=");
	err_sdec((int64_t)(addr - sec));
	err_str(" addr=");
	err_hex(addr);
	err_flush();
	_exit(EXIT_FAULT);
}

static void install_handlers(void)
{
	static char altstack[1 << 16];
	stack_t ss;
	struct sigaction sa;
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL };
	size_t i;

	ss.ss_sp = altstack;
	ss.ss_size = sizeof altstack;
	ss.ss_flags = 0;
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void die(int status, const char *what, const char *detail)
{
	errlen = 0;
	err_str("lineinfo-harness: ");
	err_str(what);
	if (detail) {
		err_str(" ");
		err_str(detail);
	}
	err_flush();
	exit(status);
}

/* ---- guarded arenas ---- */

/*
 * A mapping of (cap + 2) pages: page 0 is PROT_NONE, pages 1..cap hold data, and page `guard`
 * (k + 1 for a section of k pages) is PROT_NONE, so the k data pages sit between two guards.
 */
struct arena {
	uint8_t *base;
	size_t cap;
	size_t guard;
};

static uint8_t *arena_data(struct arena *a, size_t pages)
{
	if (!a->base || pages > a->cap) {
		size_t cap = a->cap ? a->cap : 16;
		void *p;
		while (cap < pages)
			cap *= 2;
		if (a->base)
			munmap(a->base, (a->cap + 2) * g_page);
		p = mmap(NULL, (cap + 2) * g_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die(EXIT_PROTOCOL, "out-of-memory", "mmap of the guarded arena failed");
		a->base = p;
		a->cap = cap;
		if (mprotect(a->base, g_page, PROT_NONE) || mprotect(a->base + (cap + 1) * g_page, g_page, PROT_NONE))
			die(EXIT_PROTOCOL, "mprotect-failed", NULL);
		a->guard = cap + 1;
	}
	if (a->guard != pages + 1) {
		if (mprotect(a->base + (pages + 1) * g_page, g_page, PROT_NONE) ||
		    mprotect(a->base + a->guard * g_page, g_page, PROT_READ | PROT_WRITE))
			die(EXIT_PROTOCOL, "mprotect-failed", NULL);
		a->guard = pages + 1;
	}
	return a->base + g_page;
}

/* ---- stdin / stdout ---- */

static uint8_t inbuf[1 << 16];
static size_t in_pos, in_len;

/* 1: read n bytes; 0: EOF before the first byte; -1: EOF inside. */
static int read_exact(uint8_t *dst, size_t n)
{
	size_t got = 0;
	while (got < n) {
		if (in_pos == in_len) {
			ssize_t r = read(0, inbuf, sizeof inbuf);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return got ? -1 : 0;
			in_pos = 0;
			in_len = (size_t)r;
		}
		size_t take = in_len - in_pos < n - got ? in_len - in_pos : n - got;
		memcpy(dst + got, inbuf + in_pos, take);
		in_pos += take;
		got += take;
	}
	return 1;
}

static void write_all(const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(1, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			exit(0); /* the suite went away */
		p += w;
		n -= (size_t)w;
	}
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void *grow(void *p, size_t *cap, size_t need)
{
	if (need <= *cap)
		return p;
	size_t c = *cap ? *cap : 4096;
	while (c < need)
		c *= 2;
	p = realloc(p, c);
	if (!p)
		die(EXIT_PROTOCOL, "out-of-memory", NULL);
	*cap = c;
	return p;
}

/* ---- running one query ---- */

struct placement {
	const char *name;
	const uint8_t *sec;
	uintptr_t lower, upper;
};

struct answer {
	int kind; /* 0 none, 1 hit, 2 unsupported */
	uint32_t line, name_offset;
};

static struct answer run_one(const struct placement *p, size_t size, int big_endian, const char *layout,
			     uint32_t qi, uint32_t offset, int has_ss, uint32_t ss)
{
	struct answer a = { 0, 0, 0 };
	uint32_t line = 0;
	const char *name = NULL;
	int r;

	g_sec = p->sec;
	g_size = size;
	g_lower_guard = p->lower;
	g_upper_guard = p->upper;
	g_placement = p->name;
	g_query = qi;
	g_phase = 1;
	r = lineinfo_decode(p->sec, size, big_endian, layout, offset, has_ss, ss, &line, &name);
	g_phase = 0;
	if (r == LINEINFO_UNSUPPORTED) {
		a.kind = 2;
		return a;
	}
	if (r == LINEINFO_NONE)
		return a;
	if (r != LINEINFO_HIT || name == NULL) {
		errlen = 0;
		err_str("lineinfo-harness: bad-answer placement=");
		err_str(p->name);
		err_str(" query=");
		err_udec(qi);
		err_str(r != LINEINFO_HIT ? " return=" : " null-name return=");
		err_sdec(r);
		err_flush();
		exit(EXIT_ANSWER);
	}
	/* Compare as integers: the name may point anywhere, and pointer comparison across objects is
	 * undefined. */
	uintptr_t at = (uintptr_t)name, base = (uintptr_t)p->sec;
	if (at < base || at - base > size) {
		errlen = 0;
		err_str("lineinfo-harness: name-outside-section placement=");
		err_str(p->name);
		err_str(" query=");
		err_udec(qi);
		err_str(" size=");
		err_udec(size);
		err_str(" offset=");
		err_sdec((int64_t)(at - base));
		err_flush();
		exit(EXIT_ANSWER);
	}
	g_phase = 2;
	g_sink += strlen(name) + line; /* what printk("%s") would read */
	g_phase = 0;
	a.kind = 1;
	a.line = line;
	a.name_offset = (uint32_t)(at - base);
	return a;
}

static void describe(const struct answer *a)
{
	if (a->kind == 0) {
		err_str("none");
	} else if (a->kind == 2) {
		err_str("unsupported");
	} else {
		err_str("line=");
		err_udec(a->line);
		err_str("@name_offset=");
		err_udec(a->name_offset);
	}
}

int main(int argc, char **argv)
{
	struct arena end_arena = { 0, 0, 0 }, start_arena = { 0, 0, 0 };
	uint8_t *frame = NULL, *resp = NULL;
	size_t frame_cap = 0, resp_cap = 0;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "--version"))) {
		static const char msg[] = "lineinfo-harness: speaks lineinfo-kit decoder protocol 1 (LIQ1/LIA1) on stdin/stdout; see conformance/PROTOCOL.md\n";
		write_all((const uint8_t *)msg, sizeof msg - 1);
		return 0;
	}
	g_page = (size_t)sysconf(_SC_PAGESIZE);
	install_handlers();

	for (;;) {
		uint8_t head[8];
		int r = read_exact(head, 8);
		if (r == 0)
			return 0; /* EOF between frames: done */
		if (r < 0)
			die(EXIT_PROTOCOL, "protocol-error", "EOF inside a frame header");
		if (memcmp(head, "LIQ1", 4))
			die(EXIT_PROTOCOL, "protocol-error", "bad magic (expected LIQ1)");
		uint32_t len = get32(head + 4);
		if (len > FRAME_MAX)
			die(EXIT_PROTOCOL, "protocol-error", "frame longer than 1 GiB");
		frame = grow(frame, &frame_cap, len ? len : 1);
		if (read_exact(frame, len) != 1 && len)
			die(EXIT_PROTOCOL, "protocol-error", "EOF inside a frame");

		/* endian, layout, section, queries; every length checked against the frame */
		size_t at = 0;
		if (len < 2)
			die(EXIT_PROTOCOL, "protocol-error", "frame too short");
		int big_endian = frame[at++];
		if (big_endian > 1)
			die(EXIT_PROTOCOL, "protocol-error", "endian byte not 0 or 1");
		size_t layout_len = frame[at++];
		char layout[256];
		if (len - at < layout_len + 4)
			die(EXIT_PROTOCOL, "protocol-error", "frame too short for the layout id");
		memcpy(layout, frame + at, layout_len);
		layout[layout_len] = 0;
		at += layout_len;
		size_t size = get32(frame + at);
		at += 4;
		if (len - at < size || len - at - size < 4)
			die(EXIT_PROTOCOL, "protocol-error", "frame too short for the section");
		const uint8_t *section = frame + at;
		at += size;
		uint32_t count = get32(frame + at);
		at += 4;
		if ((len - at) / 9 < count || len - at != (size_t)count * 9)
			die(EXIT_PROTOCOL, "protocol-error", "query list does not fill the frame exactly");
		const uint8_t *queries = frame + at;

		/* placements */
		struct placement pl[3];
		int npl = 0;
		size_t pages = (size + g_page - 1) / g_page;
		uint8_t *d = arena_data(&end_arena, pages);
		uint8_t *sec = d + pages * g_page - size;
		memset(d, 0xa5, (size_t)(sec - d));
		if (size)
			memcpy(sec, section, size);
		pl[npl].name = "end";
		pl[npl].sec = sec;
		pl[npl].lower = (uintptr_t)(d - g_page);
		pl[npl].upper = (uintptr_t)(d + pages * g_page);
		npl++;
		if (size % g_page) {
			d = arena_data(&start_arena, pages);
			memcpy(d, section, size);
			memset(d + size, 0xa5, pages * g_page - size);
			pl[npl].name = "start";
			pl[npl].sec = d;
			pl[npl].lower = (uintptr_t)(d - g_page);
			pl[npl].upper = (uintptr_t)(d + pages * g_page);
			npl++;
		}
		uint8_t *heap = NULL;
		if (HARNESS_ASAN) {
			heap = malloc(size); /* malloc(0) under ASan: a block with no accessible byte */
			if (!heap && size)
				die(EXIT_PROTOCOL, "out-of-memory", NULL);
			if (size)
				memcpy(heap, section, size);
			/* first, so that ASan's report (with the offset) comes before any guard fault */
			pl[npl] = pl[0];
			pl[0].name = "heap";
			pl[0].sec = heap;
			pl[0].lower = 0;
			pl[0].upper = 0;
			npl++;
		}

		resp = grow(resp, &resp_cap, 12 + (size_t)count * 9);
		memcpy(resp, "LIA1", 4);
		put32(resp + 8, count);
		size_t out = 12;
		for (uint32_t i = 0; i < count; i++) {
			const uint8_t *q = queries + (size_t)i * 9;
			uint32_t offset = get32(q);
			int has_ss = q[4] != 0;
			uint32_t ss = get32(q + 5);
			struct answer first = run_one(&pl[0], size, big_endian, layout, i, offset, has_ss, ss);
			for (int k = 1; k < npl; k++) {
				struct answer other = run_one(&pl[k], size, big_endian, layout, i, offset, has_ss, ss);
				if (other.kind != first.kind || other.line != first.line || other.name_offset != first.name_offset) {
					errlen = 0;
					err_str("lineinfo-harness: placement-mismatch query=");
					err_udec(i);
					err_str(" size=");
					err_udec(size);
					err_str(" ");
					err_str(pl[0].name);
					err_str("=");
					describe(&first);
					err_str(" ");
					err_str(pl[k].name);
					err_str("=");
					describe(&other);
					err_flush();
					exit(EXIT_ANSWER);
				}
			}
			resp[out++] = (uint8_t)first.kind;
			if (first.kind == 1) {
				put32(resp + out, first.line);
				put32(resp + out + 4, first.name_offset);
				out += 8;
			}
		}
		free(heap);
		put32(resp + 4, (uint32_t)(out - 8));
		write_all(resp, out);
	}
}

/*
 * lineinfo_decoder.h: the one function a C decoder implements to be tested by lineinfo-kit's
 * conformance suite through conformance/harness/c/harness.c (see conformance/PROTOCOL.md and
 * conformance/README.md, "Plugging in a decoder in C, Rust or Go").
 *
 * Build a decoder into the harness:
 *   cc -O2 -std=c11 -I conformance/harness/c -o my-harness conformance/harness/c/harness.c my_decoder.c
 * or let the suite do it:  lineinfo conformance --decoder c:my_decoder.c[,asan]
 *
 * This header is part of lineinfo-kit (MIT).
 */
#ifndef LINEINFO_DECODER_H
#define LINEINFO_DECODER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Return values of lineinfo_decode(). */
#define LINEINFO_HIT 1          /* *line and *name are set */
#define LINEINFO_NONE 0         /* no annotation for this query */
#define LINEINFO_UNSUPPORTED (-1) /* this decoder does not implement `layout` */

/*
 * Looks up one query in one section (module `.mod_lineinfo`) or table image (vmlinux, the bytes
 * from `lineinfo_num_entries` on), as spec/FORMAT.md defines.
 *
 *   section, size     the section bytes: exactly `size` bytes are readable. The harness places
 *                     the section so that the byte before `section` and the byte at
 *                     `section + size` are on inaccessible (PROT_NONE) pages, and under
 *                     AddressSanitizer also in a heap block of exactly `size` bytes; any read
 *                     outside [section, section + size) is detected and reported.
 *   big_endian        0: the section's u16/u32 are little-endian; 1: big-endian
 *   layout            a layout id of spec/FORMAT.md, NUL-terminated: "v1-flat", "v1", "v2",
 *                     "v3", "v5", "v7", "vmlinux-v1-flat", "vmlinux-v1", "vmlinux-v2",
 *                     "vmlinux-v3", "vmlinux-v7" (v5/v7: offset and symbol_start are relative to
 *                     descriptor 0's anchor, see conformance/PROTOCOL.md)
 *   offset            the queried offset from the table base (module .text / vmlinux _text)
 *   has_symbol_start  nonzero when symbol_start is given (the v1 symbol-start rule applies)
 *   symbol_start      the enclosing symbol's start as a table offset
 *   line, name        on a hit: the line, and a pointer INTO `section` at the first byte of the
 *                     file name. The harness reports name - section to the suite and reads the
 *                     name up to its NUL, as printk("%s") would: the name must be NUL-terminated
 *                     inside the name table.
 *
 * Returns LINEINFO_HIT, LINEINFO_NONE, or LINEINFO_UNSUPPORTED for a layout the decoder does not
 * implement (then for every query of that layout).
 *
 * The function must be a pure function of its arguments: the harness calls it several times for
 * the same query with the section at different addresses and compares the answers, and it reuses
 * memory between sections, so nothing may be cached across calls by address.
 */
int lineinfo_decode(const uint8_t *section, size_t size, int big_endian, const char *layout,
		    uint32_t offset, int has_symbol_start, uint32_t symbol_start,
		    uint32_t *line, const char **name);

#ifdef __cplusplus
}
#endif

#endif /* LINEINFO_DECODER_H */

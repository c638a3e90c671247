/* A user-space address as frames: the function (demangled), its source
 * line, the calls inlined there (innermost first, each at the line it
 * was called from in the next), and the ELF file it is in. */
#ifndef KD_USTACK_SYMBOLIZE_H
#define KD_USTACK_SYMBOLIZE_H

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define KD_UFRAME_MAX 16 /* inline depth kept for one address */

struct kd_uframe {
	uint64_t pc;          /* as the stack holds it */
	char func[256];       /* "" when no symbol covers it */
	uint64_t off;         /* pc - the symbol's start (0 for inlined frames) */
	char file[512];       /* "" without line information */
	int line;
	const char *module;   /* the ELF file's path (owned by dwfl) */
	bool inlined;         /* a call inlined into the next frame */
	bool no_debug;        /* its file has no debug info (names from its symbol table) */
};

/* pc's frames: activation says pc is where execution is (frame #0, or
 * interrupted by a signal), else a return address, looked up at pc - 1.
 * Returns how many were written (at least 1). */
int kd_usym(Dwfl *dwfl, uint64_t pc, bool activation, struct kd_uframe *out, int max);

/* gdb's bt line: "#N  0xPC in FUNC () at FILE:LINE" (", from MODULE"
 * without line information; "??" without a symbol). */
void kd_uframe_print(const struct kd_uframe *f, int n, FILE *out);

/* pcs named and printed from frame number level on (kd_usym's frames,
 * the first pc an activation when first_exact); returns the next number. */
int kd_upcs_print(Dwfl *dwfl, const uint64_t *pcs, size_t n, bool first_exact, int level, FILE *out);

/* A libdwfl session on process pid's mappings (/proc/PID/maps), debug
 * info from the binaries, .gnu_debuglink and /usr/lib/debug/.build-id.
 * NULL with why (at least 256 bytes) when it cannot be read. */
Dwfl *kd_udwfl_open(int pid, char *why, size_t len);

#endif

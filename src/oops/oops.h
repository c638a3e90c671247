/* Recognizes the parts of kernel console text that carry symbols: stack
 * frames, RIP/pc lines and Code: lines, in any dmesg/syslog dressing.
 * Works line by line with a little state (ppc64 "Instruction dump:" words
 * continue on the following lines), never allocates, never fails: garbage
 * is just text. Offsets below index into the line as given. */
#ifndef KD_OOPS_OOPS_H
#define KD_OOPS_OOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KD_OOPS_SYM_MAX 512
#define KD_OOPS_MOD_MAX 64
#define KD_OOPS_BUILDID_MAX 129
#define KD_OOPS_MAX_FRAMES 4

/* One symbolic location "func+0xOFF/0xSIZE [mod build-id]". The spans let
 * a caller insert text after the symbol (end) or after its module bracket
 * (mod_end) and copy every other byte of the line unchanged, including
 * what follows: arm64 " (T)", ppc64 " (unreliable)", RIP's " RSP: ...". */
struct kd_oops_sym {
	size_t start, end;           /* span of "func+0xOFF/0xSIZE" */
	size_t mod_start, mod_end;   /* span of "[mod ...]" (brackets incl.), 0/0 if none */
	char func[KD_OOPS_SYM_MAX];  /* verbatim: ".cold", "__pfx_", "_RNv..." kept */
	uint64_t off, size;
	char module[KD_OOPS_MOD_MAX];        /* "" for vmlinux */
	char build_id[KD_OOPS_BUILDID_MAX];  /* hex after the module name, or "" */
	bool reliable;               /* false for "? " or "(unreliable)" */
	bool has_addr;               /* "[<ffffffff81234567>]" printed (the last one
	                                if several, e.g. ppc64 "[sp] [ip]") */
	uint64_t addr;
};

enum kd_oops_kind {
	KD_OOPS_TEXT,    /* nothing symbolic */
	KD_OOPS_FRAMES,  /* one or more stack frames (n_frames > 0) */
	KD_OOPS_IP,      /* x86 "RIP: 0010:func+off/size" style line: frames[0]
	                    holds the symbol, but it is not a stack frame */
	KD_OOPS_CODE,    /* "Code: xx xx <xx> xx", or a line of words after ppc64
	                    "Instruction dump:": code_start..code_end */
};

/* Only the members that the kind names are meaningful; frames[] past
 * n_frames may hold leftovers of rejected parses. */
struct kd_oops_line {
	enum kd_oops_kind kind;
	size_t body;                 /* where the message starts after prefixes */
	struct kd_oops_sym frames[KD_OOPS_MAX_FRAMES];
	size_t n_frames;             /* KD_OOPS_FRAMES: frames; KD_OOPS_IP: 1 */
	size_t code_start, code_end; /* KD_OOPS_CODE: the byte list */
};

struct kd_oops_scanner {
	int state;                   /* private */
};

void kd_oops_scanner_init(struct kd_oops_scanner *sc);

/* Classifies one line (without its '\n'; need not be NUL-terminated). */
void kd_oops_scan_line(struct kd_oops_scanner *sc, const char *line, size_t len,
		       struct kd_oops_line *out);

/* Length of the dmesg/syslog/caller-id prefix at the start of line, with
 * one separating space; the message's own indentation is not included. */
size_t kd_oops_prefix_len(const char *line, size_t len);

/* The panic message of a log, crash's way: of the lines fed in order,
 * the first of the most telling kind ("SysRq : Trigger a crash", "Kernel
 * panic - ", "kernel BUG at", ..., "Oops: "), unprintable bytes as '.'. */
struct kd_panic_line {
	size_t kind;                 /* private: the best kind seen so far */
	char text[512];              /* "" until a line is found */
};

void kd_panic_line_init(struct kd_panic_line *m);
/* true when line is now the panic message */
bool kd_panic_line_scan(struct kd_panic_line *m, const char *line, size_t len);

#endif

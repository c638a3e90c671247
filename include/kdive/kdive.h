/* kdive: Linux kernel crash-debugging library. The public API is small on
 * purpose: the CLI and any other front end build on these calls only. */
#ifndef KDIVE_H
#define KDIVE_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every failing call fills one of these with a single line that says what
 * went wrong, on which object, and what to do when that is known. */
typedef struct kd_err {
	char msg[1024];
} kd_err;

/* --- decode: dmesg text -> source lines ------------------------------- */

typedef struct kd_decoder kd_decoder;

struct kd_decode_opts {
	const char *vmlinux;          /* debug vmlinux, or NULL with release */
	const char *release;          /* `uname -r` to search standard paths */
	const char *basepath;         /* prefix to strip; "auto" or NULL = auto */
	const char *const *module_dirs; /* searched for NAME.ko* before defaults */
	size_t n_module_dirs;
};

/* Opens the debug info named by opts. Fails only when nothing usable is
 * given (no vmlinux and no release); a vmlinux that cannot be read still
 * yields a decoder that passes the log through and reports why. */
kd_decoder *kd_decoder_new(const struct kd_decode_opts *opts, kd_err *err);

/* Copies `in` to `out`, annotating frames, RIP lines and Code lines.
 * One-line diagnostics (missing debug info, mismatched vmlinux) go to
 * `diag`, each said once. Returns 0, or -1 on an I/O error. */
int kd_decoder_run(kd_decoder *dec, FILE *in, FILE *out, FILE *diag, kd_err *err);

void kd_decoder_free(kd_decoder *dec);

/* --- session: a kdump vmcore with its debug vmlinux ------------------ */

typedef struct kd_session kd_session;

struct kd_session_opts {
	const char *const *module_dirs; /* where to look for module .ko files */
	size_t n_module_dirs;
};

/* Opens a dump and its vmlinux, given in either order (told apart by
 * content). Fails with one line when they do not match or cannot be read. */
kd_session *kd_session_open(const char *file1, const char *file2,
			    const struct kd_session_opts *opts, kd_err *err);

/* Runs one command line ("bt -a") with crash's syntax, writing to out.
 * Returns 0, or -1 with err (the session stays usable). */
int kd_session_exec(kd_session *s, const char *line, FILE *out, kd_err *err);

/* How far KASLR moved the kernel, in MiB (crash's "kernel relocated"). */
long kd_session_relocation_mb(const kd_session *s);

void kd_session_close(kd_session *s);

#ifdef __cplusplus
}
#endif
#endif

/* kdive: Linux kernel crash-debugging library. The public API is small on
 * purpose: the CLI and any other front end build on these calls only. */
#ifndef KDIVE_H
#define KDIVE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library is built with -fvisibility=hidden: what this header
 * declares is the shared library's whole ABI. */
#pragma GCC visibility push(default)

/* What kind of failure a kd_err reports, so a caller can act on it (skip
 * a page the dump lacks, give up on out of memory) without reading the
 * message. */
enum kd_err_code {
	KD_ERR_NONE = 0,
	KD_ERR_FAULT,       /* memory the dump does not hold: see kd_err.fault */
	KD_ERR_LOOKUP,      /* no such symbol, type, member, task, module or file */
	KD_ERR_INVALID,     /* a bad argument, option or expression */
	KD_ERR_IO,          /* a file could not be opened, read or written */
	KD_ERR_NOMEM,       /* out of memory */
	KD_ERR_UNSUPPORTED, /* a format or kernel feature kdive cannot interpret */
	KD_ERR_CORRUPT,     /* data that contradicts itself: a bad header, a list that never ends */
	KD_ERR_MISMATCH,    /* files that do not belong together: another build's vmlinux or .ko */
	KD_ERR_INTERRUPTED, /* stopped by kd_session_interrupt (Ctrl-C) */
};

/* Why memory could not be read (KD_ERR_FAULT). */
enum kd_fault_kind {
	KD_FAULT_NONE = 0,
	KD_FAULT_EXCLUDED,  /* RAM that makedumpfile (or a QEMU filter) left out */
	KD_FAULT_HOLE,      /* not RAM: a memory hole */
	KD_FAULT_BEYOND,    /* above the dump's last page */
	KD_FAULT_TRUNCATED, /* the dump should hold it but the file is cut short */
	KD_FAULT_UNMAPPED,  /* no page table entry maps the virtual address */
};

struct kd_fault {
	enum kd_fault_kind kind;
	unsigned long long phys;  /* physical address (not for UNMAPPED) */
	unsigned long long virt;  /* virtual address, when the read was virtual */
	int has_virt;
};

/* Every failing call fills one of these with a single line that says what
 * went wrong, on which object, and what to do when that is known, and
 * with the kind of failure. */
typedef struct kd_err {
	char msg[1024];
	enum kd_err_code code;
	struct kd_fault fault; /* when code is KD_ERR_FAULT */
} kd_err;

/* --- decode: dmesg text -> source lines ------------------------------- */

typedef struct kd_decoder kd_decoder;

struct kd_decode_opts {
	const char *vmlinux;          /* debug vmlinux, or NULL with release */
	const char *release;          /* `uname -r` to search standard paths */
	const char *basepath;         /* prefix to strip; "auto" or NULL = auto */
	const char *const *module_dirs; /* searched for NAME.ko* before defaults */
	size_t n_module_dirs;
	const char *sysroot;          /* root of the standard places; NULL: "/" */
	int json;                     /* one JSON document instead of the log (docs/json.md) */
	int no_debuginfod;            /* debug files not installed are not fetched by
				       * build-id (the log's module build-ids; the running
				       * kernel's when the log is its own) */
	/* Module debug files already known ("NAME=PATH", whatever the
	 * file is called: a session's, a debuginfod download), used before
	 * any search. */
	const char *const *module_files;
	size_t n_module_files;
};

/* Opens the debug info named by opts. Fails only when nothing usable is
 * given (no vmlinux and no release); a vmlinux that cannot be read still
 * yields a decoder that passes the log through and reports why. */
kd_decoder *kd_decoder_new(const struct kd_decode_opts *opts, kd_err *err);

/* Copies `in` to `out`, annotating frames, RIP lines and Code lines (with
 * opts.json: the frames and Code: listings as one JSON document).
 * One-line diagnostics (missing debug info, mismatched vmlinux) go to
 * `diag`, each said once. Returns 0, or -1 on an I/O error. */
int kd_decoder_run(kd_decoder *dec, FILE *in, FILE *out, FILE *diag, kd_err *err);

void kd_decoder_free(kd_decoder *dec);

/* Whether path is a dump file kdive reads, by its first bytes: an ELF
 * core file, kdump-compressed or makedumpfile's flattened format. */
int kd_is_dump_file(const char *path);

/* --- session: a kdump vmcore with its debug vmlinux ------------------ */

typedef struct kd_session kd_session;

struct kd_session_opts {
	const char *const *module_dirs; /* where to look for module .ko files */
	size_t n_module_dirs;
	/* Root of the standard debug-info places (/usr/lib/debug/lib/modules/R,
	 * /lib/modules/R): another machine's files mounted here. NULL: "/". */
	const char *sysroot;
	/* Without a vmlinux, do not fetch it from debuginfod (the standard
	 * places below sysroot are still looked in). */
	int no_debuginfod;
	/* Every command's output as JSON (docs/json.md), as with `CMD --json`. */
	int json;
	/* Kernel source trees for `l` and `dis -s`, searched before the
	 * distribution's source package. */
	const char *const *source_dirs;
	size_t n_source_dirs;
	/* Warnings (debug info found but unusable, ...), one line each,
	 * "kdive: " first; never mixed into a command's output. NULL: none. */
	FILE *diag;
};

/* Opens a dump and its vmlinux, given in either order (told apart by
 * content), or the dump alone (file2 NULL: its debug vmlinux from the
 * standard places or debuginfod, else symbols, types and unwind tables
 * from the dump's own memory, Linux 6.0+). The running kernel
 * (/proc/kcore) when file1 is NULL, or a vmlinux alone: then each command
 * reads it afresh. Fails with one line when they do not match or cannot
 * be read (for the running kernel: what blocks it and the fix). */
kd_session *kd_session_open(const char *file1, const char *file2,
			    const struct kd_session_opts *opts, kd_err *err);

/* Runs one command line ("bt -a") with crash's syntax, of any length,
 * writing to out. Returns 0, or -1 with err, "CMD: why" (the session
 * stays usable). */
int kd_session_exec(kd_session *s, const char *line, FILE *out, kd_err *err);

/* Stops the command kd_session_exec is running (in any session of the
 * process) at its next read of kernel memory or its next task; it fails
 * with KD_ERR_INTERRUPTED and the session goes on. Async-signal-safe: for
 * a SIGINT handler. */
void kd_session_interrupt(void);

/* Whether output should go through a pager when it is longer than the
 * terminal (crash's `set scroll on|off`; on at the start), and setting it
 * (kdive -s). The pager itself is the front end's. */
int kd_session_scroll(const kd_session *s);
void kd_session_set_scroll(kd_session *s, int on);

/* Whether line runs until interrupted (`repeat`): its output should
 * stream to the terminal, never wait for a pager. */
int kd_session_streams(kd_session *s, const char *line);

/* Tab at the prompt: cb gets each word that completes the one ending at
 * position point of line, sorted, once each: command names and aliases
 * for the first word; after it, "-" the command's options, else what it
 * takes: symbol names, struct and union names and NAME.member paths
 * ("task_struct.pi" -> "task_struct.pid", ...), PIDs, command names.
 * Returns how many. */
typedef void (*kd_complete_fn)(const char *word, void *arg);
size_t kd_session_complete(kd_session *s, const char *line, size_t point, kd_complete_fn cb, void *arg);

/* How far KASLR moved the kernel, in MiB (crash's "kernel relocated"). */
long kd_session_relocation_mb(const kd_session *s);

void kd_session_close(kd_session *s);

/* The session's `help` without a dump (the CLI's `kdive help`, the man
 * pages): with n 0 the command list, else each named command's usage,
 * summary and details; json: as `help --json` (docs/json.md). Fails on a
 * name that is no command. */
int kd_session_help(const char *const *names, size_t n, int json, FILE *out, kd_err *err);

/* --- probe: Kprobes on the running kernel, with perf probe's syntax --- */

typedef struct kd_prober kd_prober;

struct kd_probe_opts {
	const char *vmlinux;   /* -k: the debug vmlinux; NULL: the running kernel's,
				* from the standard places below sysroot */
	const char *module;    /* -m: a module's name (its .ko looked for) or .ko path */
	int no_inlines;        /* only out-of-line copies of a function */
	int offline;           /* -D/-V/-L for a vmlinux that is not running: no
				* build-id or blacklist check against the running
				* kernel (adding and tracing check anyway) */
	const char *sysroot;
	const char *const *source_dirs; /* for -L's source text */
	size_t n_source_dirs;
	FILE *diag;            /* warnings and progress, one line each */
	int no_debuginfod;     /* debug files not installed are not fetched by
				* the running kernel's build-ids (DEBUGINFOD_URLS) */
};

/* Nothing is read until a call needs it: -l, -d and tracing events added
 * before need no debug info. */
kd_prober *kd_prober_open(const struct kd_probe_opts *opts, kd_err *err);
void kd_prober_close(kd_prober *p);

/* spec: "[[GROUP:]EVENT=]FUNC[@SRC][:RLN|+OFF|%return] [ARG...]" or
 * "SRC:LINE [ARG...]" as perf probe takes it. define prints the
 * kprobe_events lines (perf probe -D), add adds them (-a), one per
 * function instance; vars lists the variables at each point (-V), lines
 * the lines a probe can go on (-L). */
int kd_probe_define(kd_prober *p, const char *spec, FILE *out, kd_err *err);
int kd_probe_add(kd_prober *p, const char *spec, FILE *out, kd_err *err);
int kd_probe_show_vars(kd_prober *p, const char *spec, FILE *out, kd_err *err);
int kd_probe_show_lines(kd_prober *p, const char *spec, FILE *out, kd_err *err);

/* -l: every kprobe event, other tools' marked and left alone. -d: removes
 * [GROUP:]EVENT (glob; group "kdive" when not given). */
int kd_probe_list(FILE *out, kd_err *err);
int kd_probe_delete(const char *pattern, FILE *out, kd_err *err);

struct kd_trace_opts {
	int stacks;      /* each hit's kernel stack, with file:line */
	long count;      /* stop after this many hits (0: no limit) */
	double seconds;  /* stop after this long (0: no limit) */
};

/* Streams hits of events ("GROUP:EVENT" added before, or probe specs
 * added for this run only) as "comm-PID [CPU] TIMESTAMP: EVENT: args" until
 * count, seconds, SIGINT, SIGTERM or SIGHUP. The events are enabled in a
 * private tracefs instance; on return the instance and the run's own
 * events are gone (and those of earlier runs that were killed). */
int kd_probe_trace(kd_prober *p, const char *const *items, size_t n, const struct kd_trace_opts *o,
		   FILE *out, kd_err *err);

/* --- kdump readiness: can this machine capture a dump ---------------- */

struct kd_kdump_opts {
	const char *dir;   /* the dump directory to check; NULL: the service's (/var/crash) */
	int json;          /* one JSON document (docs/json.md) instead of the text */
};

/* Checks the crashkernel= reservation against what the capture kernel
 * needs, the capture kernel being loaded, the kdump service's
 * configuration, the dump directory's room for a dump at its dump level,
 * makedumpfile's version against this kernel, sysrq, the panic_on_*
 * knobs and lockdown; prints a verdict ("ready" or "NOT READY: WHY; fix:
 * HOW") and one line per check. Returns 1 ready, 0 not ready, -1 with err
 * when nothing could be printed. */
int kd_kdump_status(const struct kd_kdump_opts *o, FILE *out, kd_err *err);

struct kd_kdump_list_opts {
	const char *sysroot; /* where debug vmlinux files are looked for ("/" or NULL: here) */
	int json;
	FILE *diag;          /* a directory below DIR that cannot be read: one line each */
};

/* kdive kdump list: every dump below the directories (none: /var/crash)
 * in Debian's layout (YYYYMMDDHHMM/dump.STAMP, dmesg.STAMP,
 * dump-incomplete), RHEL's (HOST-DATE/vmcore, vmcore-dmesg.txt,
 * vmcore-incomplete) or none: date, release, panic message, task and
 * function, format, dump level, size, complete or not, the debug vmlinux
 * installed (by build-id) or the package that has it, the command that
 * opens it. Read from headers, VMCOREINFO and the log (the saved dmesg,
 * else the dump's printk ring), not whole dumps. Returns how many dumps,
 * or -1 with err when a directory cannot be read. */
int kd_kdump_list(const char *const *dirs, size_t n, const struct kd_kdump_list_opts *o, FILE *out,
		  kd_err *err);

/* --- user-space backtraces: "who called me?" --------------------------- */

/* The calling thread's return addresses, innermost first, at most max,
 * from the binaries' unwind tables (no frame pointers or -rdynamic
 * needed). Fit for a signal handler once kd_crash_handler_install (or
 * one call outside a handler) has loaded the unwinder, on glibc 2.35+
 * (lock-free _dl_find_object; before, a crash during dlopen in another
 * thread can block it). Returns how many. */
int kd_backtrace(void **pcs, int max);

/* pcs named as gdb's bt names frames: "#N  0xPC in FUNC () at FILE:LINE",
 * a call inlined at that point as a frame of its own, "from LIB" without
 * debug info; from the binaries' own debug info or a separate one found
 * by build-id (/usr/lib/debug/.build-id) or .gnu_debuglink. Not in a
 * signal handler. 0, or -1 when the process's mappings cannot be read
 * (the raw addresses printed). */
int kd_backtrace_print(void *const *pcs, int n, FILE *out);

/* On SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT: prints the signal, the
 * faulting address and the named frames to stderr (the addresses are
 * taken in the handler and named by `kdive ustack --pcs` run in a child,
 * kdive_path or "kdive" in PATH; without it the raw addresses), then the
 * signal's default action happens (the core dump is kept). The handler
 * runs on its own stack (a stack overflow too) in the installing thread;
 * the first thread to crash reports, the others wait; the other threads
 * run on meanwhile (the helper has 10 s). 0, 1 when no kdive was found
 * (addresses only), -1 when it could not be installed. */
int kd_crash_handler_install(const char *kdive_path);

/* kdive ustack: every thread of pid (tid > 0: that one) stopped in turn
 * with ptrace, unwound and named as kd_backtrace_print names frames,
 * under "Thread TID "COMM":"; a file without debug info said once on
 * diag. -1 with err when it cannot be attached (saying why: ptrace_scope,
 * another user's process, no such process). */
int kd_ustack(int pid, int tid, FILE *out, FILE *diag, kd_err *err);

/* The crash handler's helper: pcs of process pid named (first_exact: the
 * first is where it faulted, the rest return addresses). */
int kd_ustack_addresses(int pid, const uint64_t *pcs, size_t n, int first_exact, FILE *out, kd_err *err);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif

/* The crashed kernel as a whole: its dump, its debug vmlinux (symbols
 * moved by KASLR), VMCOREINFO, virtual memory and struct layouts. Every
 * session command works on one of these; the facts it knows are
 * kd_kernel_* and kd_task_* calls (the headers in kernel/), so commands only parse,
 * call and print. */
#ifndef KD_KERNEL_KERNEL_H
#define KD_KERNEL_KERNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "kdive/kdive.h"

struct kd_dump;
struct kd_vmcoreinfo;
struct kd_symbolizer;
struct kd_symfile;
struct kd_vmem;
struct kd_types;
struct kd_modules;
struct kd_module_finder;
struct kd_tasks;
struct kd_task_mem_cache;

struct kd_kernel_opts {
	const char *sysroot; /* root of the standard debug-info places ("/" when NULL) */
	FILE *diag;          /* warnings, one line each, each said once; NULL: none */
	/* Without a vmlinux, do not look for it (in the standard places, then
	 * from debuginfod by build-id): read the dump alone at once. */
	bool no_search;
	bool no_debuginfod;  /* look in the standard places only */
};

struct kd_addr_range {
	uint64_t start, end; /* [start, end); empty when equal */
};

struct kd_kernel {
	char *vmlinux_path, *dump_path;
	struct kd_dump *dump;
	struct kd_vmcoreinfo *vmci;
	struct kd_symbolizer *sz;
	struct kd_symfile *vmlinux;   /* NULL: opened without it (kd_kernel_open) */
	struct kd_kallsyms *ksyms;    /* then: the dump's own kallsyms ... */
	void *btf_mem;                /* ... and BTF, read from its memory */
	size_t btf_len;
	struct kd_vmem *vm;
	struct kd_types *types;
	uint64_t kaslr;        /* added to every vmlinux symbol */
	uint64_t phys_base;
	char release[128];
	int nr_cpus;           /* nr_cpu_ids */
	uint64_t *per_cpu_offset;
	struct kd_modules *modules; /* read on first use (kernel/modules.h) */
	struct kd_tasks *tasks;     /* read on first use (kernel/tasks.h) */
	struct kd_task_mem_cache *task_mem; /* kernel/task_mem.c */
	/* Kernel text, KASLR applied: the one definition every symbol lookup
	 * and the unwinder use (kernel/symbols.h). */
	struct kd_addr_range text, inittext;
	/* Where module debug info is looked for: directories added with
	 * kd_kernel_add_module_dir first, then the release's standard ones
	 * under sysroot. Each directory is walked once. */
	struct kd_module_finder *finder;
	char *sysroot;
	FILE *diag;
	struct kd_sources *sources; /* source files for `l`: kernel/symbols.h */
	bool live;                  /* the running kernel (kernel/live.h) */
	bool debuginfod;            /* missing debug files are fetched by build-id
				     * (DEBUGINFOD_URLS; `set debuginfod`) */
};

/* vmlinux NULL: the debug vmlinux of the dump's release and build-id is
 * looked for in the standard places below sysroot, then fetched from
 * debuginfod (DEBUGINFOD_URLS); failing that (one warning), the dump
 * alone: symbols from its kallsyms (located by VMCOREINFO, Linux 6.0+),
 * types from the BTF and unwinding from the ORC tables in its memory; no
 * source lines, no DWARF-only types. */
struct kd_kernel *kd_kernel_open(const char *vmlinux, const char *dump,
				 const struct kd_kernel_opts *opts, kd_err *err);
void kd_kernel_close(struct kd_kernel *k);

/* Whether k is the running kernel (/proc/kcore) rather than a dump. */
static inline bool kd_kernel_live(const struct kd_kernel *k)
{
	return k->live;
}

/* Forgets what a live kernel changes under us (the task and module lists,
 * memory figures, address translations) so the next command reads it
 * afresh; nothing on a dump, which never changes. */
void kd_kernel_refresh(struct kd_kernel *k);

/* Forgets the task list and the tasks' memory figures, read on first
 * use: after a command was interrupted while walking them, the next one
 * walks again rather than keep a walk cut short. */
void kd_kernel_forget_walks(struct kd_kernel *k);

/* Puts dir on the module debug-info search path, after those added
 * before and ahead of the standard places. */
int kd_kernel_add_module_dir(struct kd_kernel *k, const char *dir, kd_err *err);

/* One line on the diagnostics stream ("kdive: " + text), if there is one. */
void kd_kernel_warn(struct kd_kernel *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Runtime address of a vmlinux symbol (KASLR applied). */
int kd_kernel_symbol(struct kd_kernel *k, const char *name, uint64_t *addr, kd_err *err);

int kd_kernel_read(struct kd_kernel *k, uint64_t addr, void *buf, size_t len, kd_err *err);
int kd_kernel_read_phys(struct kd_kernel *k, uint64_t paddr, void *buf, size_t len, kd_err *err);
int kd_kernel_read_u64(struct kd_kernel *k, uint64_t addr, uint64_t *v, kd_err *err);
int kd_kernel_read_u32(struct kd_kernel *k, uint64_t addr, uint32_t *v, kd_err *err);
/* NUL-terminated string of at most len-1 bytes. */
int kd_kernel_read_string(struct kd_kernel *k, uint64_t addr, char *buf, size_t len, kd_err *err);

/* offsetof(struct type, path) with "a.b" paths; -1 with err when absent. */
int64_t kd_kernel_offsetof(struct kd_kernel *k, const char *type, const char *path, kd_err *err);
int64_t kd_kernel_sizeof(struct kd_kernel *k, const char *type, kd_err *err);

/* Reads member `path` of struct `type` at addr, as an unsigned integer of
 * the member's size (1, 2, 4 or 8 bytes). */
int kd_kernel_member(struct kd_kernel *k, uint64_t addr, const char *type, const char *path,
		     uint64_t *v, kd_err *err);

/* Address of a per-CPU variable for cpu. */
int kd_kernel_per_cpu(struct kd_kernel *k, const char *sym, int cpu, uint64_t *addr, kd_err *err);

#endif

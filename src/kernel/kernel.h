/* The crashed kernel as a whole: its dump, its debug vmlinux (symbols
 * moved by KASLR), VMCOREINFO, virtual memory and struct layouts. Every
 * session command works on one of these. */
#ifndef KD_KERNEL_KERNEL_H
#define KD_KERNEL_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "kdive/kdive.h"

struct kd_dump;
struct kd_vmcoreinfo;
struct kd_symbolizer;
struct kd_symfile;
struct kd_vmem;
struct kd_types;
struct kd_modules;

struct kd_kernel {
	char *vmlinux_path, *dump_path;
	struct kd_dump *dump;
	struct kd_vmcoreinfo *vmci;
	struct kd_symbolizer *sz;
	struct kd_symfile *vmlinux;
	struct kd_vmem *vm;
	struct kd_types *types;
	uint64_t kaslr;        /* added to every vmlinux symbol */
	uint64_t phys_base;
	char release[128];
	int nr_cpus;           /* nr_cpu_ids */
	uint64_t *per_cpu_offset;
	struct kd_modules *modules; /* read on first use (kernel/modules.h) */
};

struct kd_kernel *kd_kernel_open(const char *vmlinux, const char *dump, kd_err *err);
void kd_kernel_close(struct kd_kernel *k);

/* Runtime address of a vmlinux symbol (KASLR applied). */
int kd_kernel_symbol(struct kd_kernel *k, const char *name, uint64_t *addr, kd_err *err);
/* "func+off" for a runtime text address in vmlinux; NULL if none. */
const char *kd_kernel_symbol_at(struct kd_kernel *k, uint64_t addr, uint64_t *off);

int kd_kernel_read(struct kd_kernel *k, uint64_t addr, void *buf, size_t len, kd_err *err);
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

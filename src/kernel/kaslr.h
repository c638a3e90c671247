/* Where the kernel is, for a dump without VMCOREINFO: QEMU's
 * dump-guest-memory of a guest started without -device vmcoreinfo. The
 * vmlinux's linux_banner is looked for in physical memory (that also proves
 * the vmlinux is the dump's kernel), and the KASLR offset is the one that
 * makes the CPU's page tables map the banner's virtual address onto it. */
#ifndef KD_KERNEL_KASLR_H
#define KD_KERNEL_KASLR_H

#include <stddef.h>
#include <stdint.h>

#include "kdive/kdive.h"

struct kd_dump;
struct kd_symfile;
struct kd_vmem_layout;

/* The registers kdive needs from QEMU's per-CPU "QEMU" note (struct
 * QEMUCPUState in QEMU's target/i386/arch_dump.c). */
struct kd_qemu_cpu {
	uint64_t cr0, cr3, cr4;
};

/* Parses one note descriptor; -1 with err when it is not version 1 or is
 * too short to hold the control registers. */
int kd_qemu_cpu_parse(const void *desc, size_t len, struct kd_qemu_cpu *out, kd_err *err);

/* Finds the KASLR offset and fills the kernel's memory layout (page-table
 * root, phys_base, paging depth, kernel map) from the vmlinux, the dump's
 * RAM and CPU 0's QEMU note. On failure err says why in one line, naming
 * dump_path; "nowhere in the dump's memory" when the vmlinux is another
 * kernel's. */
int kd_kaslr_find(struct kd_dump *d, struct kd_symfile *vmlinux, const char *dump_path,
		  uint64_t *kaslr, struct kd_vmem_layout *layout, kd_err *err);

#endif

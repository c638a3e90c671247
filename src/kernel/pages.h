/* Physical memory as the kernel manages it: the struct page of a page
 * frame, the names of its flags, and where an address maps (crash's vtop
 * and ptov). */
#ifndef KD_KERNEL_PAGES_H
#define KD_KERNEL_PAGES_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"
#include "memory/vmem.h"

struct kd_page {
	uint64_t addr;       /* the struct page */
	uint64_t pfn;
	uint64_t flags;
	uint64_t mapping;
	uint64_t index;
	int64_t count;       /* _refcount */
};

/* The struct page of pfn: vmemmap_base (or x86-64's fixed VMEMMAP_START
 * without memory KASLR) + pfn * sizeof(struct page). */
int kd_kernel_page(struct kd_kernel *k, uint64_t pfn, struct kd_page *out, kd_err *err);

/* The flags set in a page's flags word, named after enum pageflags
 * without "PG_" ("slab", "reserved"), space-separated as crash prints
 * them; "" when none or the enum is unknown. */
void kd_kernel_page_flags(struct kd_kernel *k, uint64_t flags, char *buf, size_t len);

/* vaddr through the kernel's page tables, level by level. */
int kd_kernel_vtop(struct kd_kernel *k, uint64_t vaddr, struct kd_vmem_walk *w, kd_err *err);

/* The kernel's page-table root, as a virtual address (init_top_pgt). */
uint64_t kd_kernel_pgd(struct kd_kernel *k);

/* The direct-map address of a physical one; 0 when unknown. */
uint64_t kd_kernel_ptov(struct kd_kernel *k, uint64_t paddr);

#endif

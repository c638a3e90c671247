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
	uint32_t page_type;  /* 6.10+: the top byte names an enum pagetype (slab, buddy...) */
};

/* The struct page of pfn: vmemmap_base (or x86-64's fixed VMEMMAP_START
 * without memory KASLR) + pfn * sizeof(struct page). */
int kd_kernel_page(struct kd_kernel *k, uint64_t pfn, struct kd_page *out, kd_err *err);

/* The flags set in a page's flags word, named after enum pageflags
 * without "PG_" ("slab", "reserved"), space-separated as crash prints
 * them, then its page type on 6.10+ (enum pagetype without "PGTY_": slab
 * pages are a type there, not a flag); "" when none is known. */
void kd_kernel_page_flags(struct kd_kernel *k, const struct kd_page *pg, char *buf, size_t len);

/* The vmalloc area holding addr (vmalloc, vmap, module memory, vmapped
 * stacks), from the busy list the kernel keeps: vmap_area_list before
 * 6.9, each vmap node's busy list after. 1 and *out when found, 0 when
 * addr is in none, -1 with err when the lists cannot be read. */
struct kd_vmap_area {
	uint64_t va;         /* struct vmap_area */
	uint64_t vm;         /* its struct vm_struct, or 0 */
	uint64_t start, end;
};
int kd_kernel_vmap_area(struct kd_kernel *k, uint64_t addr, struct kd_vmap_area *out, kd_err *err);

/* vaddr through the kernel's page tables, level by level. */
int kd_kernel_vtop(struct kd_kernel *k, uint64_t vaddr, struct kd_vmem_walk *w, kd_err *err);

/* The kernel's page-table root, as a virtual address (init_top_pgt). */
uint64_t kd_kernel_pgd(struct kd_kernel *k);

/* The direct-map address of a physical one; 0 when unknown. */
uint64_t kd_kernel_ptov(struct kd_kernel *k, uint64_t paddr);

#endif

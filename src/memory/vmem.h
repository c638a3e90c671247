/* Kernel virtual memory of a dump: x86-64 address translation (kernel
 * text map, direct map, 4- and 5-level page tables) over physical reads. */
#ifndef KD_MEMORY_VMEM_H
#define KD_MEMORY_VMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kdive/kdive.h"

struct kd_dump;

struct kd_vmem_layout {
	uint64_t pgd_phys;        /* physical address of init_top_pgt */
	bool five_level;
	uint64_t phys_base;       /* where the kernel image was loaded */
	uint64_t kernel_map;      /* __START_KERNEL_map */
	uint64_t kernel_map_size; /* KERNEL_IMAGE_SIZE */
	uint64_t page_offset;     /* page_offset_base (direct map), 0 if unknown */
	uint64_t direct_end;      /* where the direct map ends (the next region:
				   * vmalloc_base), 0 for page_offset + max_phys */
	uint64_t max_phys;        /* 1 << MAX_PHYSMEM_BITS: the direct map's size at most */
	uint64_t phys_mask;       /* bits of an entry that hold the frame */
};

struct kd_vmem;

struct kd_vmem *kd_vmem_new(struct kd_dump *dump, const struct kd_vmem_layout *layout);
void kd_vmem_free(struct kd_vmem *vm);
/* The direct map is [page_offset, end): with memory KASLR the kernel packs
 * vmalloc and vmemmap right after it, so its end is the next region's
 * start (end 0: page_offset + max_phys). */
void kd_vmem_set_direct_map(struct kd_vmem *vm, uint64_t page_offset, uint64_t end);

/* Forgets the translations it keeps: the page tables of a live kernel
 * change. */
void kd_vmem_flush(struct kd_vmem *vm);

/* Physical address of vaddr; -1 with why (which level is not present). */
int kd_vmem_translate(struct kd_vmem *vm, uint64_t vaddr, uint64_t *paddr, kd_err *err);

/* Reads kernel virtual memory, across pages. */
int kd_vmem_read(struct kd_vmem *vm, uint64_t vaddr, void *buf, size_t len, kd_err *err);

/* A page-table walk, level by level, as crash's vtop shows it. */
struct kd_vmem_walk {
	int n;                    /* levels walked (entries below) */
	struct {
		const char *name;     /* "PGD", "P4D", "PUD", "PMD", "PTE" */
		uint64_t slot;        /* physical address of the entry */
		uint64_t entry;
	} level[5];
	uint64_t paddr;           /* the translation, when mapped */
	uint64_t page_size;       /* 4 KiB, 2 MiB or 1 GiB */
	bool mapped;
};

/* Walks vaddr through the kernel's page tables; 0 (mapped or not: see
 * w->mapped), or -1 with err when a table cannot be read. */
int kd_vmem_walk(struct kd_vmem *vm, uint64_t vaddr, struct kd_vmem_walk *w, kd_err *err);

/* The direct map's start (page_offset_base), 0 when unknown. */
uint64_t kd_vmem_page_offset(const struct kd_vmem *vm);

/* Translates with another top-level table (a user process's mm->pgd). */
int kd_vmem_translate_pgd(struct kd_vmem *vm, uint64_t pgd_phys, uint64_t vaddr,
			  uint64_t *paddr, kd_err *err);

#endif

/* The kernel's memory counters, as /proc/meminfo computes them, in pages:
 * what `kmem -i` shows. Read from the counters the kernel keeps
 * (vm_zone_stat, vm_node_stat, _totalram_pages, swap and hugetlb state,
 * vm_committed_as), so the numbers are the ones the crashed system would
 * have printed, without walking every page. */
#ifndef KD_KERNEL_MEMINFO_H
#define KD_KERNEL_MEMINFO_H

#include <stdint.h>

#include "kernel/kernel.h"

struct kd_meminfo {
	uint64_t total;        /* MemTotal: totalram pages */
	uint64_t free;         /* MemFree */
	uint64_t shared;       /* Shmem (free(1)'s "shared") */
	uint64_t buffers;      /* Buffers: block device page cache */
	uint64_t cached;       /* Cached: file pages less swap cache and buffers */
	uint64_t slab;         /* Slab: reclaimable + unreclaimable */
	uint64_t huge_total;   /* huge pages, in base pages */
	uint64_t huge_free;
	uint64_t swap_total;
	uint64_t swap_free;
	uint64_t commit_limit; /* CommitLimit */
	uint64_t committed;    /* Committed_AS */
};

/* A counter that cannot be read is 0 and named in one warning; -1 only
 * when the basic ones (total, free) cannot be read. */
int kd_kernel_meminfo(struct kd_kernel *k, struct kd_meminfo *m, kd_err *err);

#endif

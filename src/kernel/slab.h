/* The SLUB allocator's caches as crash's `kmem -s` counts them, and which
 * cache, slab and object an address belongs to
 * (`kmem ADDR`). A page is taken for a slab when its head page's
 * slab_cache points at one of the caches on slab_caches: that holds on
 * every kernel, whatever its page flags look like (PG_slab before 6.10,
 * a page type after). */
#ifndef KD_KERNEL_SLAB_H
#define KD_KERNEL_SLAB_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/kernel.h"

struct kd_slab_cache {
	uint64_t addr;           /* struct kmem_cache */
	char name[64];
	uint32_t object_size;    /* what the user asked for */
	uint32_t size;           /* one object with its metadata: the stride */
	uint32_t per_slab;       /* objects in one slab */
	uint32_t order;          /* a slab is 2^order pages */
	uint32_t offset;         /* the free pointer's offset in a free object */
	uint64_t random;         /* CONFIG_SLAB_FREELIST_HARDENED's key, or 0 */
	/* the node counters' objects and slabs (/proc/slabinfo's num_objs and
	 * num_slabs); active: total less the free objects on the partial
	 * lists and in the CPUs' slabs, freelists walked (crash's ALLOCATED;
	 * /proc/slabinfo counts the CPUs' free objects as active) */
	uint64_t total, active, slabs;
};

/* Every cache on slab_caches, newest first (crash's order). The list is
 * read once and kept; counts are read on each call. */
typedef int (*kd_slab_cb)(const struct kd_slab_cache *c, void *arg);
int kd_slab_caches(struct kd_kernel *k, kd_slab_cb cb, void *arg, kd_err *err);

/* What addr is in the slab allocator's terms. */
struct kd_slab_obj {
	struct kd_slab_cache cache;
	uint64_t slab;           /* the head struct page / struct slab */
	uint64_t memory;         /* the slab's first byte (direct map) */
	int node;
	uint32_t inuse;          /* the slab's own count */
	uint64_t object;         /* the object addr falls in */
	bool free;               /* on the slab's or a CPU's freelist */
};

/* 1 and *o when addr is inside a slab, 0 when not, -1 with err when the
 * memory that would tell cannot be read. */
int kd_slab_find(struct kd_kernel *k, uint64_t addr, struct kd_slab_obj *o, kd_err *err);

#endif

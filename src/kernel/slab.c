#include "kernel/slab.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "kernel/lists.h"
#include "kernel/pages.h"

#define MAX_CACHES 65536
#define MAX_FREE 65536       /* objects on one freelist: more is a loop */

/* struct slab (5.17+) overlays struct page, which held these before. */
static const char *slab_type(struct kd_kernel *k)
{
	return kd_kernel_sizeof(k, "slab", NULL) > 0 ? "slab" : "page";
}

struct collect {
	uint64_t *v;
	size_t n, cap;
	int64_t list_off;
	kd_err *err;
};

static int collect(uint64_t node, void *arg)
{
	struct collect *c = arg;

	if (c->n == MAX_CACHES)
		return kd_fail(c->err, KD_ERR_CORRUPT, "more than %d slab caches", MAX_CACHES);
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		uint64_t *v = realloc(c->v, cap * sizeof(*v));
		if (!v)
			return kd_oom(c->err);
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = node - (uint64_t)c->list_off;
	return 0;
}

/* The kmem_cache addresses, in list order. */
static int cache_list(struct kd_kernel *k, uint64_t **out, size_t *n, kd_err *err)
{
	struct collect c = { .err = err };
	uint64_t head;

	if (kd_kernel_symbol(k, "slab_caches", &head, err) != 0 ||
	    (c.list_off = kd_kernel_offsetof(k, "kmem_cache", "list", err)) < 0)
		return kd_wrap(err, "the slab caches (SLUB)");
	if (kd_kernel_list_walk(k, head, 0, true, collect, &c, err) != 0) {
		free(c.v);
		return kd_wrap(err, "slab_caches");
	}
	*out = c.v;
	*n = c.n;
	return 0;
}

static int read_cache(struct kd_kernel *k, uint64_t addr, struct kd_slab_cache *c, kd_err *err)
{
	uint64_t name, object_size, size, offset, oo;

	memset(c, 0, sizeof(*c));
	c->addr = addr;
	if (kd_kernel_member(k, addr, "kmem_cache", "name", &name, err) != 0 ||
	    kd_kernel_member(k, addr, "kmem_cache", "object_size", &object_size, err) != 0 ||
	    kd_kernel_member(k, addr, "kmem_cache", "size", &size, err) != 0 ||
	    kd_kernel_member(k, addr, "kmem_cache", "offset", &offset, err) != 0 ||
	    kd_kernel_member(k, addr, "kmem_cache", "oo.x", &oo, err) != 0)
		return kd_wrap(err, "kmem_cache at 0x%llx", (unsigned long long)addr);
	c->object_size = (uint32_t)object_size;
	c->size = (uint32_t)size;
	c->offset = (uint32_t)offset;
	c->order = (uint32_t)(oo >> 16);   /* OO_SHIFT */
	c->per_slab = (uint32_t)(oo & 0xffff);
	/* only with CONFIG_SLAB_FREELIST_HARDENED */
	kd_kernel_member(k, addr, "kmem_cache", "random", &c->random, NULL);
	if (kd_kernel_read_string(k, name, c->name, sizeof(c->name), NULL) != 0)
		snprintf(c->name, sizeof(c->name), "(unreadable)");
	if (!c->size || c->order > 10 || c->size < c->object_size || c->offset >= c->size + 8)
		return kd_fail(err, KD_ERR_CORRUPT, "kmem_cache at 0x%llx (%s): size %u, order %u: corrupt",
			       (unsigned long long)addr, c->name, c->size, c->order);
	return 0;
}

/* freelist_ptr(): with CONFIG_SLAB_FREELIST_HARDENED a free pointer is
 * stored xor'ed with the cache's key and its own byte-swapped address.
 * Walks the freelist from p: how many objects it holds, and whether
 * object is one of them. */
static uint64_t freelist(struct kd_kernel *k, const struct kd_slab_cache *c, uint64_t p,
			 uint64_t object, bool *found)
{
	uint64_t n = 0;

	for (; p && n < MAX_FREE; n++) {
		uint64_t at = p + c->offset, stored;
		if (p == object && found)
			*found = true;
		if (kd_kernel_read_u64(k, at, &stored, NULL) != 0)
			return n + 1;
		p = c->random ? stored ^ c->random ^ __builtin_bswap64(at) : stored;
	}
	return n;
}

/* The free objects the CPUs hold: in the slab each allocates from (its
 * lockless freelist and the slab's own) and in its partial slabs. */
/* cpu's kmem_cache_cpu for c: the slab it allocates from and its lockless
 * freelist. 0, or -1 when c has none or it cannot be read. */
static int cpu_slab(struct kd_kernel *k, const struct kd_slab_cache *c, const char *st, int cpu,
		    uint64_t *pc, uint64_t *slab, uint64_t *list)
{
	uint64_t base;

	if (kd_kernel_member(k, c->addr, "kmem_cache", "cpu_slab", &base, NULL) != 0)
		return -1;
	*pc = base + k->per_cpu_offset[cpu];
	if (kd_kernel_member(k, *pc, "kmem_cache_cpu", strcmp(st, "slab") == 0 ? "slab" : "page", slab,
			     NULL) != 0 ||
	    kd_kernel_member(k, *pc, "kmem_cache_cpu", "freelist", list, NULL) != 0)
		return -1;
	return 0;
}

static uint64_t cpu_free(struct kd_kernel *k, const struct kd_slab_cache *c, const char *st)
{
	uint64_t pc, slab, list, total = 0;

	for (int cpu = 0; cpu < k->nr_cpus; cpu++) {
		if (cpu_slab(k, c, st, cpu, &pc, &slab, &list) != 0)
			continue;
		if (slab) {
			total += freelist(k, c, list, 0, NULL);
			if (kd_kernel_member(k, slab, st, "freelist", &list, NULL) == 0)
				total += freelist(k, c, list, 0, NULL);
		}
		/* CONFIG_SLUB_CPU_PARTIAL: slabs chained through ->next */
		if (kd_kernel_member(k, pc, "kmem_cache_cpu", "partial", &slab, NULL) != 0)
			continue;
		for (int n = 0; slab && n < 1024; n++) {
			if (kd_kernel_member(k, slab, st, "freelist", &list, NULL) == 0)
				total += freelist(k, c, list, 0, NULL);
			if (kd_kernel_member(k, slab, st, "next", &slab, NULL) != 0)
				break;
		}
	}
	return total;
}

struct partial {
	struct kd_kernel *k;
	const char *slab;
	int64_t list_off;
	uint64_t free;
};

static int count_free(uint64_t node, void *arg)
{
	struct partial *p = arg;
	uint64_t s = node - (uint64_t)p->list_off, objects, inuse;

	if (kd_kernel_member(p->k, s, p->slab, "objects", &objects, NULL) == 0 &&
	    kd_kernel_member(p->k, s, p->slab, "inuse", &inuse, NULL) == 0 && objects >= inuse)
		p->free += objects - inuse;
	return 0;
}

/* get_slabinfo(): per node, nr_slabs and total_objects, and the free
 * objects of the partial slabs. */
static int count(struct kd_kernel *k, struct kd_slab_cache *c, kd_err *err)
{
	struct partial p = { .k = k, .slab = slab_type(k) };
	int64_t node_off, partial_off;
	uint64_t nodes_addr, v;
	uint32_t nr_nodes = 1;

	if ((node_off = kd_kernel_offsetof(k, "kmem_cache", "node", err)) < 0 ||
	    (partial_off = kd_kernel_offsetof(k, "kmem_cache_node", "partial", err)) < 0 ||
	    (p.list_off = kd_kernel_offsetof(k, p.slab, "slab_list", err)) < 0)
		return -1;
	if (kd_kernel_symbol(k, "nr_node_ids", &v, NULL) == 0)
		kd_kernel_read_u32(k, v, &nr_nodes, NULL);
	if (nr_nodes == 0 || nr_nodes > 1024)
		nr_nodes = 1;
	for (uint32_t i = 0; i < nr_nodes; i++) {
		uint64_t n, slabs, objs;
		if (kd_kernel_read_u64(k, c->addr + (uint64_t)node_off + 8 * i, &n, err) != 0)
			return kd_wrap(err, "%s's nodes", c->name);
		if (!n)
			continue;
		nodes_addr = n;
		if (kd_kernel_member(k, nodes_addr, "kmem_cache_node", "nr_slabs", &slabs, err) != 0 ||
		    kd_kernel_member(k, nodes_addr, "kmem_cache_node", "total_objects", &objs, err) != 0)
			return kd_wrap(err, "%s's node %u (CONFIG_SLUB_DEBUG counts)", c->name, i);
		c->slabs += slabs;
		c->total += objs;
		if (kd_kernel_list_walk(k, nodes_addr + (uint64_t)partial_off, 0, true, count_free, &p,
					err) != 0)
			return kd_wrap(err, "%s's partial slabs", c->name);
	}
	p.free += cpu_free(k, c, p.slab);
	c->active = c->total > p.free ? c->total - p.free : 0;
	return 0;
}

int kd_slab_caches(struct kd_kernel *k, kd_slab_cb cb, void *arg, kd_err *err)
{
	uint64_t *caches;
	size_t n;
	int rc = 0;

	if (cache_list(k, &caches, &n, err) != 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct kd_slab_cache c;
		if (read_cache(k, caches[i], &c, err) != 0 || count(k, &c, err) != 0)
			rc = -1;
		else
			rc = cb(&c, arg);
	}
	free(caches);
	return rc;
}

/* Whether object is free: on the slab's freelist, or, for a slab a CPU
 * is allocating from, on that CPU's lockless freelist. */
static bool is_free(struct kd_kernel *k, const struct kd_slab_cache *c, uint64_t slab,
		    const char *slab_type_name, uint64_t object)
{
	uint64_t list, pc, cur;
	bool found = false;

	if (kd_kernel_member(k, slab, slab_type_name, "freelist", &list, NULL) == 0)
		freelist(k, c, list, object, &found);
	for (int cpu = 0; cpu < k->nr_cpus && !found; cpu++)
		if (cpu_slab(k, c, slab_type_name, cpu, &pc, &cur, &list) == 0 && cur == slab)
			freelist(k, c, list, object, &found);
	return found;
}

int kd_slab_find(struct kd_kernel *k, uint64_t addr, struct kd_slab_obj *o, kd_err *err)
{
	const char *st = slab_type(k);
	struct kd_vmem_walk w;
	struct kd_page pg;
	uint64_t head, ch, cache, *caches, inuse;
	int64_t page_size = kd_kernel_sizeof(k, "page", err);
	size_t n;
	bool known = false;

	memset(o, 0, sizeof(*o));
	if (page_size <= 0)
		return -1;
	if (kd_kernel_vtop(k, addr, &w, NULL) != 0 || !w.mapped ||
	    kd_kernel_page(k, w.paddr >> 12, &pg, NULL) != 0)
		return 0;
	/* a tail page names its head in compound_head, with bit 0 set */
	head = pg.addr;
	if (kd_kernel_member(k, pg.addr, "page", "compound_head", &ch, NULL) == 0 && (ch & 1))
		head = ch - 1;
	if (head > pg.addr || (pg.addr - head) / (uint64_t)page_size > 1024)
		return 0;
	if (kd_kernel_member(k, head, st, "slab_cache", &cache, NULL) != 0 || !cache)
		return 0;
	if (cache_list(k, &caches, &n, err) != 0)
		return -1;
	for (size_t i = 0; i < n && !known; i++)
		known = caches[i] == cache;
	free(caches);
	if (!known)
		return 0;
	if (read_cache(k, cache, &o->cache, err) != 0 || count(k, &o->cache, err) != 0)
		return -1;
	o->slab = head;
	o->memory = kd_kernel_ptov(k, (pg.pfn - (pg.addr - head) / (uint64_t)page_size) << 12);
	if (kd_kernel_member(k, head, st, "inuse", &inuse, NULL) == 0)
		o->inuse = (uint32_t)inuse;
	if (addr >= o->memory && (addr - o->memory) / o->cache.size < o->cache.per_slab) {
		o->object = o->memory + (addr - o->memory) / o->cache.size * o->cache.size;
		o->free = is_free(k, &o->cache, head, st, o->object);
	}
	return 1;
}

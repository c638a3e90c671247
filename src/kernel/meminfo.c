#include "kernel/meminfo.h"

#include <string.h>

#include "base/err.h"
#include "kernel/lists.h"
#include "kernel/system.h"
#include "kernel/types.h"

/* Which counters could not be read, for one warning line. */
struct missing {
	char names[256];
	size_t len;
};

static void missed(struct missing *ms, const char *name)
{
	if (ms->len < sizeof(ms->names))
		ms->len += (size_t)snprintf(ms->names + ms->len, sizeof(ms->names) - ms->len, "%s%s",
					    ms->len ? ", " : "", name);
}

/* A counter (a long that raced below zero counts as 0, as the kernel shows it). */
static int read_long(struct kd_kernel *k, const char *sym, uint64_t *v, kd_err *err)
{
	uint64_t addr;

	if (kd_kernel_symbol(k, sym, &addr, err) != 0 || kd_kernel_read_u64(k, addr, v, err) != 0)
		return -1;
	if ((int64_t)*v < 0)
		*v = 0;
	return 0;
}

/* vm_zone_stat[ITEM] or vm_node_stat[ITEM]: atomic_long_t arrays indexed
 * by the enum zone_stat_item / node_stat_item constant ITEM. */
static int vm_stat(struct kd_kernel *k, const char *array, const char *item, uint64_t *v,
		   kd_err *err)
{
	uint64_t addr;
	int64_t idx;
	kd_type t;

	if (kd_types_enum_const(k->types, item, &t, &idx, err) != 0 ||
	    kd_kernel_symbol(k, array, &addr, err) != 0 || idx < 0 || idx > 256 ||
	    kd_kernel_read_u64(k, addr + 8 * (uint64_t)idx, v, err) != 0)
		return -1;
	if ((int64_t)*v < 0)
		*v = 0;
	return 0;
}

/* nr_blockdev_pages(): the page cache of every block device inode. */
struct bdev_sum {
	struct kd_kernel *k;
	int64_t sb_list;
	uint64_t pages;
};

static int add_bdev(uint64_t node, void *arg)
{
	struct bdev_sum *s = arg;
	uint64_t inode = node - (uint64_t)s->sb_list, mapping, n;

	if (kd_kernel_member(s->k, inode, "inode", "i_mapping", &mapping, NULL) == 0 && mapping &&
	    kd_kernel_member(s->k, mapping, "address_space", "nrpages", &n, NULL) == 0)
		s->pages += n;
	return 0;
}

static int buffers(struct kd_kernel *k, uint64_t *pages, kd_err *err)
{
	struct bdev_sum s = { .k = k };
	int64_t off;
	uint64_t sb;

	if (kd_kernel_symbol(k, "blockdev_superblock", &sb, err) != 0 ||
	    kd_kernel_read_u64(k, sb, &sb, err) != 0 ||
	    (s.sb_list = kd_kernel_offsetof(k, "inode", "i_sb_list", err)) < 0 ||
	    (off = kd_kernel_offsetof(k, "super_block", "s_inodes", err)) < 0 ||
	    kd_kernel_list_walk(k, sb + (uint64_t)off, 0, true, add_bdev, &s, err) != 0)
		return -1;
	*pages = s.pages;
	return 0;
}

/* hstates[0 .. hugetlb_max_hstate): nr_huge_pages and free_huge_pages,
 * each 2^order base pages. */
static int huge_pages(struct kd_kernel *k, uint64_t *total, uint64_t *avail, kd_err *err)
{
	uint64_t hstates, n, order, nr, fr;
	int64_t size;

	*total = *avail = 0;
	if (kd_kernel_symbol(k, "hstates", &hstates, NULL) != 0)
		return 0; /* a kernel without hugetlbfs */
	if (kd_kernel_symbol(k, "hugetlb_max_hstate", &n, err) != 0 ||
	    kd_kernel_read_u32(k, n, (uint32_t *)&n, err) != 0 ||
	    (size = kd_kernel_sizeof(k, "hstate", err)) < 0)
		return -1;
	n &= 0xffffffff;
	for (uint64_t i = 0; i < n && i < 64; i++) {
		uint64_t h = hstates + i * (uint64_t)size;
		if (kd_kernel_member(k, h, "hstate", "order", &order, err) != 0 ||
		    kd_kernel_member(k, h, "hstate", "nr_huge_pages", &nr, err) != 0 ||
		    kd_kernel_member(k, h, "hstate", "free_huge_pages", &fr, err) != 0)
			return -1;
		if (order > 30)
			return kd_fail(err, KD_ERR_CORRUPT, "hstates[%llu].order is %llu",
				       (unsigned long long)i, (unsigned long long)order);
		*total += nr << order;
		*avail += fr << order;
	}
	return 0;
}

/* vm_commit_limit(): overcommit_kbytes, or the ratio of RAM without huge
 * pages, plus swap. */
static int commit_limit(struct kd_kernel *k, const struct kd_meminfo *m, uint64_t *limit,
			kd_err *err)
{
	uint64_t kbytes = 0, addr;
	uint32_t ratio;

	if (kd_kernel_symbol(k, "sysctl_overcommit_kbytes", &addr, NULL) == 0 &&
	    kd_kernel_read_u64(k, addr, &kbytes, err) != 0)
		return -1;
	if (kbytes) {
		*limit = kbytes / (kd_kernel_page_size(k) / 1024) + m->swap_total;
		return 0;
	}
	if (kd_kernel_symbol(k, "sysctl_overcommit_ratio", &addr, err) != 0 ||
	    kd_kernel_read_u32(k, addr, &ratio, err) != 0)
		return -1;
	*limit = (m->total - m->huge_total) * ratio / 100 + m->swap_total;
	return 0;
}

/* percpu_counter_sum(): count plus each CPU's s32 delta. */
static int percpu_counter_sum(struct kd_kernel *k, uint64_t counter, uint64_t *sum)
{
	uint64_t count, counters;
	uint32_t delta;

	if (kd_kernel_member(k, counter, "percpu_counter", "count", &count, NULL) != 0 ||
	    kd_kernel_member(k, counter, "percpu_counter", "counters", &counters, NULL) != 0)
		return -1;
	for (int cpu = 0; cpu < k->nr_cpus; cpu++) {
		if (kd_kernel_read_u32(k, counters + k->per_cpu_offset[cpu], &delta, NULL) != 0)
			return -1;
		count += (uint64_t)(int64_t)(int32_t)delta;
	}
	*sum = count;
	return 0;
}

int kd_kernel_meminfo(struct kd_kernel *k, struct kd_meminfo *m, kd_err *err)
{
	uint64_t file = 0, swapcache = 0, reclaimable = 0, unreclaimable = 0, addr;
	struct missing ms = { { 0 }, 0 };

	memset(m, 0, sizeof(*m));
	/* totalram_pages() since 5.0; a plain global before */
	if ((read_long(k, "_totalram_pages", &m->total, NULL) != 0 &&
	     read_long(k, "totalram_pages", &m->total, err) != 0) ||
	    vm_stat(k, "vm_zone_stat", "NR_FREE_PAGES", &m->free, err) != 0)
		return kd_wrap(err, "memory counters");
	if (vm_stat(k, "vm_node_stat", "NR_SHMEM", &m->shared, NULL) != 0)
		missed(&ms, "shared");
	if (buffers(k, &m->buffers, NULL) != 0)
		missed(&ms, "buffers");
	if (vm_stat(k, "vm_node_stat", "NR_FILE_PAGES", &file, NULL) != 0)
		missed(&ms, "cached");
	/* the swap cache is counted since 5.14; before, it is 0 without swap */
	vm_stat(k, "vm_node_stat", "NR_SWAPCACHE", &swapcache, NULL);
	if (file > swapcache + m->buffers)
		m->cached = file - swapcache - m->buffers;
	/* slab pages are counted in bytes' pages (_B) since 5.9 */
	if ((vm_stat(k, "vm_node_stat", "NR_SLAB_RECLAIMABLE_B", &reclaimable, NULL) != 0 ||
	     vm_stat(k, "vm_node_stat", "NR_SLAB_UNRECLAIMABLE_B", &unreclaimable, NULL) != 0) &&
	    (vm_stat(k, "vm_zone_stat", "NR_SLAB_RECLAIMABLE", &reclaimable, NULL) != 0 ||
	     vm_stat(k, "vm_zone_stat", "NR_SLAB_UNRECLAIMABLE", &unreclaimable, NULL) != 0))
		missed(&ms, "slab");
	m->slab = reclaimable + unreclaimable;
	if (huge_pages(k, &m->huge_total, &m->huge_free, NULL) != 0)
		missed(&ms, "huge pages");
	if (read_long(k, "total_swap_pages", &m->swap_total, NULL) != 0 ||
	    read_long(k, "nr_swap_pages", &m->swap_free, NULL) != 0)
		missed(&ms, "swap");
	if (commit_limit(k, m, &m->commit_limit, NULL) != 0)
		missed(&ms, "commit limit");
	/* vm_committed_as is a percpu_counter: meminfo sums its CPUs' deltas */
	if (kd_kernel_symbol(k, "vm_committed_as", &addr, NULL) != 0 ||
	    percpu_counter_sum(k, addr, &m->committed) != 0)
		missed(&ms, "committed");
	if ((int64_t)m->committed < 0)
		m->committed = 0;
	if (ms.len)
		kd_kernel_warn(k, "memory counters not in the dump, shown as 0: %s", ms.names);
	return 0;
}

/* Per-task memory figures, as crash's ps computes them (its
 * get_task_mem_usage()): VSZ from mm->total_vm, RSS from the mm's
 * counters plus, before 6.2, each thread's counts not yet folded into
 * its mm. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "kernel/system.h"
#include "kernel/tasks.h"
#include "memory/vmem.h"

#define PF_EXITING 0x4

/* MM_FILEPAGES, MM_ANONPAGES and MM_SHMEMPAGES; MM_SWAPENTS (2) is not
 * resident. */
static const int resident_counters[] = { 0, 1, 3 };
#define N_RESIDENT (sizeof(resident_counters) / sizeof(resident_counters[0]))
#define NR_MM_COUNTERS 4

struct group_rss {
	int tgid;
	int64_t pages;
};

struct kd_task_mem_cache {
	int failed;            /* computing the figures below failed: why */
	kd_err why;
	uint64_t total_pages;  /* crash's %MEM base */
	uint64_t page_kb;
	struct group_rss *groups; /* by tgid: SPLIT_RSS_COUNTING's unsynced pages */
	size_t n_groups;
};

void kd_task_mem_cache_free(struct kd_task_mem_cache *c)
{
	if (!c)
		return;
	free(c->groups);
	free(c);
}

/* With SPLIT_RSS_COUNTING (before 6.2) each thread holds counts not yet
 * folded into its mm; crash adds them, and so do we. */
static int thread_rss(struct kd_kernel *k, int64_t off, const struct kd_task *t, int64_t *sum,
		      kd_err *err)
{
	int32_t count[NR_MM_COUNTERS];

	*sum = 0;
	if (kd_kernel_read(k, t->addr + (uint64_t)off, count, sizeof(count), err) != 0)
		return kd_wrap(err, "pid %d's rss_stat", t->pid);
	for (size_t i = 0; i < N_RESIDENT; i++)
		if (count[resident_counters[i]] > 0)
			*sum += count[resident_counters[i]];
	return 0;
}

static int by_tgid(const void *a, const void *b)
{
	const struct group_rss *x = a, *y = b;

	return (x->tgid > y->tgid) - (x->tgid < y->tgid);
}

/* Each thread group's unsynced pages, summed over its threads. */
static int read_groups(struct kd_kernel *k, struct kd_task_mem_cache *c, kd_err *err)
{
	int64_t off = kd_kernel_offsetof(k, "task_struct", "rss_stat.count", NULL);
	const struct kd_task *tasks;
	size_t n, j = 0;

	if (off < 0)
		return 0;
	/* a broken task list: the threads it could reach */
	if (kd_tasks(k, &tasks, &n, err) != 0 && n == 0)
		return -1;
	if (!(c->groups = calloc(n + 1, sizeof(*c->groups))))
		return kd_oom(err);
	for (size_t i = 0; i < n; i++) {
		c->groups[i].tgid = tasks[i].tgid;
		if (thread_rss(k, off, &tasks[i], &c->groups[i].pages, err) != 0)
			return -1;
	}
	qsort(c->groups, n, sizeof(*c->groups), by_tgid);
	for (size_t i = 0; i < n; i++) {
		if (j && c->groups[j - 1].tgid == c->groups[i].tgid)
			c->groups[j - 1].pages += c->groups[i].pages;
		else
			c->groups[j++] = c->groups[i];
	}
	c->n_groups = j;
	return 0;
}

static struct kd_task_mem_cache *cache(struct kd_kernel *k, kd_err *err)
{
	struct kd_task_mem_cache *c = k->task_mem;

	if (!c) {
		if (!(c = calloc(1, sizeof(*c)))) {
			kd_oom(err);
			return NULL;
		}
		c->page_kb = kd_kernel_page_size(k) / 1024;
		if (kd_kernel_lowmem_pages(k, &c->total_pages, &c->why) != 0 ||
		    read_groups(k, c, &c->why) != 0)
			c->failed = 1;
		if (c->failed && c->why.code == KD_ERR_NOMEM) {
			*err = c->why;
			kd_task_mem_cache_free(c);
			return NULL;
		}
		k->task_mem = c;
	}
	if (c->failed) {
		if (err)
			*err = c->why;
		return NULL;
	}
	return c;
}

static int64_t group_pages(const struct kd_task_mem_cache *c, int tgid)
{
	size_t lo = 0, hi = c->n_groups;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->groups[mid].tgid < tgid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n_groups && c->groups[lo].tgid == tgid ? c->groups[lo].pages : 0;
}

/* An mm's resident pages: atomic counters in mm->rss_stat.count[] before
 * 6.2, per-CPU counters (count plus each CPU's delta) after. */
static int mm_rss(struct kd_kernel *k, uint64_t mm, int64_t *rss, kd_err *err)
{
	int64_t arr = kd_kernel_offsetof(k, "mm_struct", "rss_stat.count", NULL);
	int64_t base, pcsize, count_off, counters_off;

	*rss = 0;
	if (arr >= 0) {
		int64_t count[NR_MM_COUNTERS];
		if (kd_kernel_read(k, mm + (uint64_t)arr, count, sizeof(count), err) != 0)
			return -1;
		for (size_t i = 0; i < N_RESIDENT; i++)
			if (count[resident_counters[i]] > 0)
				*rss += count[resident_counters[i]];
		return 0;
	}
	if ((base = kd_kernel_offsetof(k, "mm_struct", "rss_stat", err)) < 0 ||
	    (pcsize = kd_kernel_sizeof(k, "percpu_counter", err)) < 0 ||
	    (count_off = kd_kernel_offsetof(k, "percpu_counter", "count", err)) < 0 ||
	    (counters_off = kd_kernel_offsetof(k, "percpu_counter", "counters", err)) < 0)
		return -1;
	for (size_t i = 0; i < N_RESIDENT; i++) {
		uint64_t fbc = mm + (uint64_t)base + (uint64_t)(resident_counters[i] * pcsize), counters;
		int64_t sum;

		if (kd_kernel_read(k, fbc + (uint64_t)count_off, &sum, sizeof(sum), err) != 0 ||
		    kd_kernel_read_u64(k, fbc + (uint64_t)counters_off, &counters, err) != 0)
			return -1;
		for (int cpu = 0; counters && cpu < k->nr_cpus; cpu++) {
			int32_t d;
			if (kd_kernel_read(k, counters + k->per_cpu_offset[cpu], &d, sizeof(d), err) != 0)
				return -1;
			sum += d;
		}
		if (sum > 0)
			*rss += sum;
	}
	return 0;
}

int kd_task_mem(struct kd_kernel *k, const struct kd_task *t, struct kd_task_mem *m, kd_err *err)
{
	struct kd_task_mem_cache *c;
	uint64_t total_vm, users;
	int64_t rss;

	memset(m, 0, sizeof(*m));
	if (!(c = cache(k, err)))
		return -1;
	if (!t->mm || kd_task_is_zombie(t))
		return 0;
	if (t->flags & PF_EXITING) {
		if (kd_kernel_member(k, t->mm, "mm_struct", "mm_count.counter", &users, err) != 0)
			goto fail;
		if ((int32_t)users <= 0)
			return 0;
	}
	if (kd_kernel_member(k, t->mm, "mm_struct", "total_vm", &total_vm, err) != 0 ||
	    mm_rss(k, t->mm, &rss, err) != 0)
		goto fail;
	rss += group_pages(c, t->tgid);
	m->vsz_kb = total_vm * c->page_kb;
	m->rss_kb = (uint64_t)rss * c->page_kb;
	if (!(kd_task_is_kthread(t) && !rss))
		m->pct = (double)rss * 100.0 / (double)c->total_pages;
	return 0;
fail:
	return kd_wrap(err, "pid %d's mm_struct at 0x%llx", t->pid, (unsigned long long)t->mm);
}

int kd_task_read_user(struct kd_kernel *k, const struct kd_task *t, uint64_t uaddr, void *buf,
		      size_t len, kd_err *err)
{
	uint64_t pgd, offset = kd_vmem_page_offset(k->vm);
	unsigned char *p = buf;

	if (!t->mm)
		return kd_fail(err, KD_ERR_LOOKUP, "pid %d (%s) is a kernel thread: it has no user memory",
			       t->pid, t->comm);
	if (uaddr >= 1ULL << 47 || len > (1ULL << 47) - uaddr)
		return kd_fail(err, KD_ERR_INVALID, "0x%llx is not a user address",
			       (unsigned long long)uaddr);
	if (kd_kernel_member(k, t->mm, "mm_struct", "pgd", &pgd, err) != 0)
		return kd_wrap(err, "pid %d's page tables", t->pid);
	if (!offset || pgd < offset)
		return kd_fail(err, KD_ERR_CORRUPT, "pid %d's mm->pgd 0x%llx is not in the direct map",
			       t->pid, (unsigned long long)pgd);
	while (len) {
		size_t n = 4096 - (size_t)(uaddr & 4095);
		uint64_t paddr;

		if (n > len)
			n = len;
		if (kd_vmem_translate_pgd(k->vm, pgd - offset, uaddr, &paddr, err) != 0 ||
		    kd_kernel_read_phys(k, paddr, p, n, err) != 0)
			return kd_wrap(err, "pid %d's user memory at 0x%llx", t->pid,
				       (unsigned long long)uaddr);
		p += n;
		uaddr += n;
		len -= n;
	}
	return 0;
}

/* kmem: the kernel's memory, crash's way.
 *   -i         the summary table (TOTAL MEM, FREE, USED, SHARED, BUFFERS,
 *              CACHED, SLAB, huge pages, swap, commit) from the counters
 *              /proc/meminfo reads
 *   -s [NAME]  the slab caches, counted as crash counts them
 *   ADDR       what an address is: a slab object (its cache, its slab, free
 *              or in use), a kernel symbol, a vmalloc area, and its page */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "commands/command.h"
#include "kernel/meminfo.h"
#include "kernel/pages.h"
#include "kernel/slab.h"
#include "kernel/symbols.h"
#include "kernel/system.h"

/* crash's size column: "717 MB", "666.7 MB", "12.4 GB", "0". */
static void size_text(uint64_t pages, uint32_t page_size, char *buf, size_t len)
{
	double bytes = (double)pages * page_size;
	char *dot;

	if (!pages) {
		snprintf(buf, len, "0");
		return;
	}
	if (bytes >= 1024.0 * 1024 * 1024)
		snprintf(buf, len, "%.1f GB", bytes / (1024.0 * 1024 * 1024));
	else if (bytes >= 1024.0 * 1024)
		snprintf(buf, len, "%.1f MB", bytes / (1024.0 * 1024));
	else
		snprintf(buf, len, "%.1f KB", bytes / 1024.0);
	if ((dot = strstr(buf, ".0 ")))
		memmove(dot, dot + 2, strlen(dot + 2) + 1);
}

/* One row; of < 0: the base of a group ("----"), else the percentage of it. */
static void row(FILE *out, const char *name, uint64_t pages, uint32_t page_size, uint64_t of,
		const char *base)
{
	char size[32];

	size_text(pages, page_size, size, sizeof(size));
	fprintf(out, "%13s  %7llu  %11s  ", name, (unsigned long long)pages, size);
	if (!base)
		fprintf(out, "       ----\n");
	else
		fprintf(out, "%3llu%% of %s\n", of ? (unsigned long long)(pages * 100 / of) : 0ULL, base);
}

static int summary(struct kd_cmd *c)
{
	uint32_t ps = kd_kernel_page_size(c->k);
	struct kd_meminfo m;
	FILE *o = c->out;

	if (kd_kernel_meminfo(c->k, &m, c->err) != 0)
		return -1;
	fprintf(o, "                 PAGES        TOTAL      PERCENTAGE\n");
	row(o, "TOTAL MEM", m.total, ps, 0, NULL);
	row(o, "FREE", m.free, ps, m.total, "TOTAL MEM");
	row(o, "USED", m.total > m.free ? m.total - m.free : 0, ps, m.total, "TOTAL MEM");
	row(o, "SHARED", m.shared, ps, m.total, "TOTAL MEM");
	row(o, "BUFFERS", m.buffers, ps, m.total, "TOTAL MEM");
	row(o, "CACHED", m.cached, ps, m.total, "TOTAL MEM");
	row(o, "SLAB", m.slab, ps, m.total, "TOTAL MEM");
	fputc('\n', o);
	row(o, "TOTAL HUGE", m.huge_total, ps, 0, NULL);
	row(o, "HUGE FREE", m.huge_free, ps, m.huge_total, "TOTAL HUGE");
	fputc('\n', o);
	row(o, "TOTAL SWAP", m.swap_total, ps, 0, NULL);
	row(o, "SWAP USED", m.swap_total > m.swap_free ? m.swap_total - m.swap_free : 0, ps,
	    m.swap_total, "TOTAL SWAP");
	row(o, "SWAP FREE", m.swap_free, ps, m.swap_total, "TOTAL SWAP");
	fputc('\n', o);
	row(o, " COMMIT LIMIT", m.commit_limit, ps, 0, NULL);
	row(o, "COMMITTED", m.committed, ps, m.commit_limit, "TOTAL LIMIT");
	return 0;
}

#define CACHE_HEADER "CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME\n"

static void cache_line(FILE *out, const struct kd_slab_cache *s, uint32_t page_size)
{
	fprintf(out, "%016llx %8u %10llu %9llu %6llu %5uk  %s\n", (unsigned long long)s->addr,
		s->object_size, (unsigned long long)s->active, (unsigned long long)s->total,
		(unsigned long long)s->slabs, (page_size << s->order) / 1024, s->name);
}

struct caches {
	struct kd_cmd *c;
	int shown;
};

static int one_cache(const struct kd_slab_cache *s, void *arg)
{
	struct caches *cs = arg;
	struct kd_cmd *c = cs->c;
	bool want = c->argc == 0;

	for (int i = 0; i < c->argc && !want; i++)
		want = strcmp(c->argv[i], s->name) == 0 || strtoull(c->argv[i], NULL, 16) == s->addr;
	if (!want)
		return 0;
	if (!cs->shown++)
		fputs(CACHE_HEADER, c->out);
	cache_line(c->out, s, kd_kernel_page_size(c->k));
	return 0;
}

static int slab_caches(struct kd_cmd *c)
{
	struct caches cs = { c, 0 };

	if (kd_slab_caches(c->k, one_cache, &cs, c->err) != 0)
		return -1;
	if (c->argc && !cs.shown)
		return kd_fail(c->err, KD_ERR_LOOKUP, "no slab cache %s", c->argv[0]);
	return 0;
}

/* kmem ADDR: the slab object it is in, else the symbol; then its page. */
static int what_is(struct kd_cmd *c, const char *arg)
{
	struct kd_slab_obj o;
	struct kd_vmap_area va;
	struct kd_vmem_walk w;
	struct kd_sym s = { 0 };
	uint64_t addr;
	bool named;
	int rc;

	if (kd_cmd_address(c, arg, &addr, &named) != 0)
		return -1;
	if ((rc = kd_slab_find(c->k, addr, &o, c->err)) < 0)
		return -1;
	if (rc == 1) {
		fputs(CACHE_HEADER, c->out);
		cache_line(c->out, &o.cache, kd_kernel_page_size(c->k));
		fprintf(c->out, "  SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE\n"
			"  %016llx  %016llx  %4d  %5u  %9u  %4u\n", (unsigned long long)o.slab,
			(unsigned long long)o.memory, o.node, o.cache.per_slab, o.inuse,
			o.cache.per_slab > o.inuse ? o.cache.per_slab - o.inuse : 0);
		if (o.object)
			fprintf(c->out, "  FREE / [ALLOCATED]\n  %s%016llx%s\n", o.free ? " " : "[",
				(unsigned long long)o.object, o.free ? "" : "]");
	} else {
		if ((named && kd_kernel_symbol_any(c->k, arg, &s, NULL) == 0 && s.start == addr) ||
		    kd_kernel_symbolize_data(c->k, addr, &s) == 0) {
			fprintf(c->out, "%016llx (%c) %s", (unsigned long long)addr, s.type, s.name);
			if (s.off)
				fprintf(c->out, "+%llu", (unsigned long long)s.off);
			fputc('\n', c->out);
		}
		if (kd_kernel_vmap_area(c->k, addr, &va, NULL) == 1)
			fprintf(c->out, "%s    VMAP_AREA         VM_STRUCT                 ADDRESS RANGE"
				"                SIZE\n%016llx  %016llx  %016llx - %016llx  %6llu\n",
				s.name && s.start ? "\n" : "", (unsigned long long)va.va,
				(unsigned long long)va.vm, (unsigned long long)va.start,
				(unsigned long long)va.end, (unsigned long long)(va.end - va.start));
	}
	if (kd_kernel_vtop(c->k, addr, &w, NULL) != 0 || !w.mapped) {
		if (rc == 1)
			return 0;
		return kd_fail(c->err, KD_ERR_LOOKUP, "0x%llx is not mapped: no page, no slab object",
			       (unsigned long long)addr);
	}
	kd_cmd_print_page(c, w.paddr);
	return 0;
}

static int run_kmem(struct kd_cmd *c)
{
	int rc = 0;

	if (c->opt['i'] + c->opt['s'] > 1)
		return kd_cmd_usage(c, "-i and -s exclude each other");
	if (c->opt['i'])
		return c->argc ? kd_cmd_usage(c, "-i takes no address") : summary(c);
	if (c->opt['s'])
		return slab_caches(c);
	if (c->argc == 0)
		return kd_cmd_usage(c, "-i, -s or an address is needed");
	for (int i = 0; i < c->argc; i++) {
		kd_err *keep = c->err, one;
		if (i)
			fputc('\n', c->out);
		c->err = &one;
		if (what_is(c, c->argv[i]) != 0) {
			*keep = one;
			rc = -1;
		}
		c->err = keep;
	}
	return rc;
}

const struct kd_command kd_cmd_kmem = {
	.name = "kmem",
	.options = "is",
	.usage = "kmem -i | -s [CACHE]... | ADDR...",
	.summary = "the kernel's memory use",
	.help = "  -i   crash's summary: total, free and used memory, shared (shmem),\n"
		"       buffers, page cache, slab, huge pages, swap, commit limit and\n"
		"       committed memory, each in pages, bytes and percent, from the\n"
		"       counters /proc/meminfo reads (MemTotal, MemFree, Shmem, Buffers,\n"
		"       Cached, Slab, HugePages_*, Swap*, CommitLimit, Committed_AS).\n"
		"  -s   the slab caches: CACHE, OBJSIZE, ALLOCATED and TOTAL objects, SLABS,\n"
		"       SSIZE (one slab's size), NAME; ALLOCATED leaves out the free objects\n"
		"       of the partial slabs and of the CPUs' slabs (their freelists walked),\n"
		"       as crash does. CACHE: a name or an address\n"
		"  ADDR the slab object holding ADDR (its cache, its slab, and whether it\n"
		"       is free or [allocated]), or the symbol at ADDR and the vmalloc area\n"
		"       holding it (vmalloc, modules, task stacks), then its struct page\n",
	.run = run_kmem,
};

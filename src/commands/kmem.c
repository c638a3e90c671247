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
#include "base/json.h"
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

/* -i's table, crash's rows; gap: a blank line before the row. */
struct mem_row {
	const char *name;     /* as crash pads it (" COMMIT LIMIT") */
	uint64_t pages;
	uint64_t of;          /* the pages it is a percentage of */
	const char *base;     /* their row's name; NULL: a group's base ("----") */
	bool gap;
};

static size_t mem_rows(const struct kd_meminfo *m, struct mem_row *r)
{
	const struct mem_row rows[] = {
		{ "TOTAL MEM", m->total, 0, NULL, false },
		{ "FREE", m->free, m->total, "TOTAL MEM", false },
		{ "USED", m->total > m->free ? m->total - m->free : 0, m->total, "TOTAL MEM", false },
		{ "SHARED", m->shared, m->total, "TOTAL MEM", false },
		{ "BUFFERS", m->buffers, m->total, "TOTAL MEM", false },
		{ "CACHED", m->cached, m->total, "TOTAL MEM", false },
		{ "SLAB", m->slab, m->total, "TOTAL MEM", false },
		{ "TOTAL HUGE", m->huge_total, 0, NULL, true },
		{ "HUGE FREE", m->huge_free, m->huge_total, "TOTAL HUGE", false },
		{ "TOTAL SWAP", m->swap_total, 0, NULL, true },
		{ "SWAP USED", m->swap_total > m->swap_free ? m->swap_total - m->swap_free : 0,
		  m->swap_total, "TOTAL SWAP", false },
		{ "SWAP FREE", m->swap_free, m->swap_total, "TOTAL SWAP", false },
		{ " COMMIT LIMIT", m->commit_limit, 0, NULL, true },
		{ "COMMITTED", m->committed, m->commit_limit, "TOTAL LIMIT", false },
	};

	memcpy(r, rows, sizeof(rows));
	return sizeof(rows) / sizeof(rows[0]);
}

static unsigned long long percent(const struct mem_row *r)
{
	return r->of ? (unsigned long long)(r->pages * 100 / r->of) : 0ULL;
}

static int summary(struct kd_cmd *c)
{
	uint32_t ps = kd_kernel_page_size(c->k);
	struct kd_meminfo m;
	struct mem_row rows[16];
	struct kd_json j;
	char size[32];
	size_t n;

	if (kd_kernel_meminfo(c->k, &m, c->err) != 0)
		return -1;
	n = mem_rows(&m, rows);
	kd_cmd_json_list(c, &j, "rows");
	if (!c->json)
		fprintf(c->out, "                 PAGES        TOTAL      PERCENTAGE\n");
	for (size_t i = 0; i < n; i++) {
		const struct mem_row *r = &rows[i];
		size_text(r->pages, ps, size, sizeof(size));
		if (c->json) {
			kd_json_object(&j, NULL);
			kd_json_str(&j, "name", r->name + strspn(r->name, " "));
			kd_json_int(&j, "pages", (long long)r->pages);
			kd_json_int(&j, "bytes", (long long)(r->pages * ps));
			kd_json_str(&j, "total", size);
			if (r->base)
				kd_json_int(&j, "percentage", (long long)percent(r));
			else
				kd_json_str(&j, "percentage", NULL);
			kd_json_str(&j, "of", r->base);
			kd_json_end(&j, '}');
			continue;
		}
		if (r->gap)
			fputc('\n', c->out);
		fprintf(c->out, "%13s  %7llu  %11s  ", r->name, (unsigned long long)r->pages, size);
		if (!r->base)
			fprintf(c->out, "       ----\n");
		else
			fprintf(c->out, "%3llu%% of %s\n", percent(r), r->base);
	}
	kd_cmd_json_list(c, &j, NULL);
	return 0;
}

#define CACHE_HEADER "CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME\n"

static void cache_line(FILE *out, const struct kd_slab_cache *s, uint32_t page_size)
{
	fprintf(out, "%016llx %8u %10llu %9llu %6llu %5uk  %s\n", (unsigned long long)s->addr,
		s->object_size, (unsigned long long)s->active, (unsigned long long)s->total,
		(unsigned long long)s->slabs, (page_size << s->order) / 1024, s->name);
}

/* cache_line's columns, named. */
static void cache_json(struct kd_json *j, const char *key, const struct kd_slab_cache *s,
		       uint32_t page_size)
{
	kd_json_object(j, key);
	kd_json_addr(j, "cache", s->addr);
	kd_json_int(j, "objsize", s->object_size);
	kd_json_int(j, "allocated", (long long)s->active);
	kd_json_int(j, "total", (long long)s->total);
	kd_json_int(j, "slabs", (long long)s->slabs);
	kd_json_int(j, "ssize_kb", (page_size << s->order) / 1024);
	kd_json_str(j, "name", s->name);
	kd_json_end(j, '}');
}

struct caches {
	struct kd_cmd *c;
	struct kd_json *j;    /* --json */
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
	if (cs->j) {
		cs->shown++;
		cache_json(cs->j, NULL, s, kd_kernel_page_size(c->k));
		return 0;
	}
	if (!cs->shown++)
		fputs(CACHE_HEADER, c->out);
	cache_line(c->out, s, kd_kernel_page_size(c->k));
	return 0;
}

static int slab_caches(struct kd_cmd *c)
{
	struct kd_json j;
	struct caches cs = { c, c->json ? &j : NULL, 0 };

	kd_cmd_json_list(c, &j, "caches");
	if (kd_slab_caches(c->k, one_cache, &cs, c->err) != 0)
		return -1;
	if (c->argc && !cs.shown)
		return kd_fail(c->err, KD_ERR_LOOKUP, "no slab cache %s", c->argv[0]);
	kd_cmd_json_list(c, &j, NULL);
	return 0;
}

/* What kmem ADDR found, as far as it got. */
struct what {
	uint64_t addr;
	bool parsed;          /* addr is the operand's */
	bool looked;          /* the slab allocator was asked */
	bool in_slab;
	struct kd_slab_obj o;
	bool have_sym, have_va, mapped;
	struct kd_sym s;
	struct kd_vmap_area va;
	uint64_t paddr;
};

/* The slab object holding the address, else its symbol and vmalloc area;
 * then its page. -1 with c->err when the address does not parse, the
 * slab allocator cannot tell, or it is in neither a slab nor a mapped
 * page (what was found kept). */
static int what_is(struct kd_cmd *c, const char *arg, struct what *w)
{
	struct kd_vmem_walk walk;
	bool named;
	int rc;

	*w = (struct what){ 0 };
	if (kd_cmd_address(c, arg, &w->addr, &named) != 0)
		return -1;
	w->parsed = true;
	if ((rc = kd_slab_find(c->k, w->addr, &w->o, c->err)) < 0)
		return -1;
	w->looked = true;
	if (!(w->in_slab = rc == 1)) {
		w->have_sym = (named && kd_kernel_symbol_any(c->k, arg, &w->s, NULL) == 0 &&
			       w->s.start == w->addr) || kd_kernel_symbolize_data(c->k, w->addr, &w->s) == 0;
		w->have_va = kd_kernel_vmap_area(c->k, w->addr, &w->va, NULL) == 1;
	}
	if ((w->mapped = kd_kernel_vtop(c->k, w->addr, &walk, NULL) == 0 && walk.mapped))
		w->paddr = walk.paddr;
	if (!w->mapped && !w->in_slab)
		return kd_fail(c->err, KD_ERR_LOOKUP, "0x%llx is not mapped: no page, no slab object",
			       (unsigned long long)w->addr);
	return 0;
}

static void what_text(struct kd_cmd *c, const struct what *w)
{
	const struct kd_slab_obj *o = &w->o;

	if (!w->looked)
		return;
	if (w->in_slab) {
		fputs(CACHE_HEADER, c->out);
		cache_line(c->out, &o->cache, kd_kernel_page_size(c->k));
		fprintf(c->out, "  SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE\n"
			"  %016llx  %016llx  %4d  %5u  %9u  %4u\n", (unsigned long long)o->slab,
			(unsigned long long)o->memory, o->node, o->cache.per_slab, o->inuse,
			o->cache.per_slab > o->inuse ? o->cache.per_slab - o->inuse : 0);
		if (o->object)
			fprintf(c->out, "  FREE / [ALLOCATED]\n  %s%016llx%s\n", o->free ? " " : "[",
				(unsigned long long)o->object, o->free ? "" : "]");
	}
	if (w->have_sym) {
		fprintf(c->out, "%016llx (%c) %s", (unsigned long long)w->addr, w->s.type, w->s.name);
		if (w->s.off)
			fprintf(c->out, "+%llu", (unsigned long long)w->s.off);
		fputc('\n', c->out);
	}
	if (w->have_va)
		fprintf(c->out, "%s    VMAP_AREA         VM_STRUCT                 ADDRESS RANGE"
			"                SIZE\n%016llx  %016llx  %016llx - %016llx  %6llu\n",
			w->have_sym ? "\n" : "", (unsigned long long)w->va.va,
			(unsigned long long)w->va.vm, (unsigned long long)w->va.start,
			(unsigned long long)w->va.end, (unsigned long long)(w->va.end - w->va.start));
	if (w->mapped)
		kd_cmd_print_page(c, w->paddr);
}

/* One element of {"addresses": [...]}: each part kmem ADDR prints, null
 * where it found none. */
static void what_json(struct kd_cmd *c, struct kd_json *j, const struct what *w, const char *error)
{
	const struct kd_slab_obj *o = &w->o;

	kd_json_object(j, NULL);
	kd_json_addr(j, "address", w->addr);
	if (w->in_slab) {
		cache_json(j, "cache", &o->cache, kd_kernel_page_size(c->k));
		kd_json_object(j, "slab");
		kd_json_addr(j, "slab", o->slab);
		kd_json_addr(j, "memory", o->memory);
		kd_json_int(j, "node", o->node);
		kd_json_int(j, "total", o->cache.per_slab);
		kd_json_int(j, "allocated", o->inuse);
		kd_json_int(j, "free", o->cache.per_slab > o->inuse ? o->cache.per_slab - o->inuse : 0);
		kd_json_end(j, '}');
	} else {
		kd_json_str(j, "cache", NULL);
		kd_json_str(j, "slab", NULL);
	}
	if (w->in_slab && o->object) {
		kd_json_object(j, "object");
		kd_json_addr(j, "address", o->object);
		kd_json_bool(j, "free", o->free);
		kd_json_end(j, '}');
	} else {
		kd_json_str(j, "object", NULL);
	}
	if (w->have_sym) {
		char type[2] = { w->s.type, '\0' };
		kd_json_object(j, "symbol");
		kd_json_str(j, "name", w->s.name);
		kd_json_str(j, "type", type);
		kd_json_int(j, "offset", (long long)w->s.off);
		kd_json_str(j, "module", w->s.module);
		kd_json_end(j, '}');
	} else {
		kd_json_str(j, "symbol", NULL);
	}
	if (w->have_va) {
		kd_json_object(j, "vmap_area");
		kd_json_addr(j, "vmap_area", w->va.va);
		kd_json_addr(j, "vm_struct", w->va.vm);
		kd_json_addr(j, "start", w->va.start);
		kd_json_addr(j, "end", w->va.end);
		kd_json_int(j, "size", (long long)(w->va.end - w->va.start));
		kd_json_end(j, '}');
	} else {
		kd_json_str(j, "vmap_area", NULL);
	}
	if (w->mapped)
		kd_cmd_json_page(c, j, "page", w->paddr);
	else
		kd_json_str(j, "page", NULL);
	kd_json_str(j, "error", error);
	kd_json_end(j, '}');
}

static int addresses(struct kd_cmd *c)
{
	struct kd_json j;
	int rc = 0;

	kd_cmd_json_list(c, &j, "addresses");
	for (int i = 0; i < c->argc; i++) {
		kd_err *keep = c->err, one;
		struct what w;
		bool failed;

		if (i && !c->json)
			fputc('\n', c->out);
		c->err = &one;
		failed = what_is(c, c->argv[i], &w) != 0;
		c->err = keep;
		if (!c->json)
			what_text(c, &w);
		else if (w.parsed)
			what_json(c, &j, &w, failed ? one.msg : NULL);
		/* in JSON the element's "error" says why; only an operand that
		 * is no address fails the command */
		if (failed && (!c->json || !w.parsed)) {
			*keep = one;
			rc = -1;
		}
	}
	kd_cmd_json_list(c, &j, NULL);
	return rc;
}

static int run_kmem(struct kd_cmd *c)
{
	if (c->opt['i'] + c->opt['s'] > 1)
		return kd_cmd_usage(c, "-i and -s exclude each other");
	if (c->opt['i'])
		return c->argc ? kd_cmd_usage(c, "-i takes no address") : summary(c);
	if (c->opt['s'])
		return slab_caches(c);
	if (c->argc == 0)
		return kd_cmd_usage(c, "-i, -s or an address is needed");
	return addresses(c);
}

const struct kd_command kd_cmd_kmem = {
	.name = "kmem",
	.complete = KD_COMPLETE_SYMBOL,
	.options = "is",
	.flags = KD_CMD_JSON,
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

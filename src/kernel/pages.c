#include "kernel/pages.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "kernel/lists.h"
#include "kernel/types.h"

#define VMEMMAP_START_L4 0xffffea0000000000ULL /* Documentation/arch/x86/x86_64/mm.rst */
#define VMEMMAP_START_L5 0xffd4000000000000ULL

static uint64_t vmemmap(struct kd_kernel *k)
{
	uint64_t addr, base;
	struct kd_vmem_walk w;

	if (kd_kernel_symbol(k, "vmemmap_base", &addr, NULL) == 0 &&
	    kd_kernel_read_u64(k, addr, &base, NULL) == 0)
		return base;
	/* without memory KASLR the region is fixed; 5-level paging moves it */
	return kd_vmem_walk(k->vm, VMEMMAP_START_L5, &w, NULL) == 0 && w.n == 5 ? VMEMMAP_START_L5
										  : VMEMMAP_START_L4;
}

int kd_kernel_page(struct kd_kernel *k, uint64_t pfn, struct kd_page *out, kd_err *err)
{
	int64_t size = kd_kernel_sizeof(k, "page", err);
	uint64_t count;

	if (size <= 0)
		return -1;
	memset(out, 0, sizeof(*out));
	out->pfn = pfn;
	out->addr = vmemmap(k) + pfn * (uint64_t)size;
	if (kd_kernel_member(k, out->addr, "page", "flags", &out->flags, err) != 0 ||
	    kd_kernel_member(k, out->addr, "page", "mapping", &out->mapping, err) != 0 ||
	    kd_kernel_member(k, out->addr, "page", "index", &out->index, err) != 0 ||
	    kd_kernel_member(k, out->addr, "page", "_refcount.counter", &count, err) != 0)
		return kd_wrap(err, "struct page of pfn 0x%llx at 0x%llx", (unsigned long long)pfn,
			       (unsigned long long)out->addr);
	out->count = (int32_t)count;
	kd_kernel_member(k, out->addr, "page", "page_type", &count, NULL);
	out->page_type = (uint32_t)count;
	return 0;
}

/* enum pagetype (6.10+): the page_type's top byte, when it is one. */
static void page_type_name(struct kd_kernel *k, uint32_t page_type, char *buf, size_t *pos,
			   size_t len)
{
	struct kd_type_info ti;
	kd_type t;

	/* page_type overlays _mapcount: a type only below PAGE_MAPCOUNT_RESERVE
	 * (-128), else a mapcount (-1: not mapped) */
	if ((int32_t)page_type >= -127 ||
	    kd_types_find(k->types, "enum pagetype", &t, NULL) != 0 || kd_type_info(t, &ti, NULL) != 0)
		return;
	for (size_t i = 0; i < ti.n; i++) {
		const char *name;
		int64_t v;
		if (kd_type_enumerator(t, i, &name, &v, NULL) == 0 && name &&
		    strncmp(name, "PGTY_", 5) == 0 && v == (int64_t)(page_type >> 24) && *pos + 1 < len) {
			*pos += (size_t)snprintf(buf + *pos, len - *pos, "%s%s", *pos ? " " : "", name + 5);
			return;
		}
	}
}

void kd_kernel_page_flags(struct kd_kernel *k, const struct kd_page *pg, char *buf, size_t len)
{
	struct kd_type_info ti;
	const char *seen[64] = { 0 };
	uint64_t flags = pg->flags;
	size_t pos = 0;
	kd_type t;

	buf[0] = '\0';
	if (kd_types_find(k->types, "enum pageflags", &t, NULL) != 0 || kd_type_info(t, &ti, NULL) != 0)
		return;
	/* several names share a bit (PG_checked is PG_owner_priv_1): the first */
	for (size_t i = 0; i < ti.n; i++) {
		const char *name;
		int64_t v;
		if (kd_type_enumerator(t, i, &name, &v, NULL) == 0 && name && v >= 0 && v < 64 &&
		    !seen[v] && strncmp(name, "__NR", 4) != 0)
			seen[v] = name;
	}
	for (int bit = 0; bit < 64; bit++) {
		const char *name = seen[bit];
		if (!name || !(flags & (1ULL << bit)) || pos + 1 >= len)
			continue;
		if (strncmp(name, "PG_", 3) == 0)
			name += 3;
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", pos ? " " : "", name);
	}
	page_type_name(k, pg->page_type, buf, &pos, len);
}

int kd_kernel_vtop(struct kd_kernel *k, uint64_t vaddr, struct kd_vmem_walk *w, kd_err *err)
{
	return kd_vmem_walk(k->vm, vaddr, w, err);
}

uint64_t kd_kernel_pgd(struct kd_kernel *k)
{
	uint64_t addr;

	return kd_kernel_symbol(k, "init_top_pgt", &addr, NULL) == 0 ? addr : 0;
}

uint64_t kd_kernel_ptov(struct kd_kernel *k, uint64_t paddr)
{
	uint64_t base = kd_vmem_page_offset(k->vm);

	return base ? base + paddr : 0;
}

struct vmap_find {
	struct kd_kernel *k;
	int64_t list_off;
	uint64_t addr;
	struct kd_vmap_area *out;
	bool found;
};

static int vmap_one(uint64_t node, void *arg)
{
	struct vmap_find *f = arg;
	uint64_t va = node - (uint64_t)f->list_off, start, end;

	if (kd_kernel_member(f->k, va, "vmap_area", "va_start", &start, NULL) != 0 ||
	    kd_kernel_member(f->k, va, "vmap_area", "va_end", &end, NULL) != 0 ||
	    f->addr < start || f->addr >= end)
		return 0;
	f->out->va = va;
	f->out->start = start;
	f->out->end = end;
	kd_kernel_member(f->k, va, "vmap_area", "vm", &f->out->vm, NULL);
	f->found = true;
	return 1;
}

int kd_kernel_vmap_area(struct kd_kernel *k, uint64_t addr, struct kd_vmap_area *out, kd_err *err)
{
	struct vmap_find f = { .k = k, .addr = addr, .out = out };
	uint64_t head, nodes;
	uint32_t n = 1;
	int64_t busy, size;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if ((f.list_off = kd_kernel_offsetof(k, "vmap_area", "list", err)) < 0)
		return -1;
	if (kd_kernel_symbol(k, "vmap_area_list", &head, NULL) == 0) {
		rc = kd_kernel_list_walk(k, head, 0, true, vmap_one, &f, err);
	} else if (kd_kernel_symbol(k, "vmap_nodes", &nodes, err) == 0 &&
		   kd_kernel_read_u64(k, nodes, &nodes, err) == 0 &&
		   (busy = kd_kernel_offsetof(k, "vmap_node", "busy.head", err)) >= 0 &&
		   (size = kd_kernel_sizeof(k, "vmap_node", err)) > 0) {
		if (kd_kernel_symbol(k, "nr_vmap_nodes", &head, NULL) == 0)
			kd_kernel_read_u32(k, head, &n, NULL);
		for (uint32_t i = 0; i < n && i < 1024 && rc == 0; i++)
			rc = kd_kernel_list_walk(k, nodes + i * (uint64_t)size + (uint64_t)busy, 0, true,
						 vmap_one, &f, err);
	} else {
		return kd_wrap(err, "the vmalloc areas");
	}
	if (rc < 0)
		return kd_wrap(err, "the vmalloc areas");
	return f.found ? 1 : 0;
}

#include "kernel/pages.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
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
	return 0;
}

void kd_kernel_page_flags(struct kd_kernel *k, uint64_t flags, char *buf, size_t len)
{
	struct kd_type_info ti;
	const char *seen[64] = { 0 };
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

#include "symbols/symbol_index.h"

#include <gelf.h>
#include <stdlib.h>
#include <string.h>

static uint32_t hash_name(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

int kd_symbol_index_build(struct kd_symbol_index *ix, Dwfl_Module *mod)
{
	int n = dwfl_module_getsymtab(mod);

	memset(ix, 0, sizeof(*ix));
	if (n <= 0)
		return -1;
	ix->syms = calloc((size_t)n, sizeof(*ix->syms));
	ix->nslots = 16;
	while (ix->nslots < (uint32_t)n * 2)
		ix->nslots <<= 1;
	ix->slots = calloc(ix->nslots, sizeof(*ix->slots));
	if (!ix->syms || !ix->slots) {
		kd_symbol_index_free(ix);
		return -1;
	}
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		GElf_Word shndx;
		const char *name = dwfl_module_getsym_info(mod, i, &sym, &addr, &shndx, NULL, NULL);
		unsigned char type = GELF_ST_TYPE(sym.st_info);

		if (!name || !*name || shndx == SHN_UNDEF || shndx == SHN_ABS)
			continue;
		if (type != STT_FUNC && type != STT_NOTYPE && type != STT_OBJECT)
			continue;
		struct kd_symbol *s = &ix->syms[ix->nsyms];
		*s = (struct kd_symbol){ name, addr, sym.st_size, type };
		uint32_t slot = hash_name(name) & (ix->nslots - 1);
		while (ix->slots[slot])
			slot = (slot + 1) & (ix->nslots - 1);
		ix->slots[slot] = ++ix->nsyms;
	}
	return 0;
}

void kd_symbol_index_free(struct kd_symbol_index *ix)
{
	free(ix->syms);
	free(ix->slots);
	free(ix->by_addr);
	memset(ix, 0, sizeof(*ix));
}

/* Text before data (a frame names code), and the printed size first. */
static int rank(const struct kd_symbol *s, uint64_t size)
{
	int r = s->type == STT_FUNC ? 2 : s->type == STT_NOTYPE ? 1 : 0;

	return r + (size && s->size == size ? 4 : 0);
}

const struct kd_symbol *kd_symbol_index_find(const struct kd_symbol_index *ix,
					     const char *name, uint64_t size)
{
	const struct kd_symbol *best = NULL;

	if (!ix->nslots)
		return NULL;
	for (uint32_t slot = hash_name(name) & (ix->nslots - 1); ix->slots[slot];
	     slot = (slot + 1) & (ix->nslots - 1)) {
		const struct kd_symbol *s = &ix->syms[ix->slots[slot] - 1];

		if (strcmp(s->name, name) != 0)
			continue;
		if (!best || rank(s, size) > rank(best, size))
			best = s;
	}
	return best;
}

static const struct kd_symbol *sort_base;

/* By address; at one address, a function before a no-type label so that
 * frames name functions (and names break the tie for stable output). */
static int by_addr(const void *a, const void *b)
{
	const struct kd_symbol *x = &sort_base[*(const uint32_t *)a];
	const struct kd_symbol *y = &sort_base[*(const uint32_t *)b];

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->type != y->type)
		return x->type == STT_FUNC ? 1 : -1;
	return strcmp(x->name, y->name);
}

const struct kd_symbol *kd_symbol_index_at(struct kd_symbol_index *ix, uint64_t addr,
					   uint64_t *off)
{
	uint32_t lo = 0, hi;

	if (!ix->by_addr) {
		ix->by_addr = malloc((ix->nsyms + 1) * sizeof(*ix->by_addr));
		if (!ix->by_addr)
			return NULL;
		for (uint32_t i = 0; i < ix->nsyms; i++)
			if (ix->syms[i].type != STT_OBJECT)
				ix->by_addr[ix->ntext++] = i;
		sort_base = ix->syms;
		qsort(ix->by_addr, ix->ntext, sizeof(*ix->by_addr), by_addr);
	}
	hi = ix->ntext;
	while (lo < hi) { /* first symbol above addr */
		uint32_t mid = lo + (hi - lo) / 2;
		if (ix->syms[ix->by_addr[mid]].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct kd_symbol *s = &ix->syms[ix->by_addr[lo - 1]];
	*off = addr - s->addr;
	return s;
}

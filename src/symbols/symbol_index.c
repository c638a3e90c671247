#include "symbols/symbol_index.h"

#include <gelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static uint32_t hash_name(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* nm's letter: the section's kind (code, bss, writable data, read-only),
 * upper case for a global, W/V for a weak function/object. */
static char nm_letter(Elf *elf, const GElf_Sym *sym, GElf_Word shndx)
{
	Elf_Scn *scn = elf ? elf_getscn(elf, shndx) : NULL;
	int bind = GELF_ST_BIND(sym->st_info);
	GElf_Shdr sh;
	char c = '?';

	if (bind == STB_WEAK)
		return GELF_ST_TYPE(sym->st_info) == STT_OBJECT ? 'V' : 'W';
	if (scn && gelf_getshdr(scn, &sh)) {
		if (sh.sh_flags & SHF_EXECINSTR)
			c = 't';
		else if (sh.sh_type == SHT_NOBITS)
			c = 'b';
		else if (sh.sh_flags & SHF_WRITE)
			c = 'd';
		else if (sh.sh_flags & SHF_ALLOC)
			c = 'r';
	}
	return bind == STB_GLOBAL && c != '?' ? (char)(c - 'a' + 'A') : c;
}

int kd_symbol_index_build(struct kd_symbol_index *ix, Dwfl_Module *mod)
{
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
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
		*s = (struct kd_symbol){ name, addr, sym.st_size, type, nm_letter(elf, &sym, shndx) };
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
	free(ix->by_obj);
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

/* By address; at one address, a function before a no-type label so that
 * frames name functions (and names break the tie for stable output). */
static int by_addr(const void *a, const void *b, void *syms)
{
	const struct kd_symbol *x = (const struct kd_symbol *)syms + *(const uint32_t *)a;
	const struct kd_symbol *y = (const struct kd_symbol *)syms + *(const uint32_t *)b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->type != y->type)
		return x->type == STT_FUNC ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* The symbols that are (objects) or are not (text) data objects, sorted
 * by address, built on first use. */
static uint32_t *sorted(struct kd_symbol_index *ix, bool objects, uint32_t **arr, uint32_t *n)
{
	if (!*arr) {
		if (!(*arr = malloc((ix->nsyms + 1) * sizeof(**arr))))
			return NULL;
		for (uint32_t i = 0; i < ix->nsyms; i++)
			if ((ix->syms[i].type == STT_OBJECT) == objects)
				(*arr)[(*n)++] = i;
		qsort_r(*arr, *n, sizeof(**arr), by_addr, ix->syms);
	}
	return *arr;
}

/* The last symbol of arr starting at or below addr. */
static const struct kd_symbol *last_at(const struct kd_symbol_index *ix, const uint32_t *arr,
				       uint32_t n, uint64_t addr)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) { /* first symbol above addr */
		uint32_t mid = lo + (hi - lo) / 2;
		if (ix->syms[arr[mid]].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &ix->syms[arr[lo - 1]] : NULL;
}

const struct kd_symbol *kd_symbol_index_at(struct kd_symbol_index *ix, uint64_t addr,
					   uint64_t *off)
{
	const struct kd_symbol *s;

	if (!sorted(ix, false, &ix->by_addr, &ix->ntext) ||
	    !(s = last_at(ix, ix->by_addr, ix->ntext, addr)))
		return NULL;
	*off = addr - s->addr;
	return s;
}

const struct kd_symbol *kd_symbol_index_object_at(struct kd_symbol_index *ix, uint64_t addr,
						  uint64_t *off)
{
	const struct kd_symbol *s;

	if (!sorted(ix, true, &ix->by_obj, &ix->nobj) ||
	    !(s = last_at(ix, ix->by_obj, ix->nobj, addr)) ||
	    !(addr == s->addr || addr - s->addr < s->size))
		return NULL;
	*off = addr - s->addr;
	return s;
}

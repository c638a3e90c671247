/* Decoded pages of compressed dumps, so that pointer chasing through one
 * page (page tables, task lists) decompresses it once. Direct-mapped by
 * pfn: neighbouring pages never evict each other. */
#include "dump/dump_int.h"

#include <stdlib.h>

#define CACHE_BYTES (1u << 20)

struct kd_page_cache {
	size_t page_size, mask;
	uint64_t *key; /* pfn + 1; 0 = empty */
	unsigned char *data;
};

struct kd_page_cache *kd_page_cache_new(size_t page_size)
{
	struct kd_page_cache *c = calloc(1, sizeof(*c));
	size_t n = 16;

	if (!c)
		return NULL;
	while (n * 2 * page_size <= CACHE_BYTES)
		n *= 2;
	c->page_size = page_size;
	c->mask = n - 1;
	c->key = calloc(n, sizeof(*c->key));
	c->data = malloc(n * page_size);
	if (!c->key || !c->data) {
		kd_page_cache_free(c);
		return NULL;
	}
	return c;
}

void kd_page_cache_free(struct kd_page_cache *c)
{
	if (!c)
		return;
	free(c->key);
	free(c->data);
	free(c);
}

const void *kd_page_cache_get(struct kd_page_cache *c, uint64_t pfn)
{
	size_t i = pfn & c->mask;

	return c->key[i] == pfn + 1 ? c->data + i * c->page_size : NULL;
}

void *kd_page_cache_slot(struct kd_page_cache *c, uint64_t pfn)
{
	size_t i = pfn & c->mask;

	c->key[i] = 0;
	return c->data + i * c->page_size;
}

void kd_page_cache_fill(struct kd_page_cache *c, uint64_t pfn)
{
	c->key[pfn & c->mask] = pfn + 1;
}

#include "symbols/kallsyms.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SYMS (1u << 22)        /* a kernel has ~200k */
#define MAX_NAMES_BYTES (64u << 20)
#define NAME_MAX_LEN 512

struct sym {
	uint64_t addr;
	uint32_t name;     /* offset in names */
	char letter;
};

struct kd_kallsyms {
	struct sym *v;      /* sorted by address */
	size_t n;
	char *names;        /* NUL-separated */
	/* Name -> the first symbol of that name (lowest address): open
	 * addressing, index + 1 per slot (0: empty). A hash, not a sort by
	 * name: building it is linear, and it is built on every open. */
	uint32_t *by_name;
	size_t mask;        /* slots - 1 (a power of two, at least 2n) */
};

void kd_kallsyms_names(const struct kd_kallsyms *ks, const char *prefix,
		       void (*cb)(const char *name, void *arg), void *arg)
{
	size_t len = strlen(prefix);

	for (size_t i = 0; i < ks->n; i++)
		if (strncmp(ks->names + ks->v[i].name, prefix, len) == 0)
			cb(ks->names + ks->v[i].name, arg);
}

size_t kd_kallsyms_count(const struct kd_kallsyms *ks)
{
	return ks->n;
}

void kd_kallsyms_free(struct kd_kallsyms *ks)
{
	if (!ks)
		return;
	free(ks->v);
	free(ks->names);
	free(ks->by_name);
	free(ks);
}

static int by_addr(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (x->name > y->name) - (x->name < y->name); /* stable: kallsyms order */
}

static uint32_t name_hash(const char *name)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h;
}

/* The slot of name: where it is, or the empty one it would go in. */
static size_t name_slot(const struct kd_kallsyms *ks, const char *name)
{
	size_t h = name_hash(name) & ks->mask;

	while (ks->by_name[h] && strcmp(ks->names + ks->v[ks->by_name[h] - 1].name, name) != 0)
		h = (h + 1) & ks->mask;
	return h;
}

static int index_names(struct kd_kallsyms *ks, kd_err *err)
{
	size_t slots = 16;

	while (slots < 2 * ks->n)
		slots *= 2;
	if (!(ks->by_name = calloc(slots, sizeof(*ks->by_name))))
		return kd_oom(err);
	ks->mask = slots - 1;
	for (size_t i = 0; i < ks->n; i++) {
		size_t h = name_slot(ks, ks->names + ks->v[i].name);
		if (!ks->by_name[h]) /* v is by address: the first of a name stays */
			ks->by_name[h] = (uint32_t)i + 1;
	}
	return 0;
}

/* Reads len bytes of a table into a new buffer. */
static void *read_block(kd_kallsyms_read_fn rd, void *ctx, uint64_t addr, size_t len, kd_err *err)
{
	void *buf = malloc(len ? len : 1);

	if (!buf) {
		kd_oom(err);
		return NULL;
	}
	if (rd(ctx, addr, buf, len, err) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

struct kd_kallsyms *kd_kallsyms_load(const struct kd_kallsyms_loc *loc, kd_kallsyms_read_fn rd,
				     void *ctx, kd_err *err)
{
	struct kd_kallsyms *ks = calloc(1, sizeof(*ks));
	uint8_t *names = NULL, token_table[4096];
	uint16_t token_index[256];
	int32_t *offsets = NULL;
	uint64_t base, names_len;
	uint32_t n;
	size_t pos = 0, out = 0, cap;
	bool absolute_percpu = false;

	if (!ks) {
		kd_oom(err);
		return NULL;
	}
	if (rd(ctx, loc->num_syms, &n, 4, err) != 0 || rd(ctx, loc->relative_base, &base, 8, err) != 0 ||
	    rd(ctx, loc->token_index, token_index, sizeof(token_index), err) != 0 ||
	    rd(ctx, loc->token_table, token_table, sizeof(token_table), err) != 0)
		goto fail;
	if (n == 0 || n > MAX_SYMS) {
		kd_fail(err, KD_ERR_CORRUPT, "kallsyms_num_syms is %u: not a kernel's symbol count", n);
		goto fail;
	}
	for (int i = 0; i < 256; i++)
		if (token_index[i] >= sizeof(token_table)) {
			kd_fail(err, KD_ERR_CORRUPT, "kallsyms token %d at %u: past the token table", i,
				token_index[i]);
			goto fail;
		}
	token_table[sizeof(token_table) - 1] = '\0';
	/* the names table runs up to the next table; read generously, bounded */
	names_len = loc->token_table > loc->names && loc->token_table - loc->names < MAX_NAMES_BYTES
			    ? loc->token_table - loc->names : (uint64_t)n * 32;
	if (!(names = read_block(rd, ctx, loc->names, (size_t)names_len, err)) ||
	    !(offsets = read_block(rd, ctx, loc->offsets, (size_t)n * 4, err)))
		goto fail;
	if (!(ks->v = calloc(n, sizeof(*ks->v))) || !(ks->names = malloc(cap = (size_t)n * 24))) {
		kd_oom(err);
		goto fail;
	}
	/* KALLSYMS_ABSOLUTE_PERCPU: text and data are negative offsets below
	 * the base, per-CPU symbols absolute; without it all are unsigned
	 * offsets from the base (a kernel is far smaller than 2 GiB) */
	for (uint32_t i = 0; i < n && !absolute_percpu; i++)
		absolute_percpu = offsets[i] < 0;
	for (uint32_t i = 0; i < n; i++) {
		char name[NAME_MAX_LEN + 2];
		size_t len, o = 0;

		if (pos >= names_len)
			goto cut;
		len = names[pos++];
		if (len & 0x80) { /* 6.1+: a two-byte length for long names */
			if (pos >= names_len)
				goto cut;
			len = (len & 0x7f) | ((size_t)names[pos++] << 7);
		}
		if (pos + len > names_len)
			goto cut;
		for (size_t j = 0; j < len; j++) {
			const char *tok = (const char *)token_table + token_index[names[pos + j]];
			size_t tl = strnlen(tok, sizeof(token_table) - token_index[names[pos + j]]);
			if (o + tl > NAME_MAX_LEN)
				tl = NAME_MAX_LEN - o;
			memcpy(name + o, tok, tl);
			o += tl;
		}
		pos += len;
		name[o] = '\0';
		if (o < 2)
			continue; /* no letter and name: not a symbol */
		if (out + o + 1 > cap) {
			char *nn = realloc(ks->names, cap = cap * 2 + o + 1);
			if (!nn) {
				kd_oom(err);
				goto fail;
			}
			ks->names = nn;
		}
		struct sym *s = &ks->v[ks->n++];
		s->letter = name[0];
		s->name = (uint32_t)out;
		memcpy(ks->names + out, name + 1, o); /* without the letter, with the NUL */
		out += o;
		if (!absolute_percpu)
			s->addr = base + (uint32_t)offsets[i];
		else
			s->addr = offsets[i] >= 0 ? (uint64_t)offsets[i] : base - 1 - (uint64_t)(int64_t)offsets[i];
	}
	free(names);
	free(offsets);
	qsort(ks->v, ks->n, sizeof(*ks->v), by_addr);
	if (index_names(ks, err) != 0) {
		kd_kallsyms_free(ks);
		return NULL;
	}
	return ks;
cut:
	kd_fail(err, KD_ERR_CORRUPT, "kallsyms names end after %zu of %u symbols: corrupt or cut", out ? ks->n : 0, n);
fail:
	free(names);
	free(offsets);
	kd_kallsyms_free(ks);
	return NULL;
}

int kd_kallsyms_lookup(const struct kd_kallsyms *ks, const char *name, uint64_t *addr,
		       char *letter)
{
	uint32_t i = ks->by_name[name_slot(ks, name)];

	if (!i)
		return -1;
	*addr = ks->v[i - 1].addr;
	if (letter)
		*letter = ks->v[i - 1].letter;
	return 0;
}

const char *kd_kallsyms_at(const struct kd_kallsyms *ks, uint64_t addr, const char *kinds,
			   uint64_t *off, uint64_t *size, char *letter)
{
	size_t lo = 0, hi = ks->n;

	while (lo < hi) { /* the first symbol above addr */
		size_t mid = (lo + hi) / 2;
		if (ks->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo > 0 && kinds && !strchr(kinds, ks->v[lo - 1].letter))
		lo--;
	if (lo == 0)
		return NULL;
	/* of aliases (symbols at one address) the first, as the kernel names them */
	size_t first = lo - 1, next = lo;
	while (first > 0 && ks->v[first - 1].addr == ks->v[lo - 1].addr &&
	       (!kinds || strchr(kinds, ks->v[first - 1].letter)))
		first--;
	const struct sym *s = &ks->v[first];
	while (next < ks->n && ks->v[next].addr == s->addr)
		next++;
	*off = addr - s->addr;
	if (size)
		*size = next < ks->n ? ks->v[next].addr - s->addr : 0;
	if (letter)
		*letter = s->letter;
	return ks->names + s->name;
}

#include "kernel/types.h"

#include <bpf/btf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

/* Answers already found: a task walk asks the same dozen members of
 * task_struct for every task, and a BTF name lookup is a scan of every
 * type. Failures are remembered too (optional members are probed). */
struct memo {
	char *key;            /* "type\0path\0"; path SIZE_KEY for a size */
	int rc;
	struct kd_member m;
	int64_t size;
	kd_err err;
};

#define SIZE_KEY "#size" /* no member is called that */

struct kd_types {
	struct btf *btf;
	struct memo *memo;
	size_t cap, used;     /* cap: power of two or 0 */
};

struct kd_types *kd_types_new(const void *data, size_t len, kd_err *err)
{
	struct kd_types *t = calloc(1, sizeof(*t));

	if (!t) {
		kd_oom(err);
		return NULL;
	}
	t->btf = btf__new(data, (uint32_t)len);
	if (!t->btf) {
		kd_fail(err, KD_ERR_CORRUPT, "BTF unreadable (%s)", strerror(errno));
		free(t);
		return NULL;
	}
	return t;
}

void kd_types_free(struct kd_types *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->cap; i++)
		free(t->memo[i].key);
	free(t->memo);
	btf__free(t->btf);
	free(t);
}

static size_t key_len(const char *type, const char *path)
{
	return strlen(type) + strlen(path) + 2;
}

static uint64_t key_hash(const char *type, const char *path)
{
	uint64_t h = 1469598103934665603ULL;

	for (const char *p = type; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (const char *p = path; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h;
}

static bool key_is(const char *key, const char *type, const char *path)
{
	return strcmp(key, type) == 0 && strcmp(key + strlen(type) + 1, path) == 0;
}

/* The slot for (type, path): its memo, or the empty slot to fill. */
static struct memo *memo_slot(struct kd_types *t, const char *type, const char *path)
{
	size_t mask = t->cap - 1, i = (size_t)key_hash(type, path) & mask;

	while (t->memo[i].key && !key_is(t->memo[i].key, type, path))
		i = (i + 1) & mask;
	return &t->memo[i];
}

static struct memo *memo_find(struct kd_types *t, const char *type, const char *path)
{
	struct memo *m;

	if (!t->cap)
		return NULL;
	m = memo_slot(t, type, path);
	return m->key ? m : NULL;
}

/* Keeps an answer; out of memory only costs the next lookup its speed. */
static void memo_put(struct kd_types *t, const char *type, const char *path, const struct memo *v)
{
	struct memo *m;
	size_t len;

	if ((t->used + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct memo *grown = calloc(cap, sizeof(*grown)), *old = t->memo;
		size_t old_cap = t->cap;

		if (!grown)
			return;
		t->memo = grown;
		t->cap = cap;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].key) {
				const char *k = old[i].key;
				*memo_slot(t, k, k + strlen(k) + 1) = old[i];
			}
		free(old);
	}
	m = memo_slot(t, type, path);
	len = key_len(type, path);
	if (!(m->key = malloc(len)))
		return;
	*m = (struct memo){ m->key, v->rc, v->m, v->size, v->err };
	memcpy(m->key, type, strlen(type) + 1);
	memcpy(m->key + strlen(type) + 1, path, strlen(path) + 1);
	t->used++;
}

/* Struct, union or typedef named `name`, with typedefs and qualifiers
 * resolved. */
static int find_type(struct btf *btf, const char *name)
{
	static const int kinds[] = { BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_TYPEDEF };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		int id = btf__find_by_name_kind(btf, name, kinds[i]);
		if (id > 0)
			return btf__resolve_type(btf, id);
	}
	return -1;
}

/* Finds member `name` in composite type id, descending into anonymous
 * structs/unions; adds its bit offset to *bits and returns its member. */
static const struct btf_member *find_member(struct btf *btf, int id, const char *name,
					    uint64_t *bits)
{
	const struct btf_type *t = btf__type_by_id(btf, (uint32_t)id);
	const struct btf_member *m;
	int n;

	if (!t || !(btf_is_struct(t) || btf_is_union(t)))
		return NULL;
	m = btf_members(t);
	n = btf_vlen(t);
	for (int i = 0; i < n; i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);
		uint64_t off = btf_member_bit_offset(t, (uint32_t)i);

		if (mname && strcmp(mname, name) == 0) {
			*bits += off;
			return m;
		}
		if (!mname || !*mname) {
			uint64_t inner = off;
			const struct btf_member *hit =
				find_member(btf, btf__resolve_type(btf, m->type), name, &inner);
			if (hit) {
				*bits += inner;
				return hit;
			}
		}
	}
	return NULL;
}

static int member_uncached(struct kd_types *t, const char *type, const char *path,
			   struct kd_member *out, kd_err *err)
{
	int id = find_type(t->btf, type);
	uint64_t bits = 0;
	const struct btf_member *m = NULL;
	const struct btf_type *parent = NULL;
	char part[128];

	if (id < 0)
		return kd_fail(err, KD_ERR_LOOKUP, "no type %s in the kernel's BTF", type);
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ".");

		if (n == 0 || n >= sizeof(part))
			return kd_fail(err, KD_ERR_INVALID, "bad member path %s.%s", type, path);
		memcpy(part, p, n);
		part[n] = '\0';
		parent = btf__type_by_id(t->btf, (uint32_t)id);
		m = find_member(t->btf, id, part, &bits);
		if (!m)
			return kd_fail(err, KD_ERR_LOOKUP, "%s has no member %s (kernel too old or too new?)", type, path);
		id = btf__resolve_type(t->btf, m->type);
		p += n;
		if (*p == '.')
			p++;
	}
	if (!m)
		return kd_fail(err, KD_ERR_CORRUPT, "empty member path in %s", type);
	memset(out, 0, sizeof(*out));
	out->offset = bits / 8;
	if (parent && btf_kflag(parent) && BTF_MEMBER_BITFIELD_SIZE(m->offset)) {
		out->bit_offset = (uint32_t)(bits % 8);
		out->bit_size = BTF_MEMBER_BITFIELD_SIZE(m->offset);
	} else {
		int64_t sz = btf__resolve_size(t->btf, m->type);
		out->size = sz > 0 ? (uint64_t)sz : 0;
	}
	return 0;
}

int kd_types_member(struct kd_types *t, const char *type, const char *path,
		    struct kd_member *out, kd_err *err)
{
	struct memo *m = memo_find(t, type, path), v = { 0 };

	if (!m) {
		v.rc = member_uncached(t, type, path, &v.m, &v.err);
		memo_put(t, type, path, &v);
		m = &v;
	}
	if (m->rc != 0) {
		if (err)
			*err = m->err;
		return -1;
	}
	*out = m->m;
	return 0;
}

static int64_t size_uncached(struct kd_types *t, const char *type, kd_err *err)
{
	int id = find_type(t->btf, type);
	int64_t sz;

	if (id < 0)
		return kd_fail(err, KD_ERR_LOOKUP, "no type %s in the kernel's BTF", type);
	sz = btf__resolve_size(t->btf, (uint32_t)id);
	if (sz < 0)
		return kd_fail(err, KD_ERR_CORRUPT, "type %s has no size", type);
	return sz;
}

int64_t kd_types_size(struct kd_types *t, const char *type, kd_err *err)
{
	struct memo *m = memo_find(t, type, SIZE_KEY), v = { 0 };

	if (!m) {
		v.size = size_uncached(t, type, &v.err);
		v.rc = v.size < 0 ? -1 : 0;
		memo_put(t, type, SIZE_KEY, &v);
		m = &v;
	}
	if (m->rc != 0) {
		if (err)
			*err = m->err;
		return -1;
	}
	return m->size;
}

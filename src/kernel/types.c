#include "kernel/types.h"

#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

struct kd_types {
	struct btf *btf;
};

struct kd_types *kd_types_new(const void *data, size_t len, kd_err *err)
{
	struct kd_types *t = calloc(1, sizeof(*t));

	if (!t) {
		kd_fail(err, "out of memory");
		return NULL;
	}
	t->btf = btf__new(data, (uint32_t)len);
	if (!t->btf) {
		kd_fail(err, "BTF unreadable (%s)", strerror(errno));
		free(t);
		return NULL;
	}
	return t;
}

void kd_types_free(struct kd_types *t)
{
	if (!t)
		return;
	btf__free(t->btf);
	free(t);
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

int kd_types_member(struct kd_types *t, const char *type, const char *path,
		    struct kd_member *out, kd_err *err)
{
	int id = find_type(t->btf, type);
	uint64_t bits = 0;
	const struct btf_member *m = NULL;
	const struct btf_type *parent = NULL;
	char part[128];

	if (id < 0)
		return kd_fail(err, "no type %s in the kernel's BTF", type);
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ".");

		if (n == 0 || n >= sizeof(part))
			return kd_fail(err, "bad member path %s.%s", type, path);
		memcpy(part, p, n);
		part[n] = '\0';
		parent = btf__type_by_id(t->btf, (uint32_t)id);
		m = find_member(t->btf, id, part, &bits);
		if (!m)
			return kd_fail(err, "%s has no member %s (kernel too old or too new?)", type, path);
		id = btf__resolve_type(t->btf, m->type);
		p += n;
		if (*p == '.')
			p++;
	}
	if (!m)
		return kd_fail(err, "empty member path in %s", type);
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

int64_t kd_types_size(struct kd_types *t, const char *type, kd_err *err)
{
	int id = find_type(t->btf, type);
	int64_t sz;

	if (id < 0)
		return kd_fail(err, "no type %s in the kernel's BTF", type);
	sz = btf__resolve_size(t->btf, (uint32_t)id);
	if (sz < 0)
		return kd_fail(err, "type %s has no size", type);
	return sz;
}

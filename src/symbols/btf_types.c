/* BTF as a type source (symbols/types.h), through libbpf: the kernel's own
 * compact type format, a few MB, parsed in milliseconds. */
#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "symbols/types.h"

struct btf_src {
	struct kd_type_src base;
	struct btf *btf;
};

static struct btf *btf_of(struct kd_type_src *s)
{
	return ((struct btf_src *)s)->btf;
}

static kd_type ref(struct kd_type_src *s, uint32_t id)
{
	return (kd_type){ id ? s : NULL, id };
}

static const struct btf_type *type_at(struct kd_type_src *s, uint64_t id, kd_err *err)
{
	const struct btf_type *t = id <= UINT32_MAX ? btf__type_by_id(btf_of(s), (uint32_t)id) : NULL;

	if (!t)
		kd_fail(err, KD_ERR_CORRUPT, "BTF has no type %llu", (unsigned long long)id);
	return t;
}

static const char *name_of(struct kd_type_src *s, const struct btf_type *t)
{
	const char *n = btf__name_by_offset(btf_of(s), t->name_off);

	return n ? n : "";
}

/* A forward declaration stands for the definition of the same name, when
 * the BTF has one. */
static uint64_t definition(struct kd_type_src *s, uint64_t id, const struct btf_type **t)
{
	int full;

	if (!btf_is_fwd(*t))
		return id;
	full = btf__find_by_name_kind(btf_of(s), name_of(s, *t),
				      btf_kflag(*t) ? BTF_KIND_UNION : BTF_KIND_STRUCT);
	if (full > 0) {
		*t = btf__type_by_id(btf_of(s), (uint32_t)full);
		return (uint64_t)full;
	}
	return id;
}

static int btf_find(struct kd_type_src *s, const char *name, enum kd_type_kind kind, uint64_t *id,
		    kd_err *err)
{
	static const struct {
		enum kd_type_kind kind;
		int btf[2];
	} map[] = {
		{ KD_TYPE_STRUCT, { BTF_KIND_STRUCT, -1 } }, { KD_TYPE_UNION, { BTF_KIND_UNION, -1 } },
		{ KD_TYPE_ENUM, { BTF_KIND_ENUM, BTF_KIND_ENUM64 } },
		{ KD_TYPE_TYPEDEF, { BTF_KIND_TYPEDEF, -1 } }, { KD_TYPE_INT, { BTF_KIND_INT, -1 } },
		{ KD_TYPE_FLOAT, { BTF_KIND_FLOAT, -1 } },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (map[i].kind != kind)
			continue;
		for (int j = 0; j < 2 && map[i].btf[j] >= 0; j++) {
			int found = btf__find_by_name_kind(btf_of(s), name, (__u32)map[i].btf[j]);
			if (found > 0) {
				*id = (uint64_t)found;
				return 0;
			}
		}
	}
	return kd_fail(err, KD_ERR_LOOKUP, "no type %s in the BTF", name);
}

static int btf_info(struct kd_type_src *s, uint64_t id, struct kd_type_info *out, kd_err *err)
{
	const struct btf_type *t = type_at(s, id, err);
	int64_t size;

	if (!t)
		return -1;
	id = definition(s, id, &t);
	memset(out, 0, sizeof(*out));
	out->name = name_of(s, t);
	switch (btf_kind(t)) {
	case BTF_KIND_INT: {
		uint8_t enc = btf_int_encoding(t);
		out->kind = KD_TYPE_INT;
		out->size = t->size;
		out->is_signed = enc & BTF_INT_SIGNED;
		/* pahole marks no char as BTF_INT_CHAR: go by the name too */
		out->is_char = (enc & BTF_INT_CHAR) || (t->size == 1 && strstr(out->name, "char"));
		out->is_bool = enc & BTF_INT_BOOL;
		return 0;
	}
	case BTF_KIND_FLOAT:
		out->kind = KD_TYPE_FLOAT;
		out->size = t->size;
		return 0;
	case BTF_KIND_PTR:
		out->kind = KD_TYPE_PTR;
		out->size = 8;
		out->target = ref(s, t->type);
		return 0;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);
		out->kind = KD_TYPE_ARRAY;
		out->target = ref(s, a->type);
		out->count = a->nelems;
		size = btf__resolve_size(btf_of(s), (uint32_t)id);
		out->size = size > 0 ? (uint64_t)size : 0;
		return 0;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		out->kind = btf_is_struct(t) ? KD_TYPE_STRUCT : KD_TYPE_UNION;
		out->size = t->size;
		out->n = btf_vlen(t);
		return 0;
	case BTF_KIND_FWD:
		out->kind = btf_kflag(t) ? KD_TYPE_UNION : KD_TYPE_STRUCT;
		out->incomplete = true;
		return 0;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		out->kind = KD_TYPE_ENUM;
		out->size = t->size;
		out->n = btf_vlen(t);
		out->is_signed = btf_kflag(t);
		return 0;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
		out->kind = btf_is_typedef(t) ? KD_TYPE_TYPEDEF :
			    btf_is_volatile(t) ? KD_TYPE_VOLATILE :
			    btf_is_const(t) ? KD_TYPE_CONST : KD_TYPE_RESTRICT;
		out->target = ref(s, t->type);
		size = btf__resolve_size(btf_of(s), (uint32_t)id);
		out->size = size > 0 ? (uint64_t)size : 0;
		return 0;
	case BTF_KIND_TYPE_TAG:
		/* An annotation (__user, __rcu): the type it tags. */
		return btf_info(s, t->type, out, err);
	case BTF_KIND_FUNC:
		return btf_info(s, t->type, out, err);
	case BTF_KIND_FUNC_PROTO: {
		unsigned n = btf_vlen(t);
		const struct btf_param *p = btf_params(t);
		out->kind = KD_TYPE_FUNC;
		out->target = ref(s, t->type);
		out->variadic = n > 0 && p[n - 1].type == 0;
		out->n = out->variadic ? n - 1 : n;
		return 0;
	}
	default:
		return kd_fail(err, KD_ERR_UNSUPPORTED, "BTF type %llu is of kind %u, not a C type",
			       (unsigned long long)id, btf_kind(t));
	}
}

static int btf_member_at(struct kd_type_src *s, uint64_t id, size_t i, struct kd_type_member *out,
		      kd_err *err)
{
	const struct btf_type *t = type_at(s, id, err);
	const struct btf_member *m;

	if (!t)
		return -1;
	definition(s, id, &t);
	if (!btf_is_composite(t) || i >= btf_vlen(t))
		return kd_fail(err, KD_ERR_INVALID, "BTF type %llu has no member %zu",
			       (unsigned long long)id, i);
	m = btf_members(t) + i;
	out->name = btf__name_by_offset(btf_of(s), m->name_off);
	if (!out->name)
		out->name = "";
	out->type = ref(s, m->type);
	out->bit_offset = btf_member_bit_offset(t, (uint32_t)i);
	out->bit_size = btf_member_bitfield_size(t, (uint32_t)i);
	return 0;
}

static int btf_enumerator(struct kd_type_src *s, uint64_t id, size_t i, const char **name,
			  int64_t *value, kd_err *err)
{
	const struct btf_type *t = type_at(s, id, err);

	if (!t)
		return -1;
	if (btf_is_enum(t) && i < btf_vlen(t)) {
		const struct btf_enum *e = btf_enum(t) + i;
		*name = btf__name_by_offset(btf_of(s), e->name_off);
		*value = btf_kflag(t) ? (int64_t)(int32_t)e->val : (int64_t)(uint32_t)e->val;
		return 0;
	}
	if (btf_is_enum64(t) && i < btf_vlen(t)) {
		const struct btf_enum64 *e = btf_enum64(t) + i;
		*name = btf__name_by_offset(btf_of(s), e->name_off);
		*value = (int64_t)btf_enum64_value(e);
		return 0;
	}
	return kd_fail(err, KD_ERR_INVALID, "BTF type %llu has no enumerator %zu",
		       (unsigned long long)id, i);
}

static int btf_parameter(struct kd_type_src *s, uint64_t id, size_t i, kd_type *out, kd_err *err)
{
	const struct btf_type *t = type_at(s, id, err);

	if (!t)
		return -1;
	if (btf_is_func(t) && !(t = type_at(s, t->type, err)))
		return -1;
	if (!btf_is_func_proto(t) || i >= btf_vlen(t))
		return kd_fail(err, KD_ERR_INVALID, "BTF type %llu has no parameter %zu",
			       (unsigned long long)id, i);
	*out = ref(s, btf_params(t)[i].type);
	return 0;
}

/* vmlinux BTF keeps variables only for the per-CPU ones. */
static int btf_variable(struct kd_type_src *s, const char *name, kd_type *type, uint64_t *addr,
		   kd_err *err)
{
	int id = btf__find_by_name_kind(btf_of(s), name, BTF_KIND_VAR);

	if (id <= 0)
		return kd_fail(err, KD_ERR_LOOKUP, "no variable %s in the BTF", name);
	*type = ref(s, btf__type_by_id(btf_of(s), (uint32_t)id)->type);
	*addr = UINT64_MAX;
	return 0;
}

static int btf_function(struct kd_type_src *s, const char *name, kd_type *type, kd_err *err)
{
	int id = btf__find_by_name_kind(btf_of(s), name, BTF_KIND_FUNC);

	if (id <= 0)
		return kd_fail(err, KD_ERR_LOOKUP, "no function %s in the BTF", name);
	*type = ref(s, (uint32_t)id);
	return 0;
}

static int btf_enum_const(struct kd_type_src *s, const char *name, kd_type *type, int64_t *value,
			  kd_err *err)
{
	uint32_t n = btf__type_cnt(btf_of(s));

	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf_of(s), id);
		if (!btf_is_any_enum(t))
			continue;
		for (size_t i = 0; i < btf_vlen(t); i++) {
			const char *en;
			if (btf_enumerator(s, id, i, &en, value, NULL) == 0 && en && strcmp(en, name) == 0) {
				*type = ref(s, id);
				return 0;
			}
		}
	}
	return kd_fail(err, KD_ERR_LOOKUP, "no enum constant %s in the BTF", name);
}

static int btf_names(struct kd_type_src *s, enum kd_type_kind kind, const char *prefix,
		     void (*cb)(const char *name, void *arg), void *arg, kd_err *err)
{
	int want = kind == KD_TYPE_STRUCT ? BTF_KIND_STRUCT : kind == KD_TYPE_UNION ? BTF_KIND_UNION :
		   kind == KD_TYPE_TYPEDEF ? BTF_KIND_TYPEDEF : -1;
	size_t len = strlen(prefix);
	__u32 n = btf__type_cnt(btf_of(s));

	if (want < 0)
		return kd_fail(err, KD_ERR_INVALID, "types of kind %d are not listed", kind);
	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf_of(s), id);
		const char *name;
		if (t && btf_kind(t) == want && *(name = name_of(s, t)) && strncmp(name, prefix, len) == 0)
			cb(name, arg);
	}
	return 0;
}

static void btf_free(struct kd_type_src *s)
{
	btf__free(btf_of(s));
	free(s);
}

static const struct kd_type_src_ops btf_ops = {
	.format = "BTF",
	.find = btf_find,
	.info = btf_info,
	.member = btf_member_at,
	.enumerator = btf_enumerator,
	.param = btf_parameter,
	.var = btf_variable,
	.func = btf_function,
	.enum_const = btf_enum_const,
	.names = btf_names,
	.free = btf_free,
};

struct kd_type_src *kd_btf_types_new(const void *data, size_t len, kd_err *err)
{
	struct btf_src *s = calloc(1, sizeof(*s));

	if (!s) {
		kd_oom(err);
		return NULL;
	}
	s->base.ops = &btf_ops;
	s->btf = btf__new(data, (uint32_t)len);
	if (!s->btf) {
		kd_fail(err, KD_ERR_CORRUPT, "BTF unreadable (%s)", strerror(errno));
		free(s);
		return NULL;
	}
	return &s->base;
}

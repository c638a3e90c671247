#include "symbols/types.h"

#include "base/err.h"

static int no_source(kd_err *err)
{
	return kd_fail(err, KD_ERR_INVALID, "this type has no such parts");
}

int kd_type_info(kd_type t, struct kd_type_info *out, kd_err *err)
{
	if (!t.src) {
		*out = (struct kd_type_info){ .kind = KD_TYPE_VOID, .name = "void" };
		return 0;
	}
	return t.src->ops->info(t.src, t.id, out, err);
}

int kd_type_member(kd_type t, size_t i, struct kd_type_member *out, kd_err *err)
{
	return t.src && t.src->ops->member ? t.src->ops->member(t.src, t.id, i, out, err)
					  : no_source(err);
}

int kd_type_enumerator(kd_type t, size_t i, const char **name, int64_t *value, kd_err *err)
{
	return t.src && t.src->ops->enumerator ? t.src->ops->enumerator(t.src, t.id, i, name, value, err)
					      : no_source(err);
}

int kd_type_param(kd_type t, size_t i, kd_type *out, kd_err *err)
{
	return t.src && t.src->ops->param ? t.src->ops->param(t.src, t.id, i, out, err)
					 : no_source(err);
}

/* Typedef chains are short; a longer one is a loop in corrupt data. */
#define MAX_CHAIN 64

int kd_type_resolve(kd_type t, kd_type *out, kd_err *err)
{
	for (int i = 0; i < MAX_CHAIN; i++) {
		struct kd_type_info ti;

		if (kd_type_info(t, &ti, err) != 0)
			return -1;
		if (ti.kind != KD_TYPE_TYPEDEF && ti.kind != KD_TYPE_CONST &&
		    ti.kind != KD_TYPE_VOLATILE && ti.kind != KD_TYPE_RESTRICT) {
			*out = t;
			return 0;
		}
		t = ti.target;
	}
	return kd_fail(err, KD_ERR_CORRUPT, "type %llu: typedefs that never end",
		       (unsigned long long)t.id);
}

bool kd_type_is_void(kd_type t)
{
	return !t.src;
}

void kd_type_src_free(struct kd_type_src *s)
{
	if (s && s->ops->free)
		s->ops->free(s);
}

/* DWARF as a type source (symbols/types.h), through libdw: for kernels
 * built without BTF, for what BTF leaves out (global variables, types no
 * BTF-visible code uses) and for modules built without it. Names are
 * found through the index (dwarf_index.h), built on first use. A type id
 * is a DIE offset; an array's inner dimensions carry their number in the
 * top byte (int a[2][3] is one DIE with two subranges). */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "symbols/dwarf_index.h"
#include "symbols/symbolizer.h"
#include "symbols/types.h"

#define DIM_SHIFT 56
#define DIE_MASK ((1ULL << DIM_SHIFT) - 1)

struct dwarf_src {
	struct kd_type_src base;
	Dwarf *dw;
	char build_id[129];
	char *cache_dir;
	struct kd_dwarf_index *idx;
	int idx_state;            /* 0 not built, 1 built, -1 failed: why */
	kd_err idx_err;
};

static struct dwarf_src *src_of(struct kd_type_src *s)
{
	return (struct dwarf_src *)s;
}

static int die_at(struct kd_type_src *s, uint64_t id, Dwarf_Die *d, kd_err *err)
{
	if (!dwarf_offdie(src_of(s)->dw, id & DIE_MASK, d))
		return kd_fail(err, KD_ERR_CORRUPT, "no DWARF DIE at 0x%llx",
			       (unsigned long long)(id & DIE_MASK));
	return 0;
}

static const struct kd_dwarf_index *index_of(struct kd_type_src *s, kd_err *err)
{
	struct dwarf_src *ds = src_of(s);

	if (ds->idx_state == 0) {
		ds->idx = kd_dwarf_index_get(ds->dw, ds->build_id, ds->cache_dir, &ds->idx_err);
		ds->idx_state = ds->idx ? 1 : -1;
	}
	if (ds->idx_state < 0) {
		if (err)
			*err = ds->idx_err;
		return NULL;
	}
	return ds->idx;
}

/* DW_AT_type of d as a type; void when it has none. */
static kd_type type_attr(struct kd_type_src *s, Dwarf_Die *d)
{
	Dwarf_Attribute a;
	Dwarf_Die t;

	if (!dwarf_attr_integrate(d, DW_AT_type, &a) || !dwarf_formref_die(&a, &t))
		return (kd_type){ NULL, 0 };
	return (kd_type){ s, dwarf_dieoffset(&t) };
}

static uint64_t udata(Dwarf_Die *d, unsigned at, uint64_t dflt)
{
	Dwarf_Attribute a;
	Dwarf_Word w;

	return dwarf_attr_integrate(d, at, &a) && dwarf_formudata(&a, &w) == 0 ? w : dflt;
}

static bool flag(Dwarf_Die *d, unsigned at)
{
	Dwarf_Attribute a;
	bool f = false;

	return dwarf_attr_integrate(d, at, &a) && dwarf_formflag(&a, &f) == 0 && f;
}

/* The nth child of d with tag (SIZE_MAX n: how many there are). */
static size_t nth_child(Dwarf_Die *d, int tag, size_t n, Dwarf_Die *out)
{
	Dwarf_Die c;
	size_t i = 0;

	if (dwarf_child(d, &c) != 0)
		return 0;
	do {
		if (dwarf_tag(&c) != tag)
			continue;
		if (i == n) {
			*out = c;
			return i;
		}
		i++;
	} while (dwarf_siblingof(&c, &c) == 0);
	return i;
}

static size_t count_children(Dwarf_Die *d, int tag)
{
	Dwarf_Die unused;

	return nth_child(d, tag, SIZE_MAX, &unused);
}

/* A struct, union or enum that is only declared here: its definition in
 * another compile unit, found by name. */
static uint64_t definition(struct kd_type_src *s, Dwarf_Die *d, uint64_t id)
{
	static const struct {
		int tag;
		enum kd_dwarf_name_kind kind;
	} map[] = {
		{ DW_TAG_structure_type, KD_DWN_STRUCT },
		{ DW_TAG_union_type, KD_DWN_UNION },
		{ DW_TAG_enumeration_type, KD_DWN_ENUM },
	};
	const struct kd_dwarf_index *idx;
	const char *name = dwarf_diename(d);
	uint64_t def;

	if (!name || !flag(d, DW_AT_declaration) || !(idx = index_of(s, NULL)))
		return id;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (dwarf_tag(d) == map[i].tag && kd_dwarf_index_find(idx, name, map[i].kind, &def, 1) &&
		    dwarf_offdie(src_of(s)->dw, def, d))
			return def;
	return id;
}

static int array_info(struct kd_type_src *s, uint64_t id, Dwarf_Die *d, struct kd_type_info *out,
		      kd_err *err)
{
	unsigned dim = (unsigned)(id >> DIM_SHIFT);
	size_t ndims = count_children(d, DW_TAG_subrange_type);
	Dwarf_Die sub;
	struct kd_type_info elem;

	if (dim >= ndims || nth_child(d, DW_TAG_subrange_type, dim, &sub) != dim)
		return kd_fail(err, KD_ERR_CORRUPT, "DWARF array at 0x%llx has no dimension %u",
			       (unsigned long long)(id & DIE_MASK), dim);
	out->kind = KD_TYPE_ARRAY;
	out->count = udata(&sub, DW_AT_count, 0);
	if (!out->count && dwarf_hasattr(&sub, DW_AT_upper_bound)) {
		Dwarf_Attribute a;
		Dwarf_Sword ub;
		if (dwarf_formsdata(dwarf_attr(&sub, DW_AT_upper_bound, &a), &ub) == 0 && ub >= 0)
			out->count = (uint64_t)ub + 1 - udata(&sub, DW_AT_lower_bound, 0);
	}
	out->target = dim + 1 < ndims ? (kd_type){ s, (id & DIE_MASK) | (uint64_t)(dim + 1) << DIM_SHIFT }
				       : type_attr(s, d);
	if (kd_type_info(out->target, &elem, err) != 0)
		return -1;
	out->size = out->count * elem.size;
	return 0;
}

static int dw_info(struct kd_type_src *s, uint64_t id, struct kd_type_info *out, kd_err *err)
{
	Dwarf_Die d;
	const char *name;

	if (die_at(s, id, &d, err) != 0)
		return -1;
	memset(out, 0, sizeof(*out));
	name = dwarf_diename(&d);
	out->name = name ? name : "";
	switch (dwarf_tag(&d)) {
	case DW_TAG_base_type: {
		uint64_t enc = udata(&d, DW_AT_encoding, 0);
		out->kind = enc == DW_ATE_float ? KD_TYPE_FLOAT : KD_TYPE_INT;
		out->size = udata(&d, DW_AT_byte_size, 0);
		out->is_signed = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
		out->is_char = enc == DW_ATE_signed_char || enc == DW_ATE_unsigned_char;
		out->is_bool = enc == DW_ATE_boolean;
		return 0;
	}
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
		out->kind = KD_TYPE_PTR;
		out->size = udata(&d, DW_AT_byte_size, 8);
		out->target = type_attr(s, &d);
		return 0;
	case DW_TAG_array_type:
		return array_info(s, id, &d, out, err);
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_class_type:
		id = definition(s, &d, id);
		out->kind = dwarf_tag(&d) == DW_TAG_union_type ? KD_TYPE_UNION : KD_TYPE_STRUCT;
		out->incomplete = flag(&d, DW_AT_declaration);
		out->size = udata(&d, DW_AT_byte_size, 0);
		out->n = count_children(&d, DW_TAG_member);
		return 0;
	case DW_TAG_enumeration_type: {
		struct kd_type_info under;
		id = definition(s, &d, id);
		out->kind = KD_TYPE_ENUM;
		out->incomplete = flag(&d, DW_AT_declaration);
		out->size = udata(&d, DW_AT_byte_size, 4);
		out->n = count_children(&d, DW_TAG_enumerator);
		out->is_signed = kd_type_info(type_attr(s, &d), &under, NULL) == 0 && under.is_signed;
		return 0;
	}
	case DW_TAG_typedef:
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type: {
		struct kd_type_info t;
		int tag = dwarf_tag(&d);
		out->kind = tag == DW_TAG_typedef ? KD_TYPE_TYPEDEF :
			    tag == DW_TAG_const_type ? KD_TYPE_CONST :
			    tag == DW_TAG_volatile_type ? KD_TYPE_VOLATILE : KD_TYPE_RESTRICT;
		out->target = type_attr(s, &d);
		if (kd_type_info(out->target, &t, err) != 0)
			return -1;
		out->size = t.size;
		return 0;
	}
	case DW_TAG_atomic_type:
		return kd_type_info(type_attr(s, &d), out, err);
	case DW_TAG_subroutine_type:
	case DW_TAG_subprogram:
		out->kind = KD_TYPE_FUNC;
		out->target = type_attr(s, &d);
		out->n = count_children(&d, DW_TAG_formal_parameter);
		out->variadic = count_children(&d, DW_TAG_unspecified_parameters) > 0;
		return 0;
	case DW_TAG_unspecified_type:
		out->kind = KD_TYPE_VOID;
		return 0;
	default:
		return kd_fail(err, KD_ERR_UNSUPPORTED, "DWARF DIE at 0x%llx (tag 0x%x) is not a C type",
			       (unsigned long long)(id & DIE_MASK), dwarf_tag(&d));
	}
}

/* Where a member starts, in bits: DW_AT_data_bit_offset (DWARF 4+), or
 * DW_AT_data_member_location in bytes with DWARF 2/3's DW_AT_bit_offset
 * counted from the storage unit's most significant bit. */
static uint64_t member_bits(Dwarf_Die *m, uint32_t bit_size)
{
	Dwarf_Attribute a;
	Dwarf_Word w;
	uint64_t bits = 0;

	if (dwarf_hasattr(m, DW_AT_data_bit_offset))
		return udata(m, DW_AT_data_bit_offset, 0);
	if (dwarf_attr(m, DW_AT_data_member_location, &a)) {
		Dwarf_Op *ops;
		size_t n;
		if (dwarf_formudata(&a, &w) == 0)
			bits = w * 8;
		else if (dwarf_getlocation(&a, &ops, &n) == 0 && n == 1 &&
			 ops[0].atom == DW_OP_plus_uconst)
			bits = ops[0].number * 8;
	}
	if (bit_size && dwarf_hasattr(m, DW_AT_bit_offset)) {
		uint64_t unit = udata(m, DW_AT_byte_size, 0) * 8;
		uint64_t from_msb = udata(m, DW_AT_bit_offset, 0);
		if (unit >= from_msb + bit_size)
			bits += unit - from_msb - bit_size;
	}
	return bits;
}

static int composite(struct kd_type_src *s, uint64_t id, Dwarf_Die *d, kd_err *err)
{
	if (die_at(s, id, d, err) != 0)
		return -1;
	definition(s, d, id);
	return 0;
}

static int dw_member(struct kd_type_src *s, uint64_t id, size_t i, struct kd_type_member *out,
		     kd_err *err)
{
	Dwarf_Die d, m;
	const char *name;

	if (composite(s, id, &d, err) != 0)
		return -1;
	if (nth_child(&d, DW_TAG_member, i, &m) != i)
		return kd_fail(err, KD_ERR_INVALID, "DWARF type at 0x%llx has no member %zu",
			       (unsigned long long)id, i);
	name = dwarf_diename(&m);
	out->name = name ? name : "";
	out->type = type_attr(s, &m);
	out->bit_size = (uint32_t)udata(&m, DW_AT_bit_size, 0);
	out->bit_offset = member_bits(&m, out->bit_size);
	return 0;
}

static int dw_enumerator(struct kd_type_src *s, uint64_t id, size_t i, const char **name,
			 int64_t *value, kd_err *err)
{
	Dwarf_Die d, e;
	Dwarf_Attribute a;
	Dwarf_Sword v;

	if (composite(s, id, &d, err) != 0)
		return -1;
	if (nth_child(&d, DW_TAG_enumerator, i, &e) != i ||
	    dwarf_formsdata(dwarf_attr(&e, DW_AT_const_value, &a), &v) != 0)
		return kd_fail(err, KD_ERR_INVALID, "DWARF enum at 0x%llx has no enumerator %zu",
			       (unsigned long long)id, i);
	*name = dwarf_diename(&e);
	*value = v;
	return 0;
}

static int dw_param(struct kd_type_src *s, uint64_t id, size_t i, kd_type *out, kd_err *err)
{
	Dwarf_Die d, p;

	if (die_at(s, id, &d, err) != 0)
		return -1;
	if (nth_child(&d, DW_TAG_formal_parameter, i, &p) != i)
		return kd_fail(err, KD_ERR_INVALID, "DWARF function at 0x%llx has no parameter %zu",
			       (unsigned long long)id, i);
	*out = type_attr(s, &p);
	return 0;
}

/* The index's kind for a named type's. */
static int index_kind(enum kd_type_kind kind, enum kd_dwarf_name_kind *k, kd_err *err)
{
	switch (kind) {
	case KD_TYPE_STRUCT: *k = KD_DWN_STRUCT; return 0;
	case KD_TYPE_UNION: *k = KD_DWN_UNION; return 0;
	case KD_TYPE_ENUM: *k = KD_DWN_ENUM; return 0;
	case KD_TYPE_TYPEDEF: *k = KD_DWN_TYPEDEF; return 0;
	case KD_TYPE_INT:
	case KD_TYPE_FLOAT: *k = KD_DWN_BASE; return 0;
	default: return kd_fail(err, KD_ERR_INVALID, "types of kind %d are not named", kind);
	}
}

static int dw_names(struct kd_type_src *s, enum kd_type_kind kind, const char *prefix,
		    void (*cb)(const char *name, void *arg), void *arg, kd_err *err)
{
	const struct kd_dwarf_index *idx = index_of(s, err);
	enum kd_dwarf_name_kind k;

	if (!idx || index_kind(kind, &k, err) != 0)
		return -1;
	kd_dwarf_index_names(idx, k, prefix, cb, arg);
	return 0;
}

static int dw_find(struct kd_type_src *s, const char *name, enum kd_type_kind kind, uint64_t *id,
		   kd_err *err)
{
	const struct kd_dwarf_index *idx = index_of(s, err);
	enum kd_dwarf_name_kind k;

	if (!idx || index_kind(kind, &k, err) != 0)
		return -1;
	if (!kd_dwarf_index_find(idx, name, k, id, 1))
		return kd_fail(err, KD_ERR_LOOKUP, "no type %s in the DWARF", name);
	return 0;
}

/* The address a variable's location names, when it is one DW_OP_addr. */
static bool static_address(Dwarf_Die *d, uint64_t *addr)
{
	Dwarf_Attribute a;
	Dwarf_Op *ops;
	size_t n;

	if (!dwarf_attr(d, DW_AT_location, &a) || dwarf_getlocation(&a, &ops, &n) != 0 || n != 1 ||
	    ops[0].atom != DW_OP_addr)
		return false;
	*addr = ops[0].number;
	return true;
}

static int dw_var(struct kd_type_src *s, const char *name, kd_type *type, uint64_t *addr,
		  kd_err *err)
{
	const struct kd_dwarf_index *idx = index_of(s, err);
	uint64_t die;
	Dwarf_Die d;

	if (!idx)
		return -1;
	/* a definition, else a declaration (the linker may define it) */
	if (!kd_dwarf_index_find(idx, name, KD_DWN_VAR, &die, 1) &&
	    !kd_dwarf_index_find(idx, name, KD_DWN_VAR_DECL, &die, 1))
		return kd_fail(err, KD_ERR_LOOKUP, "no variable %s in the DWARF", name);
	if (die_at(s, die, &d, err) != 0)
		return -1;
	*type = type_attr(s, &d);
	if (!static_address(&d, addr))
		*addr = UINT64_MAX;
	return 0;
}

static int dw_func(struct kd_type_src *s, const char *name, kd_type *type, kd_err *err)
{
	const struct kd_dwarf_index *idx = index_of(s, err);
	uint64_t die;

	if (!idx)
		return -1;
	if (!kd_dwarf_index_find(idx, name, KD_DWN_FUNC, &die, 1))
		return kd_fail(err, KD_ERR_LOOKUP, "no function %s in the DWARF", name);
	*type = (kd_type){ s, die };
	return 0;
}

static int dw_enum_const(struct kd_type_src *s, const char *name, kd_type *type, int64_t *value,
			 kd_err *err)
{
	const struct kd_dwarf_index *idx = index_of(s, err);
	struct kd_type_info ti;
	uint64_t die;

	if (!idx)
		return -1;
	if (!kd_dwarf_index_find(idx, name, KD_DWN_ENUMERATOR, &die, 1))
		return kd_fail(err, KD_ERR_LOOKUP, "no enum constant %s in the DWARF", name);
	*type = (kd_type){ s, die };
	if (dw_info(s, die, &ti, err) != 0)
		return -1;
	for (size_t i = 0; i < ti.n; i++) {
		const char *en;
		if (dw_enumerator(s, die, i, &en, value, NULL) == 0 && en && strcmp(en, name) == 0)
			return 0;
	}
	return kd_fail(err, KD_ERR_CORRUPT, "enum at 0x%llx lost its constant %s",
		       (unsigned long long)die, name);
}

static void dw_free(struct kd_type_src *s)
{
	struct dwarf_src *ds = src_of(s);

	kd_dwarf_index_free(ds->idx);
	free(ds->cache_dir);
	free(ds);
}

static const struct kd_type_src_ops dwarf_ops = {
	.format = "DWARF",
	.find = dw_find,
	.info = dw_info,
	.member = dw_member,
	.enumerator = dw_enumerator,
	.param = dw_param,
	.var = dw_var,
	.func = dw_func,
	.enum_const = dw_enum_const,
	.names = dw_names,
	.free = dw_free,
};

struct kd_type_src *kd_dwarf_types_new(struct kd_symfile *sf, const char *cache_dir, kd_err *err)
{
	struct dwarf_src *s;
	Dwarf *dw = kd_symfile_dwarf(sf);

	if (!dw) {
		kd_fail(err, KD_ERR_LOOKUP, "no DWARF debug info");
		return NULL;
	}
	if (!(s = calloc(1, sizeof(*s))) || (cache_dir && !(s->cache_dir = strdup(cache_dir)))) {
		free(s);
		kd_oom(err);
		return NULL;
	}
	s->base.ops = &dwarf_ops;
	s->dw = dw;
	snprintf(s->build_id, sizeof(s->build_id), "%s", kd_symfile_build_id(sf));
	return &s->base;
}

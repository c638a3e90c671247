/* The C type model of debug info, whatever its format: a type is a handle
 * (its source and an id within it) with a kind, a name, a size and what it
 * is made of. BTF (btf_types.c) and DWARF (dwarf_types.c) are sources;
 * kernel/types.c decides which answers a name. */
#ifndef KD_SYMBOLS_TYPES_H
#define KD_SYMBOLS_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kdive/kdive.h"

struct kd_type_src;

typedef struct kd_type {
	struct kd_type_src *src; /* NULL: void */
	uint64_t id;             /* the source's own: a BTF type id, a DIE offset */
} kd_type;

enum kd_type_kind {
	KD_TYPE_VOID,
	KD_TYPE_INT,      /* char, bool and enum-less integers */
	KD_TYPE_FLOAT,
	KD_TYPE_PTR,
	KD_TYPE_ARRAY,
	KD_TYPE_STRUCT,
	KD_TYPE_UNION,
	KD_TYPE_ENUM,
	KD_TYPE_TYPEDEF,
	KD_TYPE_FUNC,     /* a function type: return type, parameters */
	KD_TYPE_CONST,
	KD_TYPE_VOLATILE,
	KD_TYPE_RESTRICT,
};

struct kd_type_info {
	enum kd_type_kind kind;
	const char *name;    /* "" when anonymous; owned by the source */
	uint64_t size;       /* bytes; 0 for void, functions and incomplete types */
	kd_type target;      /* PTR, ARRAY (element), TYPEDEF, qualifiers, FUNC (return) */
	uint64_t count;      /* ARRAY: elements (0: flexible or unknown) */
	bool is_signed;      /* INT, ENUM */
	bool is_char;        /* INT: a char type */
	bool is_bool;        /* INT: _Bool */
	bool incomplete;     /* STRUCT/UNION/ENUM declared, not defined here */
	size_t n;            /* STRUCT/UNION members, ENUM values, FUNC parameters */
	bool variadic;       /* FUNC */
};

struct kd_type_member {
	const char *name;    /* "" for an anonymous struct or union */
	kd_type type;
	uint64_t bit_offset; /* from the start of the containing type */
	uint32_t bit_size;   /* 0 unless a bit-field */
};

/* What a source answers; each call may fail with err (a corrupt id). */
struct kd_type_src_ops {
	const char *format; /* "BTF", "DWARF" */
	/* The definition called name of kind (STRUCT, UNION, ENUM, TYPEDEF,
	 * INT, FLOAT); 0, or -1 with KD_ERR_LOOKUP. */
	int (*find)(struct kd_type_src *s, const char *name, enum kd_type_kind kind, uint64_t *id,
		    kd_err *err);
	int (*info)(struct kd_type_src *s, uint64_t id, struct kd_type_info *out, kd_err *err);
	int (*member)(struct kd_type_src *s, uint64_t id, size_t i, struct kd_type_member *out,
		      kd_err *err);
	int (*enumerator)(struct kd_type_src *s, uint64_t id, size_t i, const char **name,
			  int64_t *value, kd_err *err);
	int (*param)(struct kd_type_src *s, uint64_t id, size_t i, kd_type *out, kd_err *err);
	/* A global variable's type and link-time address (NULL when the
	 * source keeps no variables). */
	int (*var)(struct kd_type_src *s, const char *name, kd_type *type, uint64_t *addr,
		   kd_err *err);
	/* The function called name, as a type of kind FUNC. */
	int (*func)(struct kd_type_src *s, const char *name, kd_type *type, kd_err *err);
	/* The enum constant called name: its type and value. */
	int (*enum_const)(struct kd_type_src *s, const char *name, kd_type *type, int64_t *value,
			  kd_err *err);
	/* cb for each name of a type of kind (STRUCT, UNION, TYPEDEF) that
	 * starts with prefix, maybe more than once (Tab completion). */
	int (*names)(struct kd_type_src *s, enum kd_type_kind kind, const char *prefix,
		     void (*cb)(const char *name, void *arg), void *arg, kd_err *err);
	void (*free)(struct kd_type_src *s);
};

struct kd_type_src {
	const struct kd_type_src_ops *ops;
};

int kd_type_info(kd_type t, struct kd_type_info *out, kd_err *err);
int kd_type_member(kd_type t, size_t i, struct kd_type_member *out, kd_err *err);
int kd_type_enumerator(kd_type t, size_t i, const char **name, int64_t *value, kd_err *err);
int kd_type_param(kd_type t, size_t i, kd_type *out, kd_err *err);

/* t with typedefs and qualifiers stripped. */
int kd_type_resolve(kd_type t, kd_type *out, kd_err *err);

bool kd_type_is_void(kd_type t);

void kd_type_src_free(struct kd_type_src *s);

/* Sources. */
struct kd_symfile;
/* BTF bytes (copied); base: the vmlinux BTF a module's split BTF extends. */
struct kd_type_src *kd_btf_types_new(const void *data, size_t len, kd_err *err);
/* The DWARF of sf, with a name index built on first use and kept under
 * cache_dir by build-id (NULL: not kept). */
struct kd_type_src *kd_dwarf_types_new(struct kd_symfile *sf, const char *cache_dir, kd_err *err);

#endif

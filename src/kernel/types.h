/* The crashed kernel's C types: from the vmlinux's BTF where it has them
 * (compact, parsed in milliseconds), else from its DWARF through a name
 * index kept on disk (kernels built without BTF, and what BTF leaves out,
 * such as global variables). Answers to names are remembered: a task walk
 * asks the same members of task_struct for every task. */
#ifndef KD_KERNEL_TYPES_H
#define KD_KERNEL_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "kdive/kdive.h"
#include "symbols/type_format.h" /* how a type is written: part of the kernel's types' API */
#include "symbols/types.h"

struct kd_types;
struct kd_symfile;

/* btf: the vmlinux's .BTF bytes, or NULL; dwarf: the vmlinux with its
 * DWARF, or NULL; cache_dir: where DWARF name indexes are kept (NULL: not
 * kept). At least one of btf and dwarf is needed. */
struct kd_types *kd_types_new(const void *btf, size_t btf_len, struct kd_symfile *dwarf,
			      const char *cache_dir, kd_err *err);
void kd_types_free(struct kd_types *t);

/* "BTF", "DWARF": where struct layouts come from. */
const char *kd_types_source(const struct kd_types *t);

/* A named type: "struct task_struct", "union thread_union", "enum
 * pid_type", "int", or a bare name: a struct, a union, then a typedef of
 * that name. */
int kd_types_find(struct kd_types *t, const char *name, kd_type *out, kd_err *err);

struct kd_member {
	uint64_t offset;     /* bytes from the start of the struct */
	uint64_t size;       /* bytes; 0 for bit-fields */
	uint32_t bit_offset; /* within the byte at offset, for bit-fields */
	uint32_t bit_size;   /* 0 unless a bit-field */
	kd_type type;
};

/* cb for each struct, union or typedef name (kind) that starts with
 * prefix, the vmlinux's (its BTF, else its DWARF) then the modules'; a
 * name may come more than once. */
int kd_types_names(struct kd_types *t, enum kd_type_kind kind, const char *prefix,
		   void (*cb)(const char *name, void *arg), void *arg, kd_err *err);

/* Layout of "a.b.c" inside struct/union `type` (anonymous members are
 * looked through). Returns 0, or -1 naming what is missing. */
int kd_types_member(struct kd_types *t, const char *type, const char *path,
		    struct kd_member *out, kd_err *err);

/* The same inside any struct or union type t (a module's too); type names
 * it in errors. */
int kd_type_member_path(kd_type t, const char *type, const char *path, struct kd_member *out,
			kd_err *err);

/* What to say after "TYPE has no member NAME": members with names like it,
 * or where to see them all. */
void kd_type_member_hint(kd_type t, const char *name, char *buf, size_t len);

/* sizeof(struct/union/typedef `type`), or -1 with err. */
int64_t kd_types_size(struct kd_types *t, const char *type, kd_err *err);

/* A global variable's type, and its link-time address when the debug
 * info says (else UINT64_MAX). */
int kd_types_var(struct kd_types *t, const char *name, kd_type *type, uint64_t *addr, kd_err *err);

/* Types an expression makes that the debug info need not have: a pointer
 * to any type (&x, casts), and an integer of a size and sign (literals,
 * arithmetic): the debug info's own when it has one ("int", "unsigned
 * long"), else made up. */
int kd_types_pointer_to(struct kd_types *t, kd_type target, kd_type *out, kd_err *err);
int kd_types_int(struct kd_types *t, unsigned size, bool is_signed, kd_type *out, kd_err *err);

/* A module's types (its .ko's DWARF), searched after the vmlinux's by
 * kd_types_find, kd_types_module_var and kd_types_enum_const. The types
 * own src. */
int kd_types_add_module(struct kd_types *t, const char *module, struct kd_type_src *src,
			kd_err *err);
/* Forgets a module's types (its debug info is about to be closed). */
void kd_types_remove_module(struct kd_types *t, const char *module);

/* A module's static or global variable's type (the address comes from
 * its symbol table). */
int kd_types_module_var(struct kd_types *t, const char *module, const char *name, kd_type *type,
			kd_err *err);

/* A function's type (kind FUNC). */
int kd_types_func(struct kd_types *t, const char *name, kd_type *type, kd_err *err);

/* An enum constant's enum type and value. */
int kd_types_enum_const(struct kd_types *t, const char *name, kd_type *type, int64_t *value,
			kd_err *err);

#endif

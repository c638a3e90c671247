/* A name index of a DWARF file's definitions: the types, variables,
 * functions and enum constants its compile units define at top level, by
 * name. One pass over the top-level DIEs builds it (about half a second
 * for a distribution's 160 MB vmlinux DWARF); it is then kept on disk by
 * build-id, so later sessions open it at once. */
#ifndef KD_SYMBOLS_DWARF_INDEX_H
#define KD_SYMBOLS_DWARF_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "kdive/kdive.h"

enum kd_dwarf_name_kind {
	KD_DWN_STRUCT = 1,
	KD_DWN_UNION,
	KD_DWN_ENUM,
	KD_DWN_TYPEDEF,
	KD_DWN_BASE,       /* int, char, _Bool, float... */
	KD_DWN_VAR,        /* variables with a location, every CU's */
	KD_DWN_FUNC,       /* function definitions, every CU's */
	KD_DWN_ENUMERATOR, /* die: the enumeration type that defines it */
	KD_DWN_VAR_DECL,   /* variables only declared (extern; jiffies, set by the linker) */
};

struct kd_dwarf_index;

/* Indexes dw, or loads the index kept in cache_dir for build_id (when
 * both are given and the file there is valid; a missing, stale or corrupt
 * one is rebuilt and rewritten, never trusted). */
typedef struct Dwarf Dwarf;
struct kd_dwarf_index *kd_dwarf_index_get(Dwarf *dw, const char *build_id, const char *cache_dir,
					  kd_err *err);
void kd_dwarf_index_free(struct kd_dwarf_index *idx);

/* The DIE offsets defining name as kind, up to max of them; returns how
 * many there are in all. Types are indexed once (the first CU's
 * definition); variables and functions once per CU that defines one. */
size_t kd_dwarf_index_find(const struct kd_dwarf_index *idx, const char *name,
			   enum kd_dwarf_name_kind kind, uint64_t *dies, size_t max);

/* Calls cb with every name of kind that starts with prefix (a variable
 * or function as often as CUs define it): Tab completion. */
void kd_dwarf_index_names(const struct kd_dwarf_index *idx, enum kd_dwarf_name_kind kind,
			  const char *prefix, void (*cb)(const char *name, void *arg), void *arg);

/* An index file's bytes, checked as untrusted input: NULL with err when
 * they are not a valid index of a DWARF of debug_info_size bytes with this
 * build-id. (kd_dwarf_index_get uses it on the cached file.) */
struct kd_dwarf_index *kd_dwarf_index_parse(const void *data, size_t len, const char *build_id,
					    uint64_t debug_info_size, kd_err *err);

#endif

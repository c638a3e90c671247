/* C types as gdb (and so crash) writes them: "unsigned long", "struct
 * task_struct *", a declaration "char name[24]" or "int (*fn)(int, char
 * *)", and a struct's body as ptype and crash's struct command print it. */
#ifndef KD_SYMBOLS_TYPE_FORMAT_H
#define KD_SYMBOLS_TYPE_FORMAT_H

#include <stdbool.h>
#include <stdio.h>

#include "symbols/types.h"

/* The type's name, and with decl_name a declaration of it ("char
 * name[24]"); decl_name NULL or "" for the type alone ("char [24]"). */
int kd_type_format(kd_type t, const char *decl_name, char *buf, size_t len, kd_err *err);

/* A base type's name as gdb shows it: DWARF's "long unsigned int" is
 * "unsigned long". */
const char *kd_type_base_name(const char *name);

/* The body of a struct, union or enum: "struct list_head {\n    struct
 * list_head *next;\n ...}" without a final newline; members indented by
 * indent + 4, nested anonymous aggregates inline. With offsets, each
 * member is preceded by its byte offset as crash's struct -o shows it
 * ("   [16] "), or, with base not 0, by its address ("  [ffff...] "). */
int kd_type_print_body(FILE *out, kd_type t, int indent, bool offsets, uint64_t base,
		       kd_err *err);

/* The same body for --json (docs/json.md): "members" (an array of
 * {name, type, offset, size[, bit_offset, bit_size][, address]}, an
 * anonymous struct's or union's members among their container's) or an
 * enum's "enumerators" ({name, value}); with base not 0, each member's
 * address. */
struct kd_json;
int kd_type_json_body(struct kd_json *j, kd_type t, uint64_t base, kd_err *err);

#endif

/* C values in the crashed kernel: what an expression (kernel/expr.c)
 * evaluates to, and how gdb, and so crash, prints one. */
#ifndef KD_KERNEL_VALUE_H
#define KD_KERNEL_VALUE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "kernel/kernel.h"
#include "kernel/types.h"

struct kd_value {
	kd_type type;
	bool lvalue;          /* an object in kernel memory at addr */
	uint64_t addr;
	uint32_t bit_offset;  /* a bit-field: bits from addr ... */
	uint32_t bit_size;    /* ... and how many (0: not a bit-field) */
	uint64_t u;           /* not an lvalue: the value's bits (integer, pointer, enum) */
	char name[128];       /* a variable's name when the expression was one */
	int cpu;              /* a per-CPU variable's CPU, else -1 */
	bool percpu;          /* a per-CPU variable named without a CPU: addr is its
			       * offset in each CPU's area, not an address */
};

/* Evaluates a C expression of crash's `p`: globals of vmlinux and of
 * modules whose debug info is loaded, enum constants, numbers, `.`, `->`,
 * `[i]`, unary `* & - ~ !`, casts `(struct foo *)x`, arithmetic and
 * comparisons, sizeof(type|expr), offsetof(type, member). cpu >= 0 takes a
 * per-CPU variable's instance on that CPU. */
int kd_expr_eval(struct kd_kernel *k, const char *text, int cpu, struct kd_value *out,
		 kd_err *err);

/* A per-CPU variable named without a CPU: the command then names CPUs. */
bool kd_value_is_percpu(const struct kd_value *v);

/* The value as an integer (integers, enums, pointers, bools): loaded from
 * memory for an lvalue, sign-extended for signed types. */
int kd_value_int(struct kd_kernel *k, const struct kd_value *v, uint64_t *out, kd_err *err);

/* An lvalue of type at addr. */
struct kd_value kd_value_at(kd_type type, uint64_t addr);

struct kd_print_opts {
	bool hex;            /* -x: integers in hex */
	bool top;            /* the value printed alone: pointers show their type */
};

/* Prints v as gdb's pretty print does (crash's layout): structs over
 * several lines indented by two spaces a level, arrays {a, b}, char arrays
 * as strings, pointers with <symbol+off>, enums by name. indent is the
 * nesting level the value starts at. */
int kd_value_print(struct kd_kernel *k, const struct kd_value *v, const struct kd_print_opts *o,
		   int indent, FILE *out, kd_err *err);

/* The members of a struct value, one "  name = value," line each, as
 * crash's `struct TYPE.member ADDR` prints them; only those named in
 * members (a comma-separated list, "a.b" reaching into one) when given. */
int kd_value_print_members(struct kd_kernel *k, const struct kd_value *v, const char *members,
			   const struct kd_print_opts *o, FILE *out, kd_err *err);

/* --json's form of the same (docs/json.md): v written under key (NULL
 * in an array or alone) as a JSON value: structs and unions as objects
 * (an anonymous member's members as the container's), arrays as arrays,
 * char arrays as the string up to their NUL, integers as numbers, bools
 * as true/false, enums by name (a number when none matches), pointers and
 * functions as hex addresses. A value the dump does not hold is written
 * as null and returned as -1 with err (kd_err_is_fault); after any other
 * failure the document is unfinished. */
struct kd_json;
int kd_value_json(struct kd_kernel *k, const struct kd_value *v, struct kd_json *j,
		  const char *key, kd_err *err);

/* The members list of kd_value_print_members as one object under key,
 * each keyed by its name as given ("se.vruntime"); a member the dump does
 * not hold is null (and returned as with kd_value_json, once the object
 * is complete). */
int kd_value_json_members(struct kd_kernel *k, const struct kd_value *v, const char *members,
			  struct kd_json *j, const char *key, kd_err *err);

#endif

/* struct and union: a type's definition (with -o, each member's offset),
 * or the object at an address laid out as crash prints it, whole or only
 * the members named: struct NAME[.member[,member...]] [-o] [-x|-d]
 * [ADDR | SYMBOL | (EXPR)] [COUNT]. --json: docs/json.md. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "commands/command.h"
#include "kernel/types.h"
#include "kernel/value.h"

/* --json: {"type", "size", then "members" (the definition, count 0) or
 * "objects": each object's "address" and its "value" (members: only
 * those), or with -o its "members" at their addresses. */
static int json_aggregate(struct kd_cmd *c, kd_type t, uint64_t size, const char *members,
			  uint64_t addr, long count)
{
	struct kd_json j;
	char type[512];

	if (kd_type_format(t, NULL, type, sizeof(type), c->err) != 0)
		return -1;
	kd_json_init(&j, c->out);
	kd_json_object(&j, NULL);
	kd_json_str(&j, "type", type);
	kd_json_uint(&j, "size", size);
	if (!count && kd_type_json_body(&j, t, 0, c->err) != 0)
		return -1;
	if (count)
		kd_json_array(&j, "objects");
	for (long i = 0; i < count; i++, addr += size) {
		struct kd_value v = kd_value_at(t, addr);

		kd_json_object(&j, NULL);
		kd_json_addr(&j, "address", addr);
		if (c->opt['o'] ? kd_type_json_body(&j, t, addr, c->err) != 0
				: kd_cmd_json_value(c, &j, "value", &v, members, c->err) != 0)
			return -1;
		kd_json_end(&j, '}');
	}
	if (count)
		kd_json_end(&j, ']');
	kd_json_end(&j, '}');
	return 0;
}

static int run_aggregate(struct kd_cmd *c, const char *keyword)
{
	struct kd_print_opts o = { .hex = kd_cmd_hex(c), .top = false };
	char name[256], *members = NULL;
	struct kd_type_info ti;
	long count = 1;
	uint64_t addr;
	kd_type t;

	if (c->argc < 1 || c->argc > 3)
		return kd_cmd_usage(c, "a type name is needed");
	snprintf(name, sizeof(name), "%s %s", keyword, c->argv[0]);
	if ((members = strchr(name, '.')))
		*members++ = '\0';
	if (kd_types_find(c->k->types, name, &t, NULL) != 0 &&
	    kd_types_find(c->k->types, c->argv[0], &t, c->err) != 0)
		return -1;
	if (kd_type_info(t, &ti, c->err) != 0)
		return -1;
	if (c->argc == 1 && c->json)
		return json_aggregate(c, t, ti.size, NULL, 0, 0);
	if (c->argc == 1) {
		if (kd_type_print_body(c->out, t, 0, c->opt['o'], 0, c->err) != 0)
			return -1;
		fprintf(c->out, "\nSIZE: %llu\n", (unsigned long long)ti.size);
		return 0;
	}
	if (kd_cmd_address(c, c->argv[1], &addr, NULL) != 0)
		return -1;
	if (c->argc == 3) {
		char *end;
		count = strtol(c->argv[2], &end, 0);
		if (*end || count < 1 || count > 1 << 20)
			return kd_cmd_usage(c, "a count from 1 to %d is needed, not %s", 1 << 20,
					    c->argv[2]);
	}
	if (c->json)
		return json_aggregate(c, t, ti.size, members, addr, count);
	for (long i = 0; i < count; i++, addr += ti.size) {
		struct kd_value v = kd_value_at(t, addr);

		if (c->opt['o']) {
			if (kd_type_print_body(c->out, t, 0, true, addr, c->err) != 0)
				return -1;
			fputc('\n', c->out);
		} else if (members) {
			if (kd_value_print_members(c->k, &v, members, &o, c->out, c->err) != 0)
				return -1;
		} else if (kd_cmd_print_object(c, name, t, addr, &o, c->err) != 0) {
			return -1;
		}
	}
	return 0;
}

static int run_struct(struct kd_cmd *c)
{
	return run_aggregate(c, "struct");
}

static int run_union(struct kd_cmd *c)
{
	return run_aggregate(c, "union");
}

#define AGGREGATE_HELP                                                                         \
	"  without an address, the definition and SIZE (-o: each member's offset);\n"           \
	"  with ADDR (hex), SYMBOL or (EXPR), the object there, COUNT of them in a row;\n"      \
	"  .member,member...: only those members (a.b reaches into one).\n"                     \
	"  -x/-d: integers in hex/decimal. Types come from BTF, else from DWARF\n"               \
	"  (vmlinux, then the modules whose debug info is loaded).\n"                          \
	"  --json: the definition or the objects as JSON (docs/json.md).\n"

const struct kd_command kd_cmd_struct = {
	.name = "struct",
	.complete = KD_COMPLETE_STRUCT | KD_COMPLETE_SYMBOL | KD_COMPLETE_TYPE_FIRST,
	.options = "oxd",
	.flags = KD_CMD_MODULE_DEBUG | KD_CMD_JSON,
	.usage = "struct NAME[.member[,member...]] [-o] [-x|-d] [ADDR | SYMBOL | (EXPR)] [COUNT]",
	.summary = "a structure's definition, or its contents at an address",
	.help = AGGREGATE_HELP,
	.run = run_struct,
};

const struct kd_command kd_cmd_union = {
	.name = "union",
	.complete = KD_COMPLETE_UNION | KD_COMPLETE_SYMBOL | KD_COMPLETE_TYPE_FIRST,
	.options = "oxd",
	.flags = KD_CMD_MODULE_DEBUG | KD_CMD_JSON,
	.usage = "union NAME[.member[,member...]] [-o] [-x|-d] [ADDR | SYMBOL | (EXPR)] [COUNT]",
	.summary = "a union's definition, or its contents at an address",
	.help = AGGREGATE_HELP,
	.run = run_union,
};

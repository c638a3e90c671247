/* list: the entries of a linked list, crash's way:
 * list [-o OFFSET | -o struct.member] [-s struct[.member,...]] [-x|-d]
 *      [-h | -H] ADDR | SYMBOL
 * Without -h/-H, ADDR is the first structure and the pointer at OFFSET
 * points to the next structure (a NULL-terminated or circular chain).
 * -h: ADDR is a structure with a list_head at OFFSET linking it to the
 * others; -H: ADDR is a standalone list_head (LIST_HEAD()) that is not an
 * entry. Each entry's structure address is printed, then with -s its
 * contents. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "commands/command.h"
#include "kernel/lists.h"
#include "kernel/types.h"
#include "kernel/value.h"

struct walk {
	struct kd_cmd *c;
	int64_t offset;        /* subtracted from each node: list_head walks */
	kd_type type;          /* -s: what to print of each entry */
	const char *members;
	struct kd_print_opts o;
	kd_err *err;
};

static int print_entry(uint64_t node, void *arg)
{
	struct walk *w = arg;
	struct kd_cmd *c = w->c;
	uint64_t entry = node - (uint64_t)w->offset;
	struct kd_value v = kd_value_at(w->type, entry);

	fprintf(c->out, "%llx\n", (unsigned long long)entry);
	if (!c->opt['s'])
		return 0;
	if (w->members)
		return kd_value_print_members(c->k, &v, w->members, &w->o, c->out, w->err);
	fprintf(c->out, "struct %s ", c->optarg['s']);
	if (kd_value_print(c->k, &v, &w->o, 0, c->out, w->err) != 0) {
		fputc('\n', c->out);
		return -1;
	}
	fputc('\n', c->out);
	return 0;
}

/* "task_struct.pid": the struct (vmlinux's or a module's) and what
 * follows the dot; NULL when there is no dot. */
static int struct_arg(struct kd_cmd *c, const char *arg, kd_type *t, const char **after)
{
	char name[256], *dot;

	snprintf(name, sizeof(name), "struct %s", arg);
	*after = NULL;
	if ((dot = strchr(name, '.'))) {
		*dot = '\0';
		*after = strchr(arg, '.') + 1;
	}
	if (kd_types_find(c->k->types, name, t, NULL) == 0)
		return 0;
	return kd_types_find(c->k->types, name + 7, t, c->err);
}

/* "-o 8", "-o 0x10" or "-o struct.member" */
static int parse_offset(struct kd_cmd *c, const char *arg, int64_t *off)
{
	const char *member;
	struct kd_member m;
	char *end, name[256];
	kd_type t;

	*off = strtoll(arg, &end, 0);
	if (*arg && !*end)
		return 0;
	if (struct_arg(c, arg, &t, &member) != 0)
		return -1;
	if (!member)
		return kd_cmd_usage(c, "-o %s: an offset or struct.member is needed", arg);
	snprintf(name, sizeof(name), "%.*s", (int)(member - 1 - arg), arg);
	if (kd_type_member_path(t, name, member, &m, c->err) != 0)
		return -1;
	*off = (int64_t)m.offset;
	return 0;
}

static int run_list(struct kd_cmd *c)
{
	struct walk w = { .c = c, .o = { .hex = c->opt['x'] && !c->opt['d'] }, .err = c->err };
	int64_t offset = 0;
	uint64_t start;

	if (c->argc != 1)
		return kd_cmd_usage(c, "one start address is needed");
	if (c->opt['h'] && c->opt['H'])
		return kd_cmd_usage(c, "-h and -H exclude each other");
	if ((c->opt['o'] && parse_offset(c, c->optarg['o'], &offset) != 0) ||
	    (c->opt['s'] && struct_arg(c, c->optarg['s'], &w.type, &w.members) != 0) ||
	    kd_cmd_address(c, c->argv[0], &start, NULL) != 0)
		return -1;
	if (!c->opt['h'] && !c->opt['H'])
		return kd_kernel_list_walk(c->k, start, offset, false, print_entry, &w, c->err);
	/* list_heads point at each other: walk them, print their structures */
	w.offset = offset;
	if (c->opt['h'])
		start += (uint64_t)offset;
	return kd_kernel_list_walk(c->k, start, 0, c->opt['H'], print_entry, &w, c->err);
}

const struct kd_command kd_cmd_list = {
	.name = "list",
	.options = "o:s:hHxd",
	.flags = KD_CMD_MODULE_DEBUG,
	.usage = "list [-o OFFSET | -o struct.member] [-s struct[.member,...]] [-x|-d] [-h | -H] "
		 "ADDR | SYMBOL",
	.summary = "the entries of a linked list",
	.help = "  ADDR: the first structure; the pointer at OFFSET (default 0) points to\n"
		"        the next structure; the walk ends at NULL or back at ADDR\n"
		"  -h    ADDR is a structure whose list_head at OFFSET links the entries\n"
		"  -H    ADDR is a standalone list_head (LIST_HEAD()), not an entry:\n"
		"          list -H -o kdive_item.list -s kdive_item.id,name kdive_items\n"
		"  -s    each entry's structure, or only the members named\n"
		"A list that loops without coming back to its start, or whose next pointer\n"
		"cannot be read, stops with a line saying where.\n",
	.run = run_list,
};

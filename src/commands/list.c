/* list: the entries of a linked list, crash's way:
 * list [-o OFFSET | -o struct.member] [-s struct[.member,...]] [-x|-d]
 *      [-h | -H] ADDR | SYMBOL
 * Without -h/-H, ADDR is the first structure and the pointer at OFFSET
 * points to the next structure (a NULL-terminated or circular chain).
 * -h: ADDR is a structure with a list_head at OFFSET linking it to the
 * others; -H: ADDR is a standalone list_head (LIST_HEAD()) that is not an
 * entry. Each entry's structure address is printed, then with -s its
 * contents.
 * tree -t rbtree [-o OFFSET | -o struct.member] [-s ...] [-N] ROOT: the
 * nodes of a red-black tree in order, from its struct rb_root (-N: from a
 * node), each as the structure its rb_node at OFFSET is in. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
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
	struct kd_json j;      /* --json: {"entries": [...]} */
};

/* --json: the entry's address, and with -s its members or the whole
 * structure as p --json gives them (null where the dump lacks it, with
 * "error" saying why). */
static int json_entry(struct walk *w, uint64_t entry)
{
	struct kd_value v = kd_value_at(w->type, entry);
	int rc;

	if (!w->c->opt['s']) {
		kd_json_addr(&w->j, NULL, entry);
		return 0;
	}
	kd_json_object(&w->j, NULL);
	kd_json_addr(&w->j, "address", entry);
	rc = kd_cmd_json_value(w->c, &w->j, w->members ? "members" : "value", &v, w->members, w->err);
	kd_json_end(&w->j, '}');
	return rc;
}

static int print_entry(uint64_t node, void *arg)
{
	struct walk *w = arg;
	struct kd_cmd *c = w->c;
	uint64_t entry = node - (uint64_t)w->offset;
	struct kd_value v = kd_value_at(w->type, entry);
	char label[300];

	if (c->json)
		return json_entry(w, entry);
	fprintf(c->out, "%llx\n", (unsigned long long)entry);
	if (!c->opt['s'])
		return 0;
	if (w->members)
		return kd_value_print_members(c->k, &v, w->members, &w->o, c->out, w->err);
	snprintf(label, sizeof(label), "struct %s", c->optarg['s']);
	return kd_cmd_print_object(c, label, w->type, entry, &w->o, w->err);
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

/* What list and tree share: -o OFFSET, -s STRUCT[.members], the start. */
static int parse_walk(struct kd_cmd *c, struct walk *w, int64_t *offset, uint64_t *start)
{
	*w = (struct walk){ .c = c, .o = { .hex = kd_cmd_hex(c) }, .err = c->err };
	*offset = 0;
	if (c->argc != 1)
		return kd_cmd_usage(c, "one start address is needed");
	if ((c->opt['o'] && parse_offset(c, c->optarg['o'], offset) != 0) ||
	    (c->opt['s'] && struct_arg(c, c->optarg['s'], &w->type, &w->members) != 0) ||
	    kd_cmd_address(c, c->argv[0], start, NULL) != 0)
		return -1;
	kd_json_init(&w->j, c->out);
	if (c->json) {
		kd_json_object(&w->j, NULL);
		kd_json_array(&w->j, "entries");
	}
	return 0;
}

/* The walk's end: in JSON the entries found stand, and "error" says why
 * the walk stopped early (a loop, an unreadable link or entry). */
static int end_walk(struct kd_cmd *c, struct walk *w, int rc)
{
	if (!c->json)
		return rc;
	kd_json_end(&w->j, ']');
	kd_json_str(&w->j, "error", rc ? c->err->msg : NULL);
	kd_json_end(&w->j, '}');
	return 0;
}

static int run_list(struct kd_cmd *c)
{
	struct walk w;
	int64_t offset;
	uint64_t start;

	if (c->opt['h'] && c->opt['H'])
		return kd_cmd_usage(c, "-h and -H exclude each other");
	if (parse_walk(c, &w, &offset, &start) != 0)
		return -1;
	if (!c->opt['h'] && !c->opt['H'])
		return end_walk(c, &w, kd_kernel_list_walk(c->k, start, offset, false, print_entry, &w,
							   c->err));
	/* list_heads point at each other: walk them, print their structures */
	w.offset = offset;
	if (c->opt['h'])
		start += (uint64_t)offset;
	return end_walk(c, &w, kd_kernel_list_walk(c->k, start, 0, c->opt['H'], print_entry, &w,
						   c->err));
}

const struct kd_command kd_cmd_list = {
	.name = "list",
	.complete = KD_COMPLETE_TYPE | KD_COMPLETE_SYMBOL,
	.options = "o:s:hHxd",
	.flags = KD_CMD_MODULE_DEBUG | KD_CMD_JSON,
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

static int run_tree(struct kd_cmd *c)
{
	struct walk w;
	uint64_t root, node;
	int64_t offset;

	if (!c->opt['t'] || strcmp(c->optarg['t'], "rbtree") != 0)
		return kd_cmd_usage(c, "-t rbtree is needed (the only kind built in)");
	if (parse_walk(c, &w, &offset, &root) != 0)
		return -1;
	w.offset = offset;
	node = root;
	/* struct rb_root { struct rb_node *rb_node; }: the root node is its first word */
	if (!c->opt['N'] && kd_kernel_read_u64(c->k, root, &node, c->err) != 0)
		return end_walk(c, &w, kd_wrap(c->err, "rb_root at 0x%llx", (unsigned long long)root));
	return end_walk(c, &w, node ? kd_kernel_rbtree_walk(c->k, node, print_entry, &w, c->err) : 0);
}

const struct kd_command kd_cmd_tree = {
	.name = "tree",
	.complete = KD_COMPLETE_TYPE | KD_COMPLETE_SYMBOL,
	.options = "t:o:s:Nxd",
	.flags = KD_CMD_MODULE_DEBUG | KD_CMD_JSON,
	.usage = "tree -t rbtree [-o OFFSET | -o struct.member] [-s struct[.member,...]] [-N] "
		 "ROOT | SYMBOL",
	.summary = "the nodes of a red-black tree, in order",
	.help = "  ROOT   a struct rb_root (-N: a struct rb_node to start from)\n"
		"  -o     where the rb_node is in each entry's structure: the entries'\n"
		"         addresses are printed (default 0: the nodes')\n"
		"  -s     each entry's structure, or only the members named\n"
		"    tree -t rbtree -o vmap_area.rb_node -s vmap_area.va_start vmap_area_root\n"
		"A tree deeper than a balanced one can be, or a node that cannot be read,\n"
		"stops with a line saying where.\n",
	.run = run_tree,
};

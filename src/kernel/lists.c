#include "kernel/lists.h"

#include <stdlib.h>

#include "base/err.h"

/* Brent's cycle check: a node seen again at a power-of-two distance. */
struct cycle {
	uint64_t saved;
	uint64_t power, steps;
};

static bool looped(struct cycle *c, uint64_t node)
{
	if (node == c->saved)
		return true;
	if (++c->steps == c->power) {
		c->saved = node;
		c->power *= 2;
		c->steps = 0;
	}
	return false;
}

int kd_kernel_list_walk(struct kd_kernel *k, uint64_t start, int64_t next_off, bool head,
			kd_node_cb cb, void *arg, kd_err *err)
{
	struct cycle cyc = { start, 1, 0 };
	uint64_t node = start;
	int rc;

	if (head && kd_kernel_read_u64(k, start + (uint64_t)next_off, &node, err) != 0)
		return kd_wrap(err, "list head at 0x%llx", (unsigned long long)start);
	for (long n = 0; node && !(head && node == start); n++) { /* an empty list: head->next == head */
		uint64_t next;

		if (n >= KD_LIST_MAX)
			return kd_fail(err, KD_ERR_CORRUPT, "list from 0x%llx: more than %d entries; "
				       "stopped (corrupt?)", (unsigned long long)start, KD_LIST_MAX);
		if ((rc = cb(node, arg)) != 0)
			return rc;
		if (kd_kernel_read_u64(k, node + (uint64_t)next_off, &next, err) != 0)
			return kd_wrap(err, "list from 0x%llx broke at entry %ld (0x%llx)",
				       (unsigned long long)start, n + 1, (unsigned long long)node);
		if (next == start)
			break; /* back at the head, or at the entry a circular list was given by */
		if (looped(&cyc, next))
			return kd_fail(err, KD_ERR_CORRUPT, "list from 0x%llx loops back to 0x%llx "
				       "after %ld entries: stopped", (unsigned long long)start,
				       (unsigned long long)next, n + 1);
		node = next;
	}
	return 0;
}

/* struct rb_node: __rb_parent_color, rb_right, rb_left */
#define RB_RIGHT 8
#define RB_LEFT 16
#define RB_DEPTH 128 /* a balanced tree of 2^64 nodes is half as deep */

int kd_kernel_rbtree_walk(struct kd_kernel *k, uint64_t root_node, kd_node_cb cb, void *arg,
			  kd_err *err)
{
	uint64_t stack[RB_DEPTH], node = root_node;
	size_t depth = 0;
	long n = 0;
	int rc;

	while (node || depth) {
		while (node) {
			if (depth == RB_DEPTH)
				return kd_fail(err, KD_ERR_CORRUPT, "red-black tree at 0x%llx is deeper than %d: "
					       "corrupt", (unsigned long long)root_node, RB_DEPTH);
			stack[depth++] = node;
			if (kd_kernel_read_u64(k, node + RB_LEFT, &node, err) != 0)
				return kd_wrap(err, "red-black tree at 0x%llx", (unsigned long long)root_node);
		}
		node = stack[--depth];
		if (++n > KD_LIST_MAX)
			return kd_fail(err, KD_ERR_CORRUPT, "red-black tree at 0x%llx: more than %d nodes",
				       (unsigned long long)root_node, KD_LIST_MAX);
		if ((rc = cb(node, arg)) != 0)
			return rc;
		if (kd_kernel_read_u64(k, node + RB_RIGHT, &node, err) != 0)
			return kd_wrap(err, "red-black tree at 0x%llx", (unsigned long long)root_node);
	}
	return 0;
}

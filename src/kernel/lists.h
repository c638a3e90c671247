/* Walking the kernel's linked structures safely: a circular list_head or
 * a NULL-terminated chain of next pointers, and a red-black tree in order.
 * Every walk is bounded and notices a cycle, so corrupt data stops with a
 * line saying where instead of looping. */
#ifndef KD_KERNEL_LISTS_H
#define KD_KERNEL_LISTS_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/kernel.h"

#define KD_LIST_MAX (1 << 22) /* entries one walk visits at most */

/* The nodes of a list from start: each node's next pointer is at
 * next_off. With head, start is a list_head that is not an entry itself
 * (skipped); the walk ends when it comes back to start or reaches NULL.
 * cb gets each node's address; a non-zero return stops and is returned. */
typedef int (*kd_node_cb)(uint64_t node, void *arg);
int kd_kernel_list_walk(struct kd_kernel *k, uint64_t start, int64_t next_off, bool head,
			kd_node_cb cb, void *arg, kd_err *err);

/* The nodes (struct rb_node) of a red-black tree in order, from its
 * root's first node. */
int kd_kernel_rbtree_walk(struct kd_kernel *k, uint64_t root_node, kd_node_cb cb, void *arg,
			  kd_err *err);

#endif

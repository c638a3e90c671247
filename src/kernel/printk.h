/* The kernel log of a dump, record by record: the lockless printk
 * ringbuffer of 5.10+ (`prb`) or the older log_buf of struct printk_log
 * records (3.5 to 5.9). Layouts come from VMCOREINFO, as makedumpfile
 * reads them, with BTF filling in what VMCOREINFO does not carry. */
#ifndef KD_KERNEL_PRINTK_H
#define KD_KERNEL_PRINTK_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"

#define KD_PRINTK_CALLER_CPU 0x80000000u /* caller_id: a CPU, not a pid */

struct kd_printk_record {
	uint64_t ts_nsec;
	int level;           /* 0-7; -1 when the layout does not say */
	int has_caller;      /* caller_id is meaningful (5.1+) */
	uint32_t caller_id;  /* pid, or KD_PRINTK_CALLER_CPU | cpu */
	const char *text;    /* not NUL-terminated; may hold '\n' */
	size_t text_len;
	const char *dict;    /* "KEY=value" items, each NUL-terminated */
	size_t dict_len;
};

/* Returns non-zero to stop the walk; that value is returned. */
typedef int (*kd_printk_cb)(const struct kd_printk_record *r, void *arg);

/* Calls cb for every record, oldest first. -1 with err when the buffer
 * cannot be found or read. */
int kd_printk_foreach(struct kd_kernel *k, kd_printk_cb cb, void *arg, kd_err *err);

/* struct printk_log as this kernel lays it out: offsets of its fields;
 * the text follows the `size`-byte header, the dict follows the text. */
struct kd_printk_log_layout {
	size_t size;
	size_t ts_nsec, len, text_len;
	long dict_len;       /* -1: no dict (not needed to walk) */
	long level;          /* byte holding level:3, or -1 */
	unsigned level_shift; /* level's bit offset in that byte */
	long caller_id;      /* -1 before 5.1 */
};

/* Walks the records of a copy of log_buf from first_idx to next_idx (a
 * record with len 0 marks the wrap to the start). Stops with an error
 * naming the index of a record that does not fit the buffer. */
int kd_printk_log_parse(const unsigned char *buf, size_t buf_len, uint32_t first_idx,
			uint32_t next_idx, const struct kd_printk_log_layout *l, kd_printk_cb cb,
			void *arg, kd_err *err);

#endif

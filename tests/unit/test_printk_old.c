/* The pre-5.10 log_buf record parser (kd_printk_log_parse) on synthetic
 * buffers laid out like struct printk_log: 5.1-5.9 (with caller_id) and
 * 3.5-5.0 (without), in order, wrapped, and corrupt. The lab kernels are
 * all 5.10+, so this is where that format is checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "kernel/printk.h"

/* struct printk_log { u64 ts_nsec; u16 len, text_len, dict_len;
 * u8 facility; u8 flags:5, level:3; u32 caller_id; }, 8-byte aligned. */
static const struct kd_printk_log_layout v5_1 = {
	.size = 24, .ts_nsec = 0, .len = 8, .text_len = 10, .dict_len = 12,
	.level = 15, .level_shift = 5, .caller_id = 16,
};
/* 3.5 to 5.0: no caller_id; and a reader that knows nothing optional. */
static const struct kd_printk_log_layout v3_5_minimal = {
	.size = 16, .ts_nsec = 0, .len = 8, .text_len = 10, .dict_len = -1,
	.level = -1, .caller_id = -1,
};

/* Writes one record at idx the way log_store() does; returns the next idx. */
static uint32_t put(unsigned char *buf, uint32_t idx, const struct kd_printk_log_layout *l,
		    uint64_t ts, int level, uint32_t caller, const char *text, const char *dict,
		    size_t dict_len)
{
	uint16_t text_len = (uint16_t)strlen(text);
	uint16_t len = (uint16_t)((l->size + text_len + dict_len + 7) & ~7u);
	unsigned char *r = buf + idx;

	memset(r, 0, len);
	memcpy(r + l->ts_nsec, &ts, 8);
	memcpy(r + l->len, &len, 2);
	memcpy(r + l->text_len, &text_len, 2);
	if (l->dict_len >= 0) {
		uint16_t dl = (uint16_t)dict_len;
		memcpy(r + l->dict_len, &dl, 2);
	}
	if (l->level >= 0)
		r[l->level] = (unsigned char)(level << l->level_shift | 0x4 /* flags */);
	if (l->caller_id >= 0)
		memcpy(r + l->caller_id, &caller, 4);
	memcpy(r + l->size, text, text_len);
	if (dict_len)
		memcpy(r + l->size + text_len, dict, dict_len);
	return idx + len;
}

struct seen {
	int n, stop_at;
	char text[8][64], dict[8][64];
	uint64_t ts[8];
	int level[8], has_caller[8];
	uint32_t caller[8];
	size_t dict_len[8];
};

static int collect(const struct kd_printk_record *r, void *arg)
{
	struct seen *s = arg;

	if (s->n >= 8)
		return 2;
	snprintf(s->text[s->n], sizeof(s->text[0]), "%.*s", (int)r->text_len, r->text);
	memcpy(s->dict[s->n], r->dict, r->dict_len < 64 ? r->dict_len : 64);
	s->dict_len[s->n] = r->dict_len;
	s->ts[s->n] = r->ts_nsec;
	s->level[s->n] = r->level;
	s->has_caller[s->n] = r->has_caller;
	s->caller[s->n] = r->caller_id;
	return ++s->n == s->stop_at ? 7 : 0;
}

static void test_in_order(void **state)
{
	unsigned char buf[512];
	struct seen s = { 0 };
	uint32_t next = 0;
	kd_err err;

	(void)state;
	next = put(buf, next, &v5_1, 5699507000ULL, 6, 112, "Linux version 5.4.0", "", 0);
	next = put(buf, next, &v5_1, 5700000001ULL, 4, KD_PRINTK_CALLER_CPU | 1,
		   "first line\nsecond line", "", 0);
	next = put(buf, next, &v5_1, 5800000000ULL, 3, 7, "virtio_blk virtio0: [vda]",
		   "SUBSYSTEM=virtio\0DEVICE=+virtio:virtio0", 40);
	assert_int_equal(kd_printk_log_parse(buf, sizeof(buf), 0, next, &v5_1, collect, &s, &err), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.text[0], "Linux version 5.4.0");
	assert_int_equal(s.ts[0], 5699507000ULL);
	assert_int_equal(s.level[0], 6);
	assert_true(s.has_caller[0]);
	assert_int_equal(s.caller[0], 112);
	assert_string_equal(s.text[1], "first line\nsecond line");
	assert_int_equal(s.level[1], 4);
	assert_int_equal(s.caller[1], KD_PRINTK_CALLER_CPU | 1);
	assert_int_equal(s.dict_len[1], 0);
	assert_int_equal(s.level[2], 3);
	assert_int_equal(s.dict_len[2], 40);
	assert_memory_equal(s.dict[2], "SUBSYSTEM=virtio\0DEVICE=+virtio:virtio0", 40);
}

/* The oldest records sit at the end; a zero-length header there says
 * "continue at 0", where the newest records are. */
static void test_wrapped(void **state)
{
	unsigned char buf[256];
	struct seen s = { 0 };
	uint32_t first = 160, idx, next;
	kd_err err;

	(void)state;
	memset(buf, 0xaa, sizeof(buf));
	idx = put(buf, first, &v5_1, 1, 6, 1, "oldest", "", 0);   /* 160..192 */
	idx = put(buf, idx, &v5_1, 2, 6, 1, "older", "", 0);      /* 192..224 */
	memset(buf + idx, 0, v5_1.size);                          /* wrap marker */
	next = put(buf, 0, &v5_1, 3, 6, 1, "newer", "", 0);
	next = put(buf, next, &v5_1, 4, 6, 1, "newest", "", 0);
	assert_int_equal(kd_printk_log_parse(buf, sizeof(buf), first, next, &v5_1, collect, &s, &err), 0);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.text[0], "oldest");
	assert_string_equal(s.text[1], "older");
	assert_string_equal(s.text[2], "newer");
	assert_string_equal(s.text[3], "newest");
	assert_int_equal(s.ts[3], 4);
}

static void test_empty_and_stop(void **state)
{
	unsigned char buf[256];
	struct seen s = { 0 };
	uint32_t next = 0;
	kd_err err;

	(void)state;
	next = put(buf, next, &v5_1, 1, 6, 1, "a", "", 0);
	next = put(buf, next, &v5_1, 2, 6, 1, "b", "", 0);
	assert_int_equal(kd_printk_log_parse(buf, sizeof(buf), next, next, &v5_1, collect, &s, &err), 0);
	assert_int_equal(s.n, 0);
	s.stop_at = 1;
	assert_int_equal(kd_printk_log_parse(buf, sizeof(buf), 0, next, &v5_1, collect, &s, &err), 7);
	assert_int_equal(s.n, 1);
}

static void test_minimal_layout(void **state)
{
	unsigned char buf[128];
	struct seen s = { 0 };
	uint32_t next;
	kd_err err;

	(void)state;
	next = put(buf, 0, &v3_5_minimal, 42000, 0, 0, "Kernel panic - not syncing: x", "", 0);
	assert_int_equal(kd_printk_log_parse(buf, sizeof(buf), 0, next, &v3_5_minimal, collect, &s,
					     &err), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.text[0], "Kernel panic - not syncing: x");
	assert_int_equal(s.level[0], -1);
	assert_false(s.has_caller[0]);
	assert_int_equal(s.dict_len[0], 0);
}

static void test_corrupt(void **state)
{
	unsigned char buf[128];
	struct seen s = { 0 };
	uint16_t len;
	uint32_t next;
	kd_err err;

	(void)state;
	next = put(buf, 0, &v5_1, 1, 6, 1, "hello", "", 0);
	/* a length that runs past the buffer */
	len = 200;
	memcpy(buf + v5_1.len, &len, 2);
	assert_int_equal(kd_printk_log_parse(buf, sizeof(buf), 0, next, &v5_1, collect, &s, &err), -1);
	assert_non_null(strstr(err.msg, "index 0"));
	/* a length too short for its text */
	len = 24;
	memcpy(buf + v5_1.len, &len, 2);
	assert_int_equal(kd_printk_log_parse(buf, sizeof(buf), 0, next, &v5_1, collect, &s, &err), -1);
	assert_non_null(strstr(err.msg, "index 0"));
	/* a start index beyond the buffer */
	assert_int_equal(kd_printk_log_parse(buf, sizeof(buf), 120, next, &v5_1, collect, &s, &err), -1);
	assert_non_null(strstr(err.msg, "index 120"));
	/* only wrap markers: log_next_idx is never reached, and it says so */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(kd_printk_log_parse(buf, sizeof(buf), 0, 64, &v5_1, collect, &s, &err), -1);
	assert_non_null(strstr(err.msg, "never reach"));
	assert_int_equal(s.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_wrapped),
		cmocka_unit_test(test_empty_and_stop),
		cmocka_unit_test(test_minimal_layout),
		cmocka_unit_test(test_corrupt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

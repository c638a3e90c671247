/* ORC table decoding: the three bit layouts of struct orc_entry (4.14-6.2,
 * 6.3, 6.4+) and the lookup's choice among entries (last at or below the
 * address; a section terminator loses to a real entry at the same
 * address). Tables are built in malloc'd buffers of their exact size, so
 * `make SAN=1` catches a read past either array. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unwind/orc.h"

#define BASE 0xffffffff81000000ULL

struct built {
	unsigned char *ip, *orc;
	struct kd_orc_table t;
};

/* ips[i] are code addresses; flags[i] the raw 16-bit flags word. */
static void build(struct built *b, const uint64_t *ips, const int16_t (*offs)[2],
		  const uint16_t *flags, size_t n, enum kd_orc_version v)
{
	b->ip = malloc(4 * n);
	b->orc = malloc(6 * n);
	assert_non_null(b->ip);
	assert_non_null(b->orc);
	b->t.ip_addr = BASE + 0x100000; /* where the s32 array lives */
	for (size_t i = 0; i < n; i++) {
		int32_t rel = (int32_t)(int64_t)(ips[i] - (b->t.ip_addr + 4 * i));
		memcpy(b->ip + 4 * i, &rel, 4);
		memcpy(b->orc + 6 * i, &offs[i][0], 2);
		memcpy(b->orc + 6 * i + 2, &offs[i][1], 2);
		memcpy(b->orc + 6 * i + 4, &flags[i], 2);
	}
	b->t.ip = b->ip;
	b->t.orc = b->orc;
	b->t.n = n;
	b->t.version = v;
}

static void unbuild(struct built *b)
{
	free(b->ip);
	free(b->orc);
}

/* sp_reg | bp_reg << 4 | type << 8 | bit10 << 10 | bit11 << 11 */
static uint16_t fl(unsigned sp, unsigned bp, unsigned type, unsigned b10, unsigned b11)
{
	return (uint16_t)(sp | bp << 4 | type << 8 | b10 << 10 | b11 << 11);
}

static void test_v1(void **state)
{
	(void)state;
	const uint64_t ips[] = { BASE, BASE + 0x10, BASE + 0x20, BASE + 0x30, BASE + 0x30 };
	const int16_t offs[][2] = { { 8, 0 }, { 16, -16 }, { 0, 0 }, { 0, 0 }, { 168, 0 } };
	const uint16_t flags[] = {
		fl(KD_ORC_REG_SP, 0, 0, 0, 0),               /* CALL */
		fl(KD_ORC_REG_SP, KD_ORC_REG_PREV_SP, 1, 0, 0), /* REGS */
		fl(0, 0, 0, 1, 0),                           /* sp undefined + end */
		fl(0, 0, 0, 0, 0),                           /* terminator ... */
		fl(KD_ORC_REG_SP, 0, 2, 0, 0),               /* ... and a real entry there */
	};
	struct built b;
	struct kd_orc_entry e;

	build(&b, ips, offs, flags, 5, KD_ORC_V1);
	assert_int_equal(kd_orc_find(&b.t, BASE - 1, &e), -1);
	assert_int_equal(kd_orc_find(&b.t, BASE + 5, &e), 0);
	assert_int_equal(e.type, KD_ORC_TYPE_CALL);
	assert_int_equal(e.sp_offset, 8);
	assert_false(e.signal);
	assert_int_equal(kd_orc_find(&b.t, BASE + 0x1f, &e), 0);
	assert_int_equal(e.type, KD_ORC_TYPE_REGS);
	assert_int_equal(e.bp_reg, KD_ORC_REG_PREV_SP);
	assert_int_equal(e.bp_offset, -16);
	assert_true(e.signal); /* v1: implied by the REGS types */
	assert_int_equal(kd_orc_find(&b.t, BASE + 0x20, &e), 0);
	assert_int_equal(e.type, KD_ORC_TYPE_END_OF_STACK);
	assert_int_equal(kd_orc_find(&b.t, BASE + 0x1000, &e), 0);
	assert_int_equal(e.type, KD_ORC_TYPE_REGS_PARTIAL);
	assert_int_equal(e.sp_offset, 168);
	assert_int_equal(kd_orc_ip_at(&b.t, 1), BASE + 0x10);
	unbuild(&b);
}

static void test_v2(void **state)
{
	(void)state;
	const uint64_t ips[] = { BASE, BASE + 0x10, BASE + 0x20 };
	const int16_t offs[][2] = { { 8, 0 }, { 8, 0 }, { 0, 0 } };
	const uint16_t flags[] = {
		fl(KD_ORC_REG_SP, 0, 0, 1, 0), /* CALL with signal */
		fl(0, 0, 0, 0, 1),             /* end */
		fl(0, 0, 0, 0, 0),             /* undefined */
	};
	struct built b;
	struct kd_orc_entry e;

	build(&b, ips, offs, flags, 3, KD_ORC_V2);
	kd_orc_entry_at(&b.t, 0, &e);
	assert_int_equal(e.type, KD_ORC_TYPE_CALL);
	assert_true(e.signal);
	kd_orc_entry_at(&b.t, 1, &e);
	assert_int_equal(e.type, KD_ORC_TYPE_END_OF_STACK);
	kd_orc_entry_at(&b.t, 2, &e);
	assert_int_equal(e.type, KD_ORC_TYPE_UNDEFINED);
	unbuild(&b);
}

static void test_v3(void **state)
{
	(void)state;
	const uint64_t ips[] = { BASE, BASE + 0x10, BASE + 0x20, BASE + 0x30 };
	const int16_t offs[][2] = { { -8, 0 }, { 0, 0 }, { 0, 0 }, { 16, 0 } };
	const uint16_t flags[] = {
		fl(KD_ORC_REG_SP_INDIRECT, 0, KD_ORC_TYPE_CALL, 0, 0),
		fl(KD_ORC_REG_SP, 0, KD_ORC_TYPE_REGS, 0, 1),
		fl(0, 0, KD_ORC_TYPE_END_OF_STACK, 0, 0),
		fl(KD_ORC_REG_SP, 0, KD_ORC_TYPE_REGS_PARTIAL, 1, 1), /* type 4 uses bit 10 */
	};
	struct built b;
	struct kd_orc_entry e;

	build(&b, ips, offs, flags, 4, KD_ORC_V3);
	kd_orc_entry_at(&b.t, 0, &e);
	assert_int_equal(e.type, KD_ORC_TYPE_CALL);
	assert_int_equal(e.sp_reg, KD_ORC_REG_SP_INDIRECT);
	assert_int_equal(e.sp_offset, -8);
	assert_false(e.signal);
	kd_orc_entry_at(&b.t, 1, &e);
	assert_int_equal(e.type, KD_ORC_TYPE_REGS);
	assert_true(e.signal);
	kd_orc_entry_at(&b.t, 2, &e);
	assert_int_equal(e.type, KD_ORC_TYPE_END_OF_STACK);
	kd_orc_entry_at(&b.t, 3, &e);
	assert_int_equal(e.type, KD_ORC_TYPE_REGS_PARTIAL);
	assert_int_equal(e.sp_offset, 16);
	unbuild(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1),
		cmocka_unit_test(test_v2),
		cmocka_unit_test(test_v3),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

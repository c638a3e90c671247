/* kd_qemu_cpu_parse against QEMU's own declaration of the note: the struct
 * below is QEMUCPUState as target/i386/arch_dump.c (QEMU 7.2) declares it,
 * filled by field name, so the parser's offsets are checked against the
 * compiler's layout rather than against themselves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "kernel/kaslr.h"

typedef struct QEMUCPUSegment {
	uint32_t selector;
	uint32_t limit;
	uint32_t flags;
	uint32_t pad;
	uint64_t base;
} QEMUCPUSegment;

typedef struct QEMUCPUState {
	uint32_t version;
	uint32_t size;
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
	QEMUCPUSegment cs, ds, es, fs, gs, ss;
	QEMUCPUSegment ldt, tr, gdt, idt;
	uint64_t cr[5];
	uint64_t kernel_gs_base;
} QEMUCPUState;

/* A note as a 6.1 guest's CPU 0 left it (values from the lab's dump). */
static QEMUCPUState note(void)
{
	QEMUCPUState s;

	memset(&s, 0xa5, sizeof(s)); /* every other field is noise */
	s.version = 1;
	s.size = sizeof(s);
	s.cr[0] = 0x80050033;
	s.cr[2] = 0xffffffffc02cffe9;
	s.cr[3] = 0x21a8000;
	s.cr[4] = 0x6b0;
	return s;
}

static void test_fields(void **state)
{
	QEMUCPUState s = note();
	struct kd_qemu_cpu c;
	kd_err err = { "" };

	(void)state;
	assert_int_equal(sizeof(s), 440); /* descsz in QEMU 7.2's notes */
	assert_int_equal(kd_qemu_cpu_parse(&s, sizeof(s), &c, &err), 0);
	assert_int_equal(c.cr0, 0x80050033);
	assert_int_equal(c.cr3, 0x21a8000);
	assert_int_equal(c.cr4, 0x6b0);
}

/* A later QEMU may append fields and grow size: still readable. */
static void test_longer(void **state)
{
	unsigned char buf[sizeof(QEMUCPUState) + 64] = { 0 };
	QEMUCPUState s = note();
	struct kd_qemu_cpu c;
	kd_err err = { "" };

	(void)state;
	s.size = sizeof(buf);
	memcpy(buf, &s, sizeof(s));
	assert_int_equal(kd_qemu_cpu_parse(buf, sizeof(buf), &c, &err), 0);
	assert_int_equal(c.cr3, 0x21a8000);
}

static void expect_error(const void *desc, size_t len, const char *says)
{
	struct kd_qemu_cpu c;
	kd_err err = { "" };

	assert_int_equal(kd_qemu_cpu_parse(desc, len, &c, &err), -1);
	assert_non_null(strstr(err.msg, says));
	assert_null(strchr(err.msg, '\n'));
}

static void test_bad(void **state)
{
	QEMUCPUState s = note();

	(void)state;
	expect_error(&s, 4, "4 bytes");
	expect_error(&s, offsetof(QEMUCPUState, cr[4]), "says it is 440 bytes");
	s.version = 2;
	expect_error(&s, sizeof(s), "version 2");
	s = note();
	s.size = offsetof(QEMUCPUState, cr[4]);
	expect_error(&s, sizeof(s), "expected at least 432");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_longer),
		cmocka_unit_test(test_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for the decoder's pure parts: kernel identity from CPU: lines
 * and banners, and Code: byte parsing / listing. Inputs are lines printed
 * by real kernels (the seeds and the lab). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/kernel_id.h"
#include "disasm/code_line.h"

static bool cpu_line(const char *s, struct kd_kernel_id *id)
{
	return kd_kernel_id_from_cpu_line(s, strlen(s), id);
}

static void test_cpu_line_tainted(void **state)
{
	struct kd_kernel_id id;

	(void)state;
	assert_true(cpu_line("CPU: 1 PID: 94656 Comm: insmod Tainted: G           OE      "
			     "6.2.0-37-generic #38~22.04.1-Ubuntu", &id));
	assert_string_equal(id.release, "6.2.0-37-generic");
	assert_string_equal(id.version, "#38~22.04.1-Ubuntu");
	assert_string_equal(id.build_id, "");
}

static void test_cpu_line_not_tainted_build_id(void **state)
{
	struct kd_kernel_id id;

	(void)state;
	assert_true(cpu_line("CPU: 0 UID: 0 PID: 1 Comm: sh Not tainted 6.12.0 #1 "
			     "0123456789abcdef0123456789abcdef01234567", &id));
	assert_string_equal(id.release, "6.12.0");
	assert_string_equal(id.version, "#1");
	assert_string_equal(id.build_id, "0123456789abcdef0123456789abcdef01234567");
}

static void test_cpu_line_rejects(void **state)
{
	struct kd_kernel_id id;

	(void)state;
	assert_false(cpu_line("CPU: 0", &id));
	assert_false(cpu_line("CPU: 0 PID: 1 Comm: x", &id));
	assert_false(cpu_line("", &id));
	assert_false(cpu_line("CPU: 0 PID: 1 Comm: x Tainted: ", &id));
}

static void test_banner_and_mismatch(void **state)
{
	struct kd_kernel_id bin, logged;
	char why[256];

	(void)state;
	assert_true(kd_kernel_id_from_banner(
		"Linux version 6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian "
		"12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP "
		"PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)\n", &bin));
	assert_string_equal(bin.release, "6.1.0-56-cloud-amd64");
	assert_string_equal(bin.version, "#1");
	assert_true(cpu_line("CPU: 0 PID: 1 Comm: insmod Not tainted 6.1.0-56-cloud-amd64 #1", &logged));
	assert_false(kd_kernel_id_differs(&logged, &bin, why, sizeof(why)));
	assert_true(cpu_line("CPU: 0 PID: 1 Comm: insmod Not tainted 6.1.0-55-cloud-amd64 #1", &logged));
	assert_true(kd_kernel_id_differs(&logged, &bin, why, sizeof(why)));
	assert_non_null(strstr(why, "6.1.0-55-cloud-amd64"));
}

static void test_code_parse(void **state)
{
	const char *seed = "5b 41 5c c3 0f 05 <48> 3d 01 f0 ff ff 73 01 c3";
	struct kd_code_bytes c;
	kd_err err = { "" };

	(void)state;
	assert_int_equal(kd_code_parse(seed, strlen(seed), &c, &err), 0);
	assert_int_equal(c.n, 15);
	assert_int_equal(c.fault, 6);
	assert_int_equal(c.b[6], 0x48);
	assert_int_equal(kd_code_parse("Bad RIP value.", 14, &c, &err), -1);
	assert_non_null(strstr(err.msg, "not a list of x86 bytes"));
	assert_int_equal(kd_code_parse("d503233f (a9bf7bfd)", 19, &c, &err), -1);
	assert_int_equal(kd_code_parse("<48", 3, &c, &err), -1);
	assert_int_equal(kd_code_parse("", 0, &c, &err), -1);
}

static void test_code_listing_marks_fault(void **state)
{
	/* The seed's syscall-return Code: bytes, shortened. */
	const char *seed = "4c 8b 4c 24 08 0f 05 <48> 3d 01 f0 ff ff 73 01 c3";
	struct kd_code_bytes c;
	kd_err err = { "" };
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(kd_code_parse(seed, strlen(seed), &c, &err), 0);
	kd_code_print(&c, KD_CODE_X86_64, out);
	fclose(out);
	assert_non_null(strstr(buf, "   7:*\t48 3d 01 f0 ff ff    \tcmp    $0xfffffffffffff001,%rax\t\t<-- trapping instruction"));
	assert_non_null(strstr(buf, "Code starting with the faulting instruction\n"
				    "===========================================\n"
				    "   0:\t48 3d 01 f0 ff ff    \tcmp    $0xfffffffffffff001,%rax\n"));
	free(buf);
}

static void test_code_listing_resyncs(void **state)
{
	/* From byte 0, b8 reads as a 5-byte mov that swallows the faulting
	 * byte; starting at byte 1 (three nops) lands on it. */
	const char *seed = "b8 90 90 90 <55> c3";
	struct kd_code_bytes c;
	kd_err err = { "" };
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(kd_code_parse(seed, strlen(seed), &c, &err), 0);
	kd_code_print(&c, KD_CODE_X86_64, out);
	fclose(out);
	assert_non_null(strstr(buf, "   0:\tb8 "));
	assert_non_null(strstr(buf, "   4:*\t55 "));
	assert_non_null(strstr(buf, "push   %rbp\t\t<-- trapping instruction"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_line_tainted),
		cmocka_unit_test(test_cpu_line_not_tainted_build_id),
		cmocka_unit_test(test_cpu_line_rejects),
		cmocka_unit_test(test_banner_and_mismatch),
		cmocka_unit_test(test_code_parse),
		cmocka_unit_test(test_code_listing_marks_fault),
		cmocka_unit_test(test_code_listing_resyncs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

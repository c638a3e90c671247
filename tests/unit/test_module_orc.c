/* A module's ORC table rebuilt from its .ko (relocated against the
 * module's in-memory symbols) must hold exactly the entries the module
 * loader left in the dump's memory, on the lab's real dumps of both
 * kernels, for every module whose debug .ko the lab keeps. Init-text
 * entries of modules whose init has finished are in memory only (their
 * symbols are gone), so the .ko table must be a subset, and equal for the
 * module still in its init. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel.h"
#include "kernel/modules.h"
#include "unwind/module_orc.h"

static void lab_file(const char *series, const char *rel, char *out, size_t len)
{
	char cmd[128], dir[PATH_MAX] = "";
	FILE *f;

	snprintf(cmd, sizeof(cmd), "lab/kdive-lab dir %s", series);
	f = popen(cmd, "r");
	assert_non_null(f);
	if (!fgets(dir, sizeof(dir), f))
		dir[0] = '\0';
	assert_int_equal(pclose(f), 0);
	dir[strcspn(dir, "\n")] = '\0';
	assert_true(dir[0] != '\0');
	snprintf(out, len, "%s/%s", dir, rel);
}

static bool same_entry(const struct kd_orc_table *a, size_t i, const struct kd_orc_table *b,
		       size_t j)
{
	return kd_orc_ip_at(a, i) == kd_orc_ip_at(b, j) &&
	       memcmp(a->orc + 6 * i, b->orc + 6 * j, 6) == 0;
}

static void check_series(const char *series)
{
	char vmlinux[PATH_MAX], dump[PATH_MAX], ko[2 * PATH_MAX], dir[PATH_MAX];
	struct kd_module *mods;
	struct kd_kernel *k;
	kd_err err = { "" };
	size_t n, checked = 0;

	lab_file(series, "vmlinux", vmlinux, sizeof(vmlinux));
	lab_file(series, "oops-module/vmcore.zlib", dump, sizeof(dump));
	lab_file(series, "modules", dir, sizeof(dir));
	k = kd_kernel_open(vmlinux, dump, NULL, &err);
	if (!k)
		fail_msg("%s", err.msg);
	assert_int_equal(kd_modules(k, &mods, &n, &err), 0);
	for (size_t i = 0; i < n; i++) {
		struct kd_orc_table mem = { 0 }, file = { 0 };
		unsigned char *mbuf, *fbuf;
		size_t j = 0;

		snprintf(ko, sizeof(ko), "%s/%s.ko", dir, mods[i].name);
		if (kd_module_orc_from_ko(k, &mods[i], ko, &file, &fbuf, &err) != 0)
			fail_msg("%s", err.msg);
		if (kd_module_orc_from_memory(k, &mods[i], &mem, &mbuf, &err) != 0)
			fail_msg("%s", err.msg);
		/* Both are sorted: walk them together. */
		for (size_t f = 0; f < file.n; f++) {
			while (j < mem.n && kd_orc_ip_at(&mem, j) < kd_orc_ip_at(&file, f))
				j++;
			if (j == mem.n || !same_entry(&file, f, &mem, j))
				fail_msg("%s: .ko entry %zu (ip %#llx) is not in memory", mods[i].name, f,
					 (unsigned long long)kd_orc_ip_at(&file, f));
			j++;
		}
		if (mods[i].state == KD_MODULE_COMING)
			assert_int_equal(file.n, mem.n);
		assert_true(file.n > 0);
		free(mbuf);
		free(fbuf);
		checked++;
	}
	print_message("# %s: %zu modules' ORC tables checked\n", series, checked);
	assert_true(checked > 0);
	kd_kernel_close(k);
}

static void test_orc_6_1(void **state)
{
	(void)state;
	check_series("6.1");
}

static void test_orc_6_12(void **state)
{
	(void)state;
	check_series("6.12");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_orc_6_1),
		cmocka_unit_test(test_orc_6_12),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#include "kernel/panic.h"

#include <stdio.h>
#include <string.h>

const char *kd_panic_kind(const char *msg)
{
	static const struct {
		const char *needle, *kind;
	} kinds[] = {
		{ "sysrq triggered crash", "sysrq" }, { "SysRq", "sysrq" },
		{ "hung_task: blocked tasks", "hung task" }, { "blocked for more than", "hung task" },
		{ "soft lockup", "soft lockup" }, { "hard LOCKUP", "hard lockup" },
		{ "kernel BUG at", "BUG" }, { "BUG:", "BUG" }, { "Oops", "oops" },
		/* panic_on_oops, or an oops in interrupt: oops_end's panic */
		{ "Fatal exception", "oops" },
		{ "WARNING:", "WARN" }, { "panic_on_warn", "WARN" },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strstr(msg, kinds[i].needle))
			return kinds[i].kind;
	return "panic";
}

bool kd_panic_machinery(const char *fn)
{
	static const char *const exact[] = {
		"machine_kexec", "__crash_kexec", "crash_kexec", "panic", "vpanic", "oops_end", "die",
		"__die", "die_addr", "do_trap", "do_error_trap", "page_fault_oops", "handle_page_fault",
		"kernelmode_fixup_or_oops", "__bad_area_nosemaphore", "bad_area_nosemaphore",
		"no_context", "do_user_addr_fault", "crash_nmi_callback", "nmi_handle",
		"default_do_nmi", "end_repeat_nmi", "check_panic_on_warn", "__warn", "report_bug",
		"handle_bug", "fixup_bug", "watchdog_timer_fn", "hrtimer_run_queues",
	};
	static const char *const prefix[] = { "exc_", "asm_exc_", "dump_stack", "show_", "__sysvec_",
					      "sysvec_", "asm_sysvec_", "nmi_" };

	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strcmp(fn, exact[i]) == 0)
			return true;
	for (size_t i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++)
		if (strncmp(fn, prefix[i], strlen(prefix[i])) == 0)
			return true;
	return false;
}

bool kd_sched_frame(const char *fn)
{
	return strstr(fn, "schedule") != NULL || strcmp(fn, "__switch_to") == 0 ||
	       strcmp(fn, "__switch_to_asm") == 0;
}

void kd_fn_base_name(const char *fn, char *buf, size_t len)
{
	const char *dot = strchr(fn, '.');

	snprintf(buf, len, "%.*s", (int)(dot ? (size_t)(dot - fn) : strlen(fn)), fn);
}

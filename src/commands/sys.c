/* sys: crash's system banner (KERNEL .. PANIC) followed by the panic
 * task's context (PID .. STATE), which crash prints once at startup.
 * Values, rounding and wording follow crash's display_sys_stats() and
 * show_context() so scripts that parse either keep working. A value the
 * dump does not hold reads "(unknown)"; the first reason is reported. */
#include <string.h>

#include "base/err.h"
#include "commands/command.h"
#include "kernel/clock.h"
#include "kernel/live.h"
#include "kernel/system.h"
#include "kernel/tasks.h"

struct sys {
	struct kd_kernel *k;
	FILE *out;
	kd_err *err;
	int failed;           /* err holds the first field's failure */
};

/* Records the first failure; the banner goes on with the other fields. */
static const char *unknown(struct sys *s, kd_err *e)
{
	if (!s->failed) {
		*s->err = *e;
		s->failed = 1;
	}
	return "(unknown)";
}

static void print_files(struct sys *s)
{
	struct kd_dump_state d;

	kd_kernel_dump_state(s->k, &d);
	fprintf(s->out, "      KERNEL: %s%s\n    DUMPFILE: %s",
		s->k->vmlinux ? s->k->vmlinux_path : "(none: kallsyms, BTF and ORC from the dump)",
		kd_kernel_tainted(s->k) ? "  [TAINTED]" : "", s->k->dump_path);
	if (d.partial || d.incomplete)
		fprintf(s->out, " %s%s", d.partial ? " [PARTIAL DUMP]" : "",
			d.incomplete ? " [INCOMPLETE]" : "");
	fputc('\n', s->out);
}

/* Present CPUs, and how many of them were offline: panic() without kdump
 * takes the other CPUs offline, as crash then shows. */
static void print_cpus(struct sys *s)
{
	int present, online;

	if (kd_kernel_cpumask_weight(s->k, "__cpu_present_mask", &present, NULL) != 0)
		present = s->k->nr_cpus;
	fprintf(s->out, "        CPUS: %d", present);
	if (kd_kernel_cpumask_weight(s->k, "__cpu_online_mask", &online, NULL) == 0 && online &&
	    online < present)
		fprintf(s->out, " [OFFLINE: %d]", present - online);
	fputc('\n', s->out);
}

static void print_times(struct sys *s)
{
	char date[64];
	int64_t t;
	uint64_t up;
	kd_err e;

	if (kd_clock_crash_time(s->k, &t, &e) == 0)
		kd_clock_format(t, date, sizeof(date));
	else
		snprintf(date, sizeof(date), "%s", unknown(s, &e));
	fprintf(s->out, "        DATE: %s\n", date);
	if (kd_clock_uptime(s->k, &up, &e) != 0) {
		fprintf(s->out, "      UPTIME: %s\n", unknown(s, &e));
		return;
	}
	fputs("      UPTIME: ", s->out);
	if (up >= 86400)
		fprintf(s->out, "%llu days, ", (unsigned long long)(up / 86400));
	fprintf(s->out, "%02llu:%02llu:%02llu\n", (unsigned long long)(up % 86400 / 3600),
		(unsigned long long)(up % 3600 / 60), (unsigned long long)(up % 60));
}

static void print_loadavg(struct sys *s)
{
	unsigned long avg[3];
	kd_err e;

	if (kd_kernel_loadavg(s->k, avg, &e) != 0) {
		fprintf(s->out, "LOAD AVERAGE: %s\n", unknown(s, &e));
		return;
	}
	fprintf(s->out, "LOAD AVERAGE: %lu.%02lu, %lu.%02lu, %lu.%02lu\n", avg[0] / 100, avg[0] % 100,
		avg[1] / 100, avg[1] % 100, avg[2] / 100, avg[2] % 100);
}

/* Every thread, idle tasks included, as crash counts them. */
static void print_tasks(struct sys *s)
{
	const struct kd_task *tasks;
	size_t n;
	kd_err e;

	if (kd_tasks(s->k, &tasks, &n, &e) == 0)
		fprintf(s->out, "       TASKS: %zu\n", n);
	else if (n == 0)
		fprintf(s->out, "       TASKS: %s\n", unknown(s, &e));
	else {
		unknown(s, &e); /* a broken list: the command says why it is not all */
		fprintf(s->out, "       TASKS: %zu (or more)\n", n);
	}
}

static void print_uts(struct sys *s)
{
	struct kd_uts u;
	unsigned mhz = kd_kernel_cpu_mhz(s->k);
	kd_err e;

	if (kd_kernel_uts(s->k, &u, &e) != 0) {
		const char *why = unknown(s, &e);
		snprintf(u.nodename, KD_UTS_LEN, "%s", why);
		snprintf(u.release, KD_UTS_LEN, "%s", why);
		snprintf(u.version, KD_UTS_LEN, "%s", why);
		snprintf(u.machine, KD_UTS_LEN, "%s", why);
	}
	fprintf(s->out, "    NODENAME: %s\n     RELEASE: %s\n     VERSION: %s\n     MACHINE: %s  ",
		u.nodename, u.release, u.version, u.machine);
	if (mhz)
		fprintf(s->out, "(%u Mhz)\n", mhz);
	else
		fputs("(unknown Mhz)\n", s->out);
}

/* Rounded up to a whole GB when within 64 MB of it (firmware keeps a
 * little), "1.5 GB" / "512 MB" / "640 KB" as crash's pages_to_size(). */
static void print_memory(struct sys *s)
{
	const uint64_t kb = 1 << 10, mb = kb << 10, gb = mb << 10;
	uint64_t pages, bytes, whole;
	char size[32], *p;
	kd_err e;

	if (kd_kernel_memory_pages(s->k, &pages, &e) != 0) {
		fprintf(s->out, "      MEMORY: %s\n", unknown(s, &e));
		return;
	}
	bytes = pages * kd_kernel_page_size(s->k);
	whole = (bytes + gb - 1) / gb * gb;
	if (whole - bytes <= 64 * mb)
		bytes = whole;
	if (bytes >= gb)
		snprintf(size, sizeof(size), "%.1f GB", (double)bytes / (double)gb);
	else if (bytes >= mb)
		snprintf(size, sizeof(size), "%.1f MB", (double)bytes / (double)mb);
	else
		snprintf(size, sizeof(size), "%llu KB", (unsigned long long)(bytes / kb));
	if ((p = strstr(size, ".0 ")))
		memmove(p, p + 2, strlen(p + 2) + 1);
	fprintf(s->out, "      MEMORY: %s\n", size);
}

static void print_panic(struct sys *s, char *msg, size_t len)
{
	kd_err e;

	if (kd_kernel_panic_message(s->k, msg, len, &e) != 0) {
		msg[0] = '\0';
		fprintf(s->out, "       PANIC: %s\n", unknown(s, &e));
		return;
	}
	fprintf(s->out, "       PANIC: \"%s\"%s\n", msg,
		strstr(msg, "Oops: ") ? " (check log for details)" : "");
}

static void print_context(struct sys *s, const char *msg)
{
	/* as crash marks the context task */
	const char *mark = kd_kernel_live(s->k) ? "ACTIVE" : strstr(msg, "SysRq :") ? "SYSRQ" : "PANIC";
	struct kd_task t;
	char state[160];
	int cpu;
	kd_err e;

	if (kd_start_task(s->k, &t, &cpu, &e) != 0) {
		fprintf(s->out, "     WARNING: %s\n", e.msg);
		return;
	}
	if (t.unreadable) {
		fprintf(s->out, "         PID: ?\n     COMMAND: ?\n        TASK: %llx  (its task_struct is "
			"not in the dump)\n         CPU: %d\n       STATE: ? (%s)\n",
			(unsigned long long)t.addr, cpu, mark);
		return;
	}
	kd_task_state_long(&t, state, sizeof(state));
	fprintf(s->out, "         PID: %d\n     COMMAND: \"%s\"\n        TASK: %llx  ", t.pid, t.comm,
		(unsigned long long)t.addr);
	if (t.pid == 0 && s->k->nr_cpus > 1) /* every CPU's idle task is pid 0 */
		fprintf(s->out, "(1 of %d)  ", s->k->nr_cpus);
	fprintf(s->out, "[THREAD_INFO: %llx]\n         CPU: %d\n       STATE: %s (%s)\n",
		(unsigned long long)kd_task_thread_info(s->k, &t), cpu, state, mark);
}

static int run_sys(struct kd_cmd *c)
{
	struct sys s = { c->k, c->out, c->err, 0 };
	char msg[512];

	if (c->argc)
		return kd_cmd_usage(c, "takes no arguments");
	print_files(&s);
	print_cpus(&s);
	print_times(&s);
	print_loadavg(&s);
	print_tasks(&s);
	print_uts(&s);
	print_memory(&s);
	msg[0] = '\0';
	if (!kd_kernel_live(c->k)) /* a running kernel has not panicked */
		print_panic(&s, msg, sizeof(msg));
	print_context(&s, msg);
	return s.failed ? -1 : 0;
}

const struct kd_command kd_cmd_sys = {
	.name = "sys",
	.usage = "sys",
	.summary = "system data: kernel, dump, date, memory, panic message and task",
	.help = "  crash's startup banner: the files, CPUs, crash date, uptime, load\n"
		"  average, number of tasks, utsname, memory, the panic message (the\n"
		"  log's most telling line: \"Kernel panic - ...\", \"Oops: ...\", ...),\n"
		"  and the task that crashed (on the running kernel: no panic message,\n"
		"  and kdive's own task). [PARTIAL DUMP]: makedumpfile left pages\n"
		"  out; [INCOMPLETE]: the dump is missing pages it should have.\n",
	.run = run_sys,
};

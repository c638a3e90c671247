/* sys: crash's system banner (KERNEL .. PANIC) followed by the panic
 * task's context (PID .. STATE), which crash prints once at startup.
 * Values, rounding and wording follow crash's display_sys_stats() and
 * show_context() so scripts that parse either keep working. A value the
 * dump does not hold reads "(unknown)" (null in --json); the first reason
 * is reported. */
#include <string.h>

#include "base/err.h"
#include "commands/command.h"
#include "base/json.h"
#include "kernel/clock.h"
#include "kernel/live.h"
#include "kernel/system.h"
#include "kernel/tasks.h"

/* What sys shows, read once; printed as text or JSON. */
struct sys {
	struct kd_kernel *k;
	kd_err *err;
	int failed;           /* err holds the first field's failure */
	struct kd_dump_state dump;
	int cpus, offline;
	bool have_time, have_up, have_load, have_uts, have_mem, have_panic;
	int64_t time;
	uint64_t up, mem_bytes;
	unsigned long avg[3];
	size_t ntasks;
	int tasks;            /* 0 unknown, 1 all, 2 a broken list: at least ntasks */
	struct kd_uts u;
	unsigned mhz;
	char panic[512];
	bool live;
	/* the context task */
	bool have_ctx;
	kd_err ctx_err;
	struct kd_task t;
	int cpu;
	const char *mark;
	char state[160];
};

/* Records the first failure; the banner goes on with the other fields. */
static void unknown(struct sys *s, kd_err *e)
{
	if (!s->failed) {
		*s->err = *e;
		s->failed = 1;
	}
}

static void gather(struct sys *s)
{
	const struct kd_task *tasks;
	int online;
	kd_err e;

	kd_kernel_dump_state(s->k, &s->dump);
	if (kd_kernel_cpumask_weight(s->k, "__cpu_present_mask", &s->cpus, NULL) != 0)
		s->cpus = s->k->nr_cpus;
	/* panic() without kdump takes the other CPUs offline, as crash shows */
	if (kd_kernel_cpumask_weight(s->k, "__cpu_online_mask", &online, NULL) == 0 && online &&
	    online < s->cpus)
		s->offline = s->cpus - online;
	if (!(s->have_time = kd_clock_crash_time(s->k, &s->time, &e) == 0))
		unknown(s, &e);
	if (!(s->have_up = kd_clock_uptime(s->k, &s->up, &e) == 0))
		unknown(s, &e);
	if (!(s->have_load = kd_kernel_loadavg(s->k, s->avg, &e) == 0))
		unknown(s, &e);
	/* every thread, idle tasks included, as crash counts them */
	if (kd_tasks(s->k, &tasks, &s->ntasks, &e) == 0) {
		s->tasks = 1;
	} else {
		unknown(s, &e); /* a broken list: the command says why it is not all */
		s->tasks = s->ntasks ? 2 : 0;
	}
	if (!(s->have_uts = kd_kernel_uts(s->k, &s->u, &e) == 0))
		unknown(s, &e);
	s->mhz = kd_kernel_cpu_mhz(s->k);
	uint64_t pages;
	if ((s->have_mem = kd_kernel_memory_pages(s->k, &pages, &e) == 0))
		s->mem_bytes = pages * kd_kernel_page_size(s->k);
	else
		unknown(s, &e);
	s->live = kd_kernel_live(s->k);
	/* a running kernel has not panicked */
	if (!s->live && !(s->have_panic = kd_kernel_panic_message(s->k, s->panic, sizeof(s->panic), &e) == 0))
		unknown(s, &e);
	if (!s->have_panic)
		s->panic[0] = '\0';
	/* as crash marks the context task */
	s->mark = s->live ? "ACTIVE" : strstr(s->panic, "SysRq :") ? "SYSRQ" : "PANIC";
	if ((s->have_ctx = kd_start_task(s->k, &s->t, &s->cpu, &s->ctx_err) == 0) && !s->t.unreadable)
		kd_task_state_long(&s->t, s->state, sizeof(s->state));
}

/* Rounded up to a whole GB when within 64 MB of it (firmware keeps a
 * little), "1.5 GB" / "512 MB" / "640 KB" as crash's pages_to_size(). */
static void memory_size(uint64_t bytes, char *size, size_t len)
{
	const uint64_t kb = 1 << 10, mb = kb << 10, gb = mb << 10;
	uint64_t whole = (bytes + gb - 1) / gb * gb;
	char *p;

	if (whole - bytes <= 64 * mb)
		bytes = whole;
	if (bytes >= gb)
		snprintf(size, len, "%.1f GB", (double)bytes / (double)gb);
	else if (bytes >= mb)
		snprintf(size, len, "%.1f MB", (double)bytes / (double)mb);
	else
		snprintf(size, len, "%llu KB", (unsigned long long)(bytes / kb));
	if ((p = strstr(size, ".0 ")))
		memmove(p, p + 2, strlen(p + 2) + 1);
}

static void print_text(const struct sys *s, FILE *out)
{
	const char *unk = "(unknown)";
	char date[64], size[32];

	fprintf(out, "      KERNEL: %s%s\n    DUMPFILE: %s",
		s->k->vmlinux ? s->k->vmlinux_path : "(none: kallsyms, BTF and ORC from the dump)",
		kd_kernel_tainted(s->k) ? "  [TAINTED]" : "", s->k->dump_path);
	if (s->dump.partial || s->dump.incomplete)
		fprintf(out, " %s%s", s->dump.partial ? " [PARTIAL DUMP]" : "",
			s->dump.incomplete ? " [INCOMPLETE]" : "");
	fprintf(out, "\n        CPUS: %d", s->cpus);
	if (s->offline)
		fprintf(out, " [OFFLINE: %d]", s->offline);
	if (s->have_time)
		kd_clock_format(s->time, date, sizeof(date));
	fprintf(out, "\n        DATE: %s\n      UPTIME: ", s->have_time ? date : unk);
	if (!s->have_up)
		fprintf(out, "%s\n", unk);
	else {
		if (s->up >= 86400)
			fprintf(out, "%llu days, ", (unsigned long long)(s->up / 86400));
		fprintf(out, "%02llu:%02llu:%02llu\n", (unsigned long long)(s->up % 86400 / 3600),
			(unsigned long long)(s->up % 3600 / 60), (unsigned long long)(s->up % 60));
	}
	if (s->have_load)
		fprintf(out, "LOAD AVERAGE: %lu.%02lu, %lu.%02lu, %lu.%02lu\n", s->avg[0] / 100, s->avg[0] % 100,
			s->avg[1] / 100, s->avg[1] % 100, s->avg[2] / 100, s->avg[2] % 100);
	else
		fprintf(out, "LOAD AVERAGE: %s\n", unk);
	if (s->tasks)
		fprintf(out, "       TASKS: %zu%s\n", s->ntasks, s->tasks == 2 ? " (or more)" : "");
	else
		fprintf(out, "       TASKS: %s\n", unk);
	fprintf(out, "    NODENAME: %s\n     RELEASE: %s\n     VERSION: %s\n     MACHINE: %s  ",
		s->have_uts ? s->u.nodename : unk, s->have_uts ? s->u.release : unk,
		s->have_uts ? s->u.version : unk, s->have_uts ? s->u.machine : unk);
	if (s->mhz)
		fprintf(out, "(%u Mhz)\n", s->mhz);
	else
		fputs("(unknown Mhz)\n", out);
	if (s->have_mem)
		memory_size(s->mem_bytes, size, sizeof(size));
	fprintf(out, "      MEMORY: %s\n", s->have_mem ? size : unk);
	if (!s->live && s->have_panic)
		fprintf(out, "       PANIC: \"%s\"%s\n", s->panic,
			strstr(s->panic, "Oops: ") ? " (check log for details)" : "");
	else if (!s->live)
		fprintf(out, "       PANIC: %s\n", unk);
	if (!s->have_ctx) {
		fprintf(out, "     WARNING: %s\n", s->ctx_err.msg);
		return;
	}
	if (s->t.unreadable) {
		fprintf(out, "         PID: ?\n     COMMAND: ?\n        TASK: %llx  (its task_struct is "
			"not in the dump)\n         CPU: %d\n       STATE: ? (%s)\n",
			(unsigned long long)s->t.addr, s->cpu, s->mark);
		return;
	}
	fprintf(out, "         PID: %d\n     COMMAND: \"%s\"\n        TASK: %llx  ", s->t.pid, s->t.comm,
		(unsigned long long)s->t.addr);
	if (s->t.pid == 0 && s->k->nr_cpus > 1) /* every CPU's idle task is pid 0 */
		fprintf(out, "(1 of %d)  ", s->k->nr_cpus);
	fprintf(out, "[THREAD_INFO: %llx]\n         CPU: %d\n       STATE: %s (%s)\n",
		(unsigned long long)kd_task_thread_info(s->k, &s->t), s->cpu, s->state, s->mark);
}

/* docs/json.md: sys's labels as keys; an unknown value is null and
 * "error" says why the first one is unknown. */
static void print_json(const struct sys *s, FILE *out)
{
	struct kd_json j;
	char date[64], size[32];

	kd_json_init(&j, out);
	kd_json_object(&j, NULL);
	kd_json_str(&j, "kernel", s->k->vmlinux ? s->k->vmlinux_path : NULL);
	kd_json_str(&j, "dumpfile", s->k->dump_path);
	kd_json_bool(&j, "tainted", kd_kernel_tainted(s->k));
	kd_json_bool(&j, "partial_dump", s->dump.partial);
	kd_json_bool(&j, "incomplete", s->dump.incomplete);
	kd_json_bool(&j, "live", s->live);
	kd_json_int(&j, "cpus", s->cpus);
	kd_json_int(&j, "cpus_offline", s->offline);
	if (s->have_time) {
		kd_clock_format(s->time, date, sizeof(date));
		kd_json_str(&j, "date", date);
		kd_json_int(&j, "time", s->time);
	} else {
		kd_json_str(&j, "date", NULL);
		kd_json_str(&j, "time", NULL);
	}
	if (s->have_up)
		kd_json_int(&j, "uptime_s", (long long)s->up);
	else
		kd_json_str(&j, "uptime_s", NULL);
	if (s->have_load) {
		kd_json_array(&j, "load_average");
		for (int i = 0; i < 3; i++)
			kd_json_num(&j, NULL, (double)s->avg[i] / 100.0);
		kd_json_end(&j, ']');
	} else {
		kd_json_str(&j, "load_average", NULL);
	}
	if (s->tasks)
		kd_json_int(&j, "tasks", (long long)s->ntasks);
	else
		kd_json_str(&j, "tasks", NULL);
	kd_json_bool(&j, "tasks_incomplete", s->tasks == 2);
	kd_json_str(&j, "nodename", s->have_uts ? s->u.nodename : NULL);
	kd_json_str(&j, "release", s->have_uts ? s->u.release : NULL);
	kd_json_str(&j, "version", s->have_uts ? s->u.version : NULL);
	kd_json_str(&j, "machine", s->have_uts ? s->u.machine : NULL);
	if (s->mhz)
		kd_json_int(&j, "mhz", s->mhz);
	else
		kd_json_str(&j, "mhz", NULL);
	if (s->have_mem) {
		memory_size(s->mem_bytes, size, sizeof(size));
		kd_json_str(&j, "memory", size);
		kd_json_int(&j, "memory_bytes", (long long)s->mem_bytes);
	} else {
		kd_json_str(&j, "memory", NULL);
		kd_json_str(&j, "memory_bytes", NULL);
	}
	kd_json_str(&j, "panic", s->have_panic ? s->panic : NULL);
	if (!s->have_ctx) {
		kd_json_str(&j, "context", NULL);
	} else {
		kd_json_object(&j, "context");
		if (s->t.unreadable) {
			kd_json_str(&j, "pid", NULL);
			kd_json_str(&j, "command", NULL);
		} else {
			kd_json_int(&j, "pid", s->t.pid);
			kd_json_str(&j, "command", s->t.comm);
		}
		kd_json_addr(&j, "task", s->t.addr);
		if (s->t.unreadable)
			kd_json_str(&j, "thread_info", NULL);
		else
			kd_json_addr(&j, "thread_info", kd_task_thread_info(s->k, &s->t));
		kd_json_int(&j, "cpu", s->cpu);
		kd_json_str(&j, "state", s->t.unreadable ? NULL : s->state);
		kd_json_str(&j, "mark", s->mark);
		kd_json_end(&j, '}');
	}
	kd_json_str(&j, "error", s->failed ? s->err->msg : s->have_ctx ? NULL : s->ctx_err.msg);
	kd_json_end(&j, '}');
}

static int run_sys(struct kd_cmd *c)
{
	struct sys s = { .k = c->k, .err = c->err };

	if (c->argc)
		return kd_cmd_usage(c, "takes no arguments");
	gather(&s);
	if (c->json) { /* unknown fields are null: the document stands */
		print_json(&s, c->out);
		return 0;
	}
	print_text(&s, c->out);
	return s.failed ? -1 : 0;
}

const struct kd_command kd_cmd_sys = {
	.name = "sys",
	.usage = "sys [--json]",
	.flags = KD_CMD_JSON,
	.summary = "system data: kernel, dump, date, memory, panic message and task",
	.help = "  crash's startup banner: the files, CPUs, crash date, uptime, load\n"
		"  average, number of tasks, utsname, memory, the panic message (the\n"
		"  log's most telling line: \"Kernel panic - ...\", \"Oops: ...\", ...),\n"
		"  and the task that crashed (on the running kernel: no panic message,\n"
		"  and kdive's own task). [PARTIAL DUMP]: makedumpfile left pages\n"
		"  out; [INCOMPLETE]: the dump is missing pages it should have.\n",
	.run = run_sys,
};

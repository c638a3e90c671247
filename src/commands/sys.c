/* sys: crash's system banner (KERNEL .. PANIC) followed by the panic
 * task's context (PID .. STATE), which crash prints once at startup.
 * Values, rounding and wording follow crash's display_sys_stats() and
 * show_context() so scripts that parse either keep working. A value the
 * dump does not hold reads "(unknown)"; the first reason is reported. */
#include <ctype.h>
#include <getopt.h>
#include <string.h>

#include "base/err.h"
#include "commands/command.h"
#include "dump/dump.h"
#include "kernel/clock.h"
#include "kernel/printk.h"
#include "kernel/tasks.h"
#include "kernel/vmcoreinfo.h"

extern const struct kd_command kd_cmd_sys;

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

/* --- CPUS ------------------------------------------------------------ */

static int cpumask_weight(struct kd_kernel *k, const char *sym, int *n, kd_err *err)
{
	uint64_t addr, words[128];
	int64_t size = kd_kernel_sizeof(k, "cpumask", err);

	if (size < 0 || kd_kernel_symbol(k, sym, &addr, err) != 0)
		return -1;
	if ((size_t)size > sizeof(words))
		size = sizeof(words);
	if (kd_kernel_read(k, addr, words, (size_t)size, err) != 0)
		return kd_wrap(err, "%s", sym);
	*n = 0;
	for (size_t i = 0; i < (size_t)size / 8; i++)
		*n += __builtin_popcountll(words[i]);
	return 0;
}

/* Present CPUs, and how many of them were offline: panic() without kdump
 * takes the other CPUs offline, as crash then shows. */
static void print_cpus(struct sys *s)
{
	kd_err e;
	int present, online;

	if (cpumask_weight(s->k, "__cpu_present_mask", &present, &e) != 0)
		present = s->k->nr_cpus;
	fprintf(s->out, "        CPUS: %d", present);
	if (cpumask_weight(s->k, "__cpu_online_mask", &online, &e) == 0 && online && online < present)
		fprintf(s->out, " [OFFLINE: %d]", present - online);
	fputc('\n', s->out);
}

/* --- DATE, UPTIME, LOAD AVERAGE ---------------------------------------- */

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

/* avenrun[] is fixed point with 11 fractional bits; crash rounds each to
 * two decimals the way /proc/loadavg does. */
static void print_loadavg(struct sys *s)
{
	uint64_t addr, avg[3];
	kd_err e;

	if (kd_kernel_symbol(s->k, "avenrun", &addr, &e) != 0 ||
	    kd_kernel_read(s->k, addr, avg, sizeof(avg), &e) != 0) {
		fprintf(s->out, "LOAD AVERAGE: %s\n", unknown(s, &e));
		return;
	}
	fputs("LOAD AVERAGE: ", s->out);
	for (int i = 0; i < 3; i++) {
		uint64_t a = avg[i] + (1 << 11) / 200;
		fprintf(s->out, "%s%llu.%02llu", i ? ", " : "", (unsigned long long)(a >> 11),
			(unsigned long long)(((a & ((1 << 11) - 1)) * 100) >> 11));
	}
	fputc('\n', s->out);
}

/* --- TASKS ------------------------------------------------------------- */

static int count_task(struct kd_kernel *k, const struct kd_task *t, void *arg)
{
	(void)k;
	(void)t;
	++*(long *)arg;
	return 0;
}

static void print_tasks(struct sys *s)
{
	long n = 0;
	kd_err e;

	/* Every thread, idle tasks included, as crash counts them. */
	if (kd_tasks_foreach(s->k, count_task, &n, &e) != 0)
		fprintf(s->out, "       TASKS: %s\n", unknown(s, &e));
	else
		fprintf(s->out, "       TASKS: %ld\n", n);
}

/* --- NODENAME .. MACHINE ---------------------------------------------- */

#define UTS_LEN 65 /* __NEW_UTS_LEN + 1 */

struct utsname {
	char sysname[UTS_LEN], nodename[UTS_LEN], release[UTS_LEN], version[UTS_LEN],
		machine[UTS_LEN];
};

static int read_uts(struct kd_kernel *k, struct utsname *u, kd_err *err)
{
	uint64_t addr;
	int64_t off;

	if (!kd_vmcoreinfo_hex(k->vmci, "SYMBOL(init_uts_ns)", &addr) &&
	    kd_kernel_symbol(k, "init_uts_ns", &addr, err) != 0)
		return -1;
	if (!kd_vmcoreinfo_dec(k->vmci, "OFFSET(uts_namespace.name)", &off) &&
	    (off = kd_kernel_offsetof(k, "uts_namespace", "name", err)) < 0)
		return -1;
	if (kd_kernel_read(k, addr + (uint64_t)off, u, sizeof(*u), err) != 0)
		return kd_wrap(err, "init_uts_ns");
	u->nodename[UTS_LEN - 1] = u->release[UTS_LEN - 1] = u->version[UTS_LEN - 1] =
		u->machine[UTS_LEN - 1] = '\0';
	return 0;
}

static void print_uts(struct sys *s)
{
	struct utsname u;
	uint64_t addr;
	uint32_t khz = 0;
	kd_err e;

	if (read_uts(s->k, &u, &e) != 0) {
		const char *why = unknown(s, &e);
		snprintf(u.nodename, UTS_LEN, "%s", why);
		snprintf(u.release, UTS_LEN, "%s", why);
		snprintf(u.version, UTS_LEN, "%s", why);
		snprintf(u.machine, UTS_LEN, "%s", why);
	}
	fprintf(s->out, "    NODENAME: %s\n     RELEASE: %s\n     VERSION: %s\n     MACHINE: %s  ",
		u.nodename, u.release, u.version, u.machine);
	if (kd_kernel_symbol(s->k, "cpu_khz", &addr, NULL) == 0)
		kd_kernel_read_u32(s->k, addr, &khz, NULL);
	if (khz >= 1000)
		fprintf(s->out, "(%u Mhz)\n", khz / 1000);
	else
		fputs("(unknown Mhz)\n", s->out);
}

/* --- MEMORY ------------------------------------------------------------ */

/* RAM the kernel saw: the pages present in every memory node. */
static int memory_pages(struct kd_kernel *k, uint64_t *pages, kd_err *err)
{
	uint64_t node_data, addr, pgdat, present;
	uint32_t nr_nodes;

	*pages = 0;
	/* Without CONFIG_NUMA the one node is contig_page_data. */
	if (kd_kernel_symbol(k, "node_data", &node_data, NULL) != 0)
		return kd_kernel_symbol(k, "contig_page_data", &pgdat, err) != 0 ? -1 :
			kd_kernel_member(k, pgdat, "pglist_data", "node_present_pages", pages, err);
	if (kd_kernel_symbol(k, "nr_node_ids", &addr, err) != 0 ||
	    kd_kernel_read_u32(k, addr, &nr_nodes, err) != 0)
		return -1;
	if (nr_nodes == 0 || nr_nodes > 1 << 16)
		return kd_fail(err, "nr_node_ids is %u: memory does not look like this kernel's", nr_nodes);
	for (uint32_t i = 0; i < nr_nodes; i++) {
		if (kd_kernel_read_u64(k, node_data + 8 * i, &pgdat, err) != 0)
			return kd_wrap(err, "node_data[%u]", i);
		if (!pgdat)
			continue;
		if (kd_kernel_member(k, pgdat, "pglist_data", "node_present_pages", &present, err) != 0)
			return kd_wrap(err, "node %u", i);
		*pages += present;
	}
	return 0;
}

/* Rounded up to a whole GB when within 64 MB of it (firmware keeps a
 * little), "1.5 GB" / "512 MB" / "640 KB" as crash's pages_to_size(). */
static void print_memory(struct sys *s)
{
	const uint64_t kb = 1 << 10, mb = kb << 10, gb = mb << 10;
	uint64_t pages, bytes, whole;
	char size[32], *p;
	kd_err e;

	if (memory_pages(s->k, &pages, &e) != 0) {
		fprintf(s->out, "      MEMORY: %s\n", unknown(s, &e));
		return;
	}
	bytes = pages * kd_dump_info(s->k->dump)->page_size;
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

/* --- PANIC --------------------------------------------------------------- */

/* crash's panic_msg[]: the most telling kind of message first; the first
 * log line with the best kind found is the panic message. */
static const char *const panic_kinds[] = {
	"SysRq : Crash",
	"SysRq : Trigger a crash",
	"SysRq : Netdump",
	"Kernel panic: ",
	"Kernel panic - ",
	"Kernel BUG at",
	"kernel BUG at",
	"Unable to handle kernel paging request",
	"Unable to handle kernel NULL pointer dereference",
	"BUG: unable to handle kernel ",
	"general protection fault: ",
	"double fault: ",
	"divide error: ",
	"stack segment: ",
	"[Hardware Error]: ",
	"Bad mode in ",
	"Oops: ",
};
#define N_KINDS (sizeof(panic_kinds) / sizeof(panic_kinds[0]))

struct panic_msg {
	size_t kind;          /* N_KINDS until one is found */
	char line[512];
};

static void consider_line(struct panic_msg *m, const char *line, size_t len)
{
	for (size_t i = 0; i < m->kind; i++) {
		if (!memmem(line, len, panic_kinds[i], strlen(panic_kinds[i])))
			continue;
		m->kind = i;
		if (len >= sizeof(m->line))
			len = sizeof(m->line) - 1;
		for (size_t j = 0; j < len; j++)
			m->line[j] = isprint((unsigned char)line[j]) ? line[j] : '.';
		m->line[len] = '\0';
		return;
	}
}

static int scan_record(const struct kd_printk_record *r, void *arg)
{
	const char *p = r->text, *end = r->text + r->text_len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		consider_line(arg, p, len);
		p += len + 1;
	}
	return 0;
}

static void print_panic(struct sys *s, struct panic_msg *m)
{
	kd_err e;

	m->kind = N_KINDS;
	m->line[0] = '\0';
	if (kd_printk_foreach(s->k, scan_record, m, &e) != 0) {
		fprintf(s->out, "       PANIC: %s\n", unknown(s, &e));
		return;
	}
	fprintf(s->out, "       PANIC: \"%s\"%s\n", m->line,
		strstr(m->line, "Oops: ") ? " (check log for details)" : "");
}

/* --- the panic task ---------------------------------------------------- */

/* crash's verbose state names (task_state_string_verbose), with the bit
 * values of 4.14 and later. */
static void state_name(uint64_t state, char *buf, size_t size)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} bits[] = {
		{ 0x1, "TASK_INTERRUPTIBLE" }, { 0x2, "TASK_UNINTERRUPTIBLE" },
		{ 0x4, "TASK_STOPPED" },       { 0x8, "TASK_TRACED" },
		{ 0x10, "EXIT_DEAD" },         { 0x80, "TASK_DEAD" },
		{ 0x20, "EXIT_ZOMBIE" },       { 0x200, "TASK_WAKING" },
		{ 0x100, "TASK_WAKEKILL" },    { 0x400, "TASK_NOLOAD" },
		{ 0x800, "TASK_NEW" },
	};
	size_t n = 0;

	buf[0] = '\0';
	if (state == 0 || state == 0x40) {
		snprintf(buf, size, "%s", state ? "TASK_PARKED" : "TASK_RUNNING");
		return;
	}
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]) && n < size; i++)
		if (state & bits[i].bit)
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "|" : "", bits[i].name);
}

/* With THREAD_INFO_IN_TASK the thread_info is the start of the task. */
static uint64_t thread_info(struct kd_kernel *k, const struct kd_task *t)
{
	int64_t off = kd_kernel_offsetof(k, "task_struct", "thread_info", NULL);

	return off >= 0 ? t->addr + (uint64_t)off : t->stack;
}

static void print_context(struct sys *s, const struct panic_msg *m)
{
	struct kd_task t;
	uint64_t task;
	char state[160];
	int cpu;
	kd_err e;

	if (kd_panic_cpu(s->k, &cpu, &e) != 0 || kd_cpu_curr(s->k, cpu, &task, &e) != 0 ||
	    kd_task_read(s->k, task, &t, &e) != 0) {
		fprintf(s->out, "     WARNING: panic task not found (%s)\n", e.msg);
		return;
	}
	state_name(t.state | t.exit_state, state, sizeof(state));
	fprintf(s->out, "         PID: %d\n     COMMAND: \"%s\"\n        TASK: %llx  ", t.pid, t.comm,
		(unsigned long long)t.addr);
	if (t.pid == 0 && s->k->nr_cpus > 1) /* every CPU's idle task is pid 0 */
		fprintf(s->out, "(1 of %d)  ", s->k->nr_cpus);
	fprintf(s->out, "[THREAD_INFO: %llx]\n         CPU: %d\n       STATE: %s (%s)\n",
		(unsigned long long)thread_info(s->k, &t), cpu, state,
		strstr(m->line, "SysRq :") ? "SYSRQ" : "PANIC"); /* as crash marks it */
}

static int run_sys(struct kd_session *ses, int argc, char **argv, FILE *out, kd_err *err)
{
	struct sys s = { ses->k, out, err, 0 };
	const struct kd_dump_info *di = kd_dump_info(ses->k->dump);
	struct panic_msg m;
	uint64_t addr, tainted = 0;

	opterr = 0; /* one error line, ours */
	if (getopt(argc, argv, "") != -1 || optind < argc)
		return kd_fail(err, "sys: takes no options or arguments (usage: %s)", kd_cmd_sys.usage);
	if (kd_kernel_symbol(s.k, "tainted_mask", &addr, NULL) == 0)
		kd_kernel_read_u64(s.k, addr, &tainted, NULL);
	fprintf(out, "      KERNEL: %s%s\n    DUMPFILE: %s", s.k->vmlinux_path,
		tainted ? "  [TAINTED]" : "", s.k->dump_path);
	if (kd_dump_is_filtered(s.k->dump) || di->incomplete)
		fprintf(out, " %s%s", kd_dump_is_filtered(s.k->dump) ? " [PARTIAL DUMP]" : "",
			di->incomplete ? " [INCOMPLETE]" : "");
	fputc('\n', out);
	print_cpus(&s);
	print_times(&s);
	print_loadavg(&s);
	print_tasks(&s);
	print_uts(&s);
	print_memory(&s);
	print_panic(&s, &m);
	print_context(&s, &m);
	return s.failed ? kd_wrap(err, "sys") : 0;
}

const struct kd_command kd_cmd_sys = {
	.name = "sys",
	.usage = "sys",
	.summary = "system data: kernel, dump, date, memory, panic message and task",
	.help = "  crash's startup banner: the files, CPUs, crash date, uptime, load\n"
		"  average, number of tasks, utsname, memory, the panic message (the\n"
		"  log's most telling line: \"Kernel panic - ...\", \"Oops: ...\", ...),\n"
		"  and the task that crashed. [PARTIAL DUMP]: makedumpfile left pages\n"
		"  out; [INCOMPLETE]: the dump is missing pages it should have.\n",
	.run = run_sys,
};

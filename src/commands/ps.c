/* ps: crash's process list. Every thread and each CPU's idle task, sorted
 * by pid (the idle tasks by CPU), the task each CPU was running marked
 * '>', state and memory columns computed as crash computes them. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "commands/command.h"
#include "kernel/tasks.h"

#define PS_USAGE "ps [-k|-u] [-G] [-I] [-H] [-p|-c] [PID | TASK | COMM]..."
#define PAGE_KB 4

/* __state and exit_state bits, stable since 4.14 (BTF needs 5.2+). */
#define TASK_INTERRUPTIBLE 0x1
#define TASK_UNINTERRUPTIBLE 0x2
#define TASK_STOPPED 0x4
#define TASK_TRACED 0x8
#define EXIT_DEAD 0x10
#define EXIT_ZOMBIE 0x20
#define TASK_PARKED 0x40
#define TASK_DEAD 0x80
#define TASK_WAKING 0x200
#define TASK_NOLOAD 0x400
#define TASK_NEW 0x800
#define PF_EXITING 0x4

/* MM_FILEPAGES, MM_ANONPAGES and MM_SHMEMPAGES; MM_SWAPENTS (2) is not
 * resident. */
static const int resident_counters[] = { 0, 1, 3 };
#define NR_MM_COUNTERS 4

struct row {
	struct kd_task t;
	bool active;        /* some CPU's current task */
	int64_t rss_cache;  /* unsynced per-thread counters, summed over its group */
};

struct ps {
	struct kd_kernel *k;
	kd_err *err;
	struct row *rows;
	size_t n, cap;
	int64_t task_rss;   /* task_struct.rss_stat.count (before 6.2), or -1 */
	uint64_t total_pages;
};

/* crash's task_state_string(): later tests win, as there. */
static const char *state_name(const struct kd_task *t)
{
	uint64_t s = t->state | t->exit_state;
	const char *name = "??";
	bool set = false;

	if (s == 0)
		name = "RU";
	if (s & TASK_INTERRUPTIBLE)
		name = "IN", set = true;
	if (s & TASK_UNINTERRUPTIBLE)
		name = s & TASK_NOLOAD ? "ID" : "UN", set = true;
	if (s & EXIT_ZOMBIE)
		name = "ZO", set = true;
	if (s & TASK_STOPPED)
		name = "ST", set = true;
	if (s & TASK_TRACED)
		name = "TR", set = true;
	if ((s & (EXIT_DEAD | TASK_DEAD)) && !set)
		name = "DE";
	if (s == TASK_PARKED)
		name = "PA";
	if (s == TASK_WAKING)
		name = "WA";
	if (s == TASK_NEW)
		name = "NE";
	return name;
}

/* With SPLIT_RSS_COUNTING (before 6.2) each thread holds counts not yet
 * folded into its mm; crash adds them, and so do we. */
static int thread_rss(struct ps *ps, uint64_t task, int64_t *sum, kd_err *err)
{
	int32_t count[NR_MM_COUNTERS];

	*sum = 0;
	if (ps->task_rss < 0)
		return 0;
	if (kd_kernel_read(ps->k, task + (uint64_t)ps->task_rss, count, sizeof(count), err) != 0)
		return -1;
	for (size_t i = 0; i < sizeof(resident_counters) / sizeof(resident_counters[0]); i++)
		if (count[resident_counters[i]] > 0)
			*sum += count[resident_counters[i]];
	return 0;
}

static int collect(struct kd_kernel *k, const struct kd_task *t, void *arg)
{
	struct ps *ps = arg;

	(void)k;
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 256;
		struct row *r = realloc(ps->rows, cap * sizeof(*r));
		if (!r)
			return kd_fail(ps->err, "out of memory");
		ps->rows = r;
		ps->cap = cap;
	}
	ps->rows[ps->n] = (struct row){ .t = *t };
	if (thread_rss(ps, t->addr, &ps->rows[ps->n].rss_cache, ps->err) != 0)
		return kd_wrap(ps->err, "pid %d's rss_stat", t->pid);
	ps->n++;
	return 0;
}

static int by_pid(const void *a, const void *b)
{
	const struct kd_task *x = &((const struct row *)a)->t, *y = &((const struct row *)b)->t;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->cpu > y->cpu) - (x->cpu < y->cpu);
}

static int by_tgid(const void *a, const void *b)
{
	const struct kd_task *x = &(*(struct row *const *)a)->t, *y = &(*(struct row *const *)b)->t;

	return (x->tgid > y->tgid) - (x->tgid < y->tgid);
}

/* Each thread's rss_cache becomes its whole thread group's. */
static int sum_groups(struct ps *ps, kd_err *err)
{
	struct row **g;

	if (ps->task_rss < 0 || ps->n == 0)
		return 0;
	if (!(g = malloc(ps->n * sizeof(*g))))
		return kd_fail(err, "out of memory");
	for (size_t i = 0; i < ps->n; i++)
		g[i] = &ps->rows[i];
	qsort(g, ps->n, sizeof(*g), by_tgid);
	for (size_t i = 0, j; i < ps->n; i = j) {
		int64_t sum = 0;
		for (j = i; j < ps->n && g[j]->t.tgid == g[i]->t.tgid; j++)
			sum += g[j]->rss_cache;
		for (size_t m = i; m < j; m++)
			g[m]->rss_cache = sum;
	}
	free(g);
	return 0;
}

/* crash's %MEM base: the pages below high_memory. */
static int total_pages(struct kd_kernel *k, uint64_t *pages, kd_err *err)
{
	uint64_t hm, pob;

	if (kd_kernel_symbol(k, "high_memory", &hm, err) != 0 ||
	    kd_kernel_read_u64(k, hm, &hm, err) != 0 ||
	    kd_kernel_symbol(k, "page_offset_base", &pob, err) != 0 ||
	    kd_kernel_read_u64(k, pob, &pob, err) != 0)
		return kd_wrap(err, "total memory");
	if (hm <= pob)
		return kd_fail(err, "high_memory 0x%llx is below the direct map at 0x%llx",
			       (unsigned long long)hm, (unsigned long long)pob);
	*pages = (hm - pob) >> 12;
	return 0;
}

static int load(struct ps *ps, struct kd_kernel *k, kd_err *err)
{
	ps->k = k;
	ps->err = err;
	ps->task_rss = kd_kernel_offsetof(k, "task_struct", "rss_stat.count", NULL);
	if (total_pages(k, &ps->total_pages, err) != 0 || kd_tasks_foreach(k, collect, ps, err) != 0)
		return -1;
	for (int cpu = 0; cpu < k->nr_cpus; cpu++) {
		uint64_t curr;
		if (kd_cpu_curr(k, cpu, &curr, err) != 0)
			return -1;
		for (size_t i = 0; i < ps->n; i++)
			if (ps->rows[i].t.addr == curr)
				ps->rows[i].active = true;
	}
	qsort(ps->rows, ps->n, sizeof(*ps->rows), by_pid);
	return sum_groups(ps, err);
}

/* An mm's resident pages: atomic counters in mm->rss_stat.count[] before
 * 6.2, per-CPU counters (count plus each CPU's delta) after. */
static int mm_rss(struct kd_kernel *k, uint64_t mm, int64_t *rss, kd_err *err)
{
	int64_t arr = kd_kernel_offsetof(k, "mm_struct", "rss_stat.count", NULL);
	int64_t base, pcsize, count_off, counters_off;

	*rss = 0;
	if (arr >= 0) {
		int64_t count[NR_MM_COUNTERS];
		if (kd_kernel_read(k, mm + (uint64_t)arr, count, sizeof(count), err) != 0)
			return -1;
		for (size_t i = 0; i < sizeof(resident_counters) / sizeof(resident_counters[0]); i++)
			if (count[resident_counters[i]] > 0)
				*rss += count[resident_counters[i]];
		return 0;
	}
	if ((base = kd_kernel_offsetof(k, "mm_struct", "rss_stat", err)) < 0 ||
	    (pcsize = kd_kernel_sizeof(k, "percpu_counter", err)) < 0 ||
	    (count_off = kd_kernel_offsetof(k, "percpu_counter", "count", err)) < 0 ||
	    (counters_off = kd_kernel_offsetof(k, "percpu_counter", "counters", err)) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(resident_counters) / sizeof(resident_counters[0]); i++) {
		uint64_t fbc = mm + (uint64_t)base + (uint64_t)(resident_counters[i] * pcsize), counters;
		int64_t sum;

		if (kd_kernel_read(k, fbc + (uint64_t)count_off, &sum, sizeof(sum), err) != 0 ||
		    kd_kernel_read_u64(k, fbc + (uint64_t)counters_off, &counters, err) != 0)
			return -1;
		for (int cpu = 0; counters && cpu < k->nr_cpus; cpu++) {
			int32_t d;
			if (kd_kernel_read(k, counters + k->per_cpu_offset[cpu], &d, sizeof(d), err) != 0)
				return -1;
			sum += d;
		}
		if (sum > 0)
			*rss += sum;
	}
	return 0;
}

struct mem {
	double pct;
	uint64_t vsz_kb, rss_kb;
};

/* crash's get_task_mem_usage(): nothing for zombies, kernel threads and
 * exiting tasks whose mm is already dropped. */
static int mem_usage(const struct ps *ps, const struct row *r, struct mem *u, kd_err *err)
{
	struct kd_kernel *k = ps->k;
	uint64_t total_vm, users;
	int64_t rss;

	memset(u, 0, sizeof(*u));
	if (!r->t.mm || (r->t.exit_state & EXIT_ZOMBIE))
		return 0;
	if (r->t.flags & PF_EXITING) {
		if (kd_kernel_member(k, r->t.mm, "mm_struct", "mm_count.counter", &users, err) != 0)
			goto fail;
		if ((int32_t)users <= 0)
			return 0;
	}
	if (kd_kernel_member(k, r->t.mm, "mm_struct", "total_vm", &total_vm, err) != 0 ||
	    mm_rss(k, r->t.mm, &rss, err) != 0)
		goto fail;
	rss += r->rss_cache;
	u->vsz_kb = total_vm * PAGE_KB;
	u->rss_kb = (uint64_t)rss * PAGE_KB;
	if (!((r->t.flags & KD_PF_KTHREAD) && !rss))
		u->pct = (double)rss * 100.0 / (double)ps->total_pages;
	return 0;
fail:
	return kd_wrap(err, "pid %d's mm_struct at 0x%llx", r->t.pid, (unsigned long long)r->t.mm);
}

static bool is_kthread(const struct kd_task *t)
{
	return t->flags & KD_PF_KTHREAD;
}

static int print_row(const struct ps *ps, const struct row *r, FILE *out, kd_err *err)
{
	struct mem u;

	if (mem_usage(ps, r, &u, err) != 0)
		return -1;
	fprintf(out, "%s%7d %7d %3d  %16llx %3s  %4.1f %8llu %8llu  %s%s%s\n", r->active ? "> " : "  ",
		r->t.pid, r->t.ppid, r->t.cpu, (unsigned long long)r->t.addr, state_name(&r->t), u.pct,
		(unsigned long long)u.vsz_kb, (unsigned long long)u.rss_kb, is_kthread(&r->t) ? "[" : "",
		r->t.comm, is_kthread(&r->t) ? "]" : "");
	return 0;
}

static void print_header(FILE *out, int indent, const struct row *r)
{
	fprintf(out, "%*sPID: %-7d  TASK: %-16llx  CPU: %-3d  COMMAND: \"%s\"\n", indent, "", r->t.pid,
		(unsigned long long)r->t.addr, r->t.cpu, r->t.comm);
}

/* r's parent: rows are sorted by pid, so a binary search on its pid, then
 * the row with the parent's address among those (pid 0 is one per CPU). */
static const struct row *parent_of(const struct ps *ps, const struct row *r)
{
	size_t lo = 0, hi = ps->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ps->rows[mid].t.pid < r->t.ppid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ps->n && ps->rows[lo].t.pid == r->t.ppid; lo++)
		if (ps->rows[lo].t.addr == r->t.parent)
			return &ps->rows[lo];
	return NULL;
}

/* -p: from the root down to r, one more space of indent per generation. */
static void print_parents(const struct ps *ps, const struct row *r, FILE *out)
{
	const struct row *chain[64];
	size_t n = 0;

	for (const struct row *p = r; p && n < sizeof(chain) / sizeof(chain[0]);) {
		chain[n++] = p;
		if (p->t.parent == p->t.addr)
			break;
		p = parent_of(ps, p);
	}
	for (size_t i = 0; i < n; i++)
		print_header(out, (int)i, chain[n - 1 - i]);
	fputc('\n', out);
}

/* -c: the task, then its children. */
static void print_children(const struct ps *ps, const struct row *r, FILE *out)
{
	int cnt = 0;

	print_header(out, 0, r);
	for (size_t i = 0; i < ps->n; i++)
		if (ps->rows[i].t.parent == r->t.addr && &ps->rows[i] != r) {
			print_header(out, 2, &ps->rows[i]);
			cnt++;
		}
	if (!cnt)
		fputs("  (no children)\n", out);
	fputc('\n', out);
}

enum { SHOW_LIST, SHOW_PARENTS, SHOW_CHILDREN };

struct opts {
	bool kernel, user, leaders, no_idle, no_header;
	int mode;
};

static bool selected(const struct opts *o, const struct row *r)
{
	if (o->kernel && !is_kthread(&r->t))
		return false;
	if (o->user && is_kthread(&r->t))
		return false;
	if (o->leaders && r->t.pid != r->t.tgid)
		return false;
	if (o->no_idle && r->t.pid == 0)
		return false;
	return true;
}

static int show(const struct ps *ps, const struct opts *o, const struct row *r, FILE *out,
		kd_err *err)
{
	if (!selected(o, r))
		return 0;
	if (o->mode == SHOW_PARENTS)
		print_parents(ps, r, out);
	else if (o->mode == SHOW_CHILDREN)
		print_children(ps, r, out);
	else
		return print_row(ps, r, out, err);
	return 0;
}

/* A PID is decimal; a task_struct address is hex, with 0x or all 16
 * digits; anything else is a command name ("\\123" for a numeric one). */
enum arg_kind { ARG_PID, ARG_TASK, ARG_COMM };

static enum arg_kind classify(const char *a, uint64_t *v)
{
	const char *hex = strncmp(a, "0x", 2) == 0 ? a + 2 : a;
	size_t ndec = strspn(a, "0123456789"), nhex = strspn(hex, "0123456789abcdefABCDEF");

	if (a[0] && !a[ndec]) {
		*v = strtoull(a, NULL, 10);
		return ARG_PID;
	}
	if (hex[0] && !hex[nhex] && (hex != a || nhex == 16)) {
		*v = strtoull(hex, NULL, 16);
		return ARG_TASK;
	}
	return ARG_COMM;
}

static bool matches(const struct row *r, const char *arg)
{
	uint64_t v = 0;

	switch (classify(arg, &v)) {
	case ARG_PID:
		return (uint64_t)r->t.pid == v;
	case ARG_TASK:
		return r->t.addr == v;
	default:
		return strcmp(r->t.comm, arg[0] == '\\' ? arg + 1 : arg) == 0;
	}
}

static int ps_main(struct kd_session *s, int argc, char **argv, FILE *out, kd_err *err)
{
	struct ps ps = { 0 };
	struct opts o = { 0 };
	int c, rc = -1;
	const char *bad = NULL;

	opterr = 0; /* one error line, ours */
	while ((c = getopt(argc, argv, "kuGIHpc")) != -1) {
		switch (c) {
		case 'k': o.kernel = true; break;
		case 'u': o.user = true; break;
		case 'G': o.leaders = true; break;
		case 'I': o.no_idle = true; break;
		case 'H': o.no_header = true; break;
		case 'p': o.mode = SHOW_PARENTS; break;
		case 'c': o.mode = SHOW_CHILDREN; break;
		default: return kd_fail(err, "bad option -%c (usage: %s)", optopt, PS_USAGE);
		}
	}
	if (o.kernel && o.user)
		return kd_fail(err, "-u and -k are mutually exclusive");
	if (load(&ps, s->k, err) != 0)
		goto out;
	if (o.mode == SHOW_LIST && !o.no_header)
		fputs("      PID    PPID  CPU       TASK        ST  %MEM      VSZ      RSS  COMM\n", out);
	/* Each PID or task named must exist; names may match nothing. */
	for (int a = optind; a < argc && !bad; a++) {
		uint64_t v;
		bool found = classify(argv[a], &v) == ARG_COMM;
		for (size_t i = 0; i < ps.n && !found; i++)
			found = matches(&ps.rows[i], argv[a]);
		if (!found)
			bad = argv[a];
	}
	for (size_t i = 0; i < ps.n; i++) {
		bool want = optind >= argc;
		for (int a = optind; a < argc && !want; a++)
			want = matches(&ps.rows[i], argv[a]);
		if (want && show(&ps, &o, &ps.rows[i], out, err) != 0)
			goto out;
	}
	rc = bad ? kd_fail(err, "invalid task or pid value: %s", bad) : 0;
out:
	free(ps.rows);
	return rc;
}

static int run_ps(struct kd_session *s, int argc, char **argv, FILE *out, kd_err *err)
{
	return ps_main(s, argc, argv, out, err) == 0 ? 0 : kd_wrap(err, "ps");
}

const struct kd_command kd_cmd_ps = {
	.name = "ps",
	.usage = PS_USAGE,
	.summary = "process status: every task, the running ones marked '>'",
	.help = "  PID    a process or thread id       TASK  a task_struct address (hex)\n"
		"  COMM   a command name (\\NAME for a numeric one)\n"
		"  -k  kernel threads only            -u  user tasks only\n"
		"  -G  thread group leaders only      -I  no idle tasks (pid 0)\n"
		"  -H  no header                      -p  parents of each task, from pid 0 down\n"
		"  -c  children of each task\n"
		"Columns as in crash: ST is RU running, IN interruptible, UN uninterruptible,\n"
		"ID idle (TASK_IDLE), ST stopped, TR traced, ZO zombie, DE dead, PA parked,\n"
		"WA waking, NE new; %MEM is RSS over the memory below high_memory; VSZ and\n"
		"RSS are in KiB; kernel threads are in [brackets].\n",
	.run = run_ps,
};

/* ps: crash's process list. Every thread and each CPU's idle task, sorted
 * by pid (the idle tasks by CPU), the task each CPU was running marked
 * '>', state and memory columns as crash computes them (kernel/tasks.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "commands/command.h"
#include "base/json.h"
#include "kernel/tasks.h"

struct row {
	const struct kd_task *t;
	bool active;        /* some CPU's current task */
};

struct ps {
	struct row *rows;   /* by pid, then CPU */
	size_t n;
	bool broke;         /* the task list was cut short (said) */
	bool mem_said;      /* the memory columns' failure was said */
};

static int by_pid(const void *a, const void *b)
{
	return kd_task_order(((const struct row *)a)->t, ((const struct row *)b)->t);
}

static int load(struct ps *ps, struct kd_cmd *c, kd_err *err)
{
	struct kd_kernel *k = c->k;
	const struct kd_task *tasks;
	bool broke;
	size_t n;

	if ((ps->broke = broke = kd_tasks(k, &tasks, &n, err) != 0)) {
		if (n == 0)
			return -1;
		kd_cmd_warn(c, "%s; the %zu task%s it could reach %s listed", err->msg, n, n == 1 ? "" : "s",
			    n == 1 ? "is" : "are");
	}
	if (!(ps->rows = calloc(n + 1, sizeof(*ps->rows))))
		return kd_oom(err);
	for (size_t i = 0; i < n; i++) {
		ps->rows[i].t = &tasks[i];
		/* in a dump already said to be broken, an unreadable runqueue
		 * only loses the '>' marks */
		if (kd_task_is_current(k, &tasks[i], &ps->rows[i].active, broke ? NULL : err) != 0 &&
		    !broke)
			return -1;
	}
	ps->n = n;
	qsort(ps->rows, ps->n, sizeof(*ps->rows), by_pid);
	return 0;
}

/* A task's memory columns; what the dump cannot give is 0 (null in
 * JSON), said once (not again in a dump already said to be broken). */
static bool row_mem(struct kd_cmd *c, struct ps *ps, const struct row *r, struct kd_task_mem *u)
{
	kd_err err;

	if (kd_task_mem(c->k, r->t, u, &err) == 0)
		return true;
	memset(u, 0, sizeof(*u));
	if (!ps->broke && !ps->mem_said)
		kd_cmd_warn(c, "%s; the memory columns are 0 where it is needed", err.msg);
	ps->mem_said = true;
	return false;
}

/* --json: one object per task, named after crash's columns. */
static void json_row(struct kd_cmd *c, struct ps *ps, const struct row *r, struct kd_json *j)
{
	const struct kd_task *t = r->t;
	struct kd_task_mem u;

	bool known = row_mem(c, ps, r, &u);
	kd_json_object(j, NULL);
	kd_json_int(j, "pid", t->pid);
	kd_json_int(j, "ppid", t->ppid);
	kd_json_int(j, "cpu", t->cpu);
	kd_json_addr(j, "task", t->addr);
	kd_json_str(j, "st", kd_task_state_short(t));
	if (known) {
		kd_json_num(j, "mem_pct", u.pct);
		kd_json_int(j, "vsz_kb", (long long)u.vsz_kb);
		kd_json_int(j, "rss_kb", (long long)u.rss_kb);
	} else { /* unknown, not 0 */
		kd_json_str(j, "mem_pct", NULL);
		kd_json_str(j, "vsz_kb", NULL);
		kd_json_str(j, "rss_kb", NULL);
	}
	kd_json_str(j, "comm", t->comm);
	kd_json_bool(j, "kernel_thread", kd_task_is_kthread(t));
	kd_json_bool(j, "active", r->active);
	kd_json_end(j, '}');
}

static void print_row(struct kd_cmd *c, struct ps *ps, const struct row *r)
{
	const struct kd_task *t = r->t;
	bool kthread = kd_task_is_kthread(t);
	struct kd_task_mem u;

	row_mem(c, ps, r, &u);
	fprintf(c->out, "%s%7d %7d %3d  %16llx %3s  %4.1f %8llu %8llu  %s%s%s\n", r->active ? "> " : "  ",
		t->pid, t->ppid, t->cpu, (unsigned long long)t->addr, kd_task_state_short(t), u.pct,
		(unsigned long long)u.vsz_kb, (unsigned long long)u.rss_kb, kthread ? "[" : "",
		t->comm, kthread ? "]" : "");
}

/* r's parent: rows are sorted by pid, so a binary search on its pid, then
 * the row with the parent's address among those (pid 0 is one per CPU). */
static const struct row *parent_of(const struct ps *ps, const struct row *r)
{
	size_t lo = 0, hi = ps->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ps->rows[mid].t->pid < r->t->ppid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ps->n && ps->rows[lo].t->pid == r->t->ppid; lo++)
		if (ps->rows[lo].t->addr == r->t->parent)
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
		if (p->t->parent == p->t->addr)
			break;
		p = parent_of(ps, p);
	}
	for (size_t i = 0; i < n; i++)
		kd_print_task_header(out, chain[n - 1 - i]->t, (int)i);
	fputc('\n', out);
}

/* -c: the task, then its children. */
static void print_children(const struct ps *ps, const struct row *r, FILE *out)
{
	int cnt = 0;

	kd_print_task_header(out, r->t, 0);
	for (size_t i = 0; i < ps->n; i++)
		if (ps->rows[i].t->parent == r->t->addr && &ps->rows[i] != r) {
			kd_print_task_header(out, ps->rows[i].t, 2);
			cnt++;
		}
	if (!cnt)
		fputs("  (no children)\n", out);
	fputc('\n', out);
}

static bool selected(const struct kd_cmd *c, const struct row *r)
{
	bool kthread = kd_task_is_kthread(r->t);

	if (c->opt['k'] && !kthread)
		return false;
	if (c->opt['u'] && kthread)
		return false;
	if (c->opt['G'] && r->t->pid != r->t->tgid)
		return false;
	if (c->opt['I'] && r->t->pid == 0)
		return false;
	return true;
}

static void show(struct kd_cmd *c, struct ps *ps, const struct row *r, struct kd_json *j)
{
	if (!selected(c, r))
		return;
	if (c->json)
		json_row(c, ps, r, j);
	else if (c->opt['p'])
		print_parents(ps, r, c->out);
	else if (c->opt['c'])
		print_children(ps, r, c->out);
	else
		print_row(c, ps, r);
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
		return (uint64_t)r->t->pid == v;
	case ARG_TASK:
		return r->t->addr == v;
	default:
		return strcmp(r->t->comm, arg[0] == '\\' ? arg + 1 : arg) == 0;
	}
}

static int run_ps(struct kd_cmd *c)
{
	struct ps ps = { 0 };
	const char *bad = NULL;
	struct kd_json j;
	int rc = -1;

	if (c->opt['k'] && c->opt['u'])
		return kd_cmd_usage(c, "-u and -k are mutually exclusive");
	if (c->json && (c->opt['p'] || c->opt['c'] || c->opt['H']))
		return kd_cmd_usage(c, "--json lists tasks: no -p, -c or -H");
	if (load(&ps, c, c->err) != 0)
		goto out;
	kd_json_init(&j, c->out);
	if (c->json) {
		kd_json_object(&j, NULL);
		kd_json_array(&j, "tasks");
	} else if (!c->opt['p'] && !c->opt['c'] && !c->opt['H'])
		fputs("      PID    PPID  CPU       TASK        ST  %MEM      VSZ      RSS  COMM\n", c->out);
	/* Each PID or task named must exist; names may match nothing. */
	for (int a = 0; a < c->argc && !bad; a++) {
		uint64_t v;
		bool found = classify(c->argv[a], &v) == ARG_COMM;
		for (size_t i = 0; i < ps.n && !found; i++)
			found = matches(&ps.rows[i], c->argv[a]);
		if (!found)
			bad = c->argv[a];
	}
	for (size_t i = 0; i < ps.n; i++) {
		bool want = c->argc == 0;
		for (int a = 0; a < c->argc && !want; a++)
			want = matches(&ps.rows[i], c->argv[a]);
		if (want)
			show(c, &ps, &ps.rows[i], &j);
	}
	if (c->json) {
		kd_json_end(&j, ']');
		kd_json_end(&j, '}');
	}
	rc = bad ? kd_fail(c->err, KD_ERR_LOOKUP, "invalid task or pid value: %s", bad) : 0;
out:
	free(ps.rows);
	return rc;
}

const struct kd_command kd_cmd_ps = {
	.name = "ps",
	.complete = KD_COMPLETE_TASK,
	.options = "kuGIHpc",
	.flags = KD_CMD_JSON,
	.usage = "ps [-k|-u] [-G] [-I] [-H] [-p|-c] [PID | TASK | COMM]...",
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
